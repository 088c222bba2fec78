"""How the handoff is assembled: settings -> HandoffService or NoAdvisors, the Telegram desk, the core."""

from __future__ import annotations

from pathlib import Path

import pytest
from hf_common import GROUP, OLENA, ON_DUTY, SCHEDULE
from tg_fake_api import TOKEN

from bot.answering import Answerer
from bot.app import build_bot
from bot.channels.telegram import TelegramChannel, TelegramConfig
from bot.handoff_port import NoAdvisors
from bot.messages import IncomingMessage
from bot.settings import Settings
from bot.texts import text
from handoff.service import HandoffService


@pytest.fixture
def handoff_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The test settings with a duty schedule and an advisors' group."""
    schedule = tmp_path / "duty.yaml"
    schedule.write_text(SCHEDULE, encoding="utf-8")
    return settings.model_copy(
        update={"duty_schedule": schedule, "advisors_chat_id": GROUP, "data_dir": tmp_path / "var"}
    )


def test_build_bot_hands_off_when_a_schedule_and_a_group_are_set(
    handoff_settings: Settings, answerer: Answerer
) -> None:
    core = build_bot(handoff_settings, persistent=False, answerer=answerer).dialogue
    assert isinstance(core.handoff, HandoffService)
    assert core.handoff.group.chat_id == str(GROUP)
    channel = TelegramChannel(TelegramConfig(token=TOKEN, advisors_chat_id=str(GROUP)), core)
    assert channel.desk is not None and channel.desk.service is core.handoff


def test_without_a_group_the_person_gets_the_contact_details(
    handoff_settings: Settings, answerer: Answerer
) -> None:
    plain = handoff_settings.model_copy(update={"advisors_chat_id": None})
    core = build_bot(plain, persistent=False, answerer=answerer).dialogue
    assert isinstance(core.handoff, NoAdvisors)
    assert TelegramChannel(TelegramConfig(token=TOKEN), core).desk is None


def test_persistent_handoff_lives_in_handoff_db(handoff_settings: Settings, answerer: Answerer) -> None:
    from bot.app import build_handoff
    from bot.store import MemoryStore

    service = build_handoff(handoff_settings, MemoryStore())
    assert isinstance(service, HandoffService)
    assert (handoff_settings.data_dir / "handoff.db").exists()
    service.store.close()


def test_the_core_passes_the_rating_button_to_the_handoff(
    handoff_settings: Settings, answerer: Answerer
) -> None:
    core = build_bot(handoff_settings, persistent=False, answerer=answerer).dialogue
    service = core.handoff
    assert isinstance(service, HandoffService)
    service.clock = lambda: ON_DUTY
    core.handle(IncomingMessage("telegram", "501", "501", "/human", locale_hint="uk"))
    ticket = service.store.tickets()[0].id
    service.take(ticket, OLENA)
    service.close(ticket, OLENA)
    replies = core.handle(IncomingMessage("telegram", "501", "501", payload="rate:5", locale_hint="uk"))
    assert [r.text for r in replies] == [text("uk", "handoff.rated")]
