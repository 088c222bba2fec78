"""A person on Messenger handed to the same advisors' Telegram group.

Two processes share handoff.db, as in production: the Messenger webhook (its core writes tickets and the
outbox) and the Telegram bot (its desk opens the topic, relays, and answers through the Send API).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fb_fake_graph import FakeGraphApi
from fb_harness import (
    APP_SECRET,
    attachment_event,
    live_channel,
    notification,
    postback_event,
    quick_reply_event,
    text_event,
)
from hf_common import GROUP, OLENA, Clock
from hf_harness import FakeForumApi, handoff_core, running_desk

from bot.answering import Answerer
from bot.channels.messenger_api import GraphApi, RetryPolicy
from bot.channels.messenger_send import MessengerSender
from bot.channels.messenger_state import MessengerState
from bot.messages import ConversationKey
from bot.settings import Settings
from bot.texts import text
from handoff.schedule import DutySchedule
from handoff.service import HandoffService
from handoff.tickets import TicketStore

PSID = "7301000000000001"


@pytest.fixture
def fake() -> Iterator[FakeForumApi]:
    """The fake Bot API with forum topics."""
    api = FakeForumApi().start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGraphApi]:
    """The fake Graph API (Send API)."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    api = FakeGraphApi().start()
    try:
        yield api
    finally:
        api.stop()


async def test_a_messenger_person_reaches_the_advisors_and_back(
    fake: FakeForumApi,
    graph: FakeGraphApi,
    schedule: DutySchedule,
    clock: Clock,
    settings: Settings,
    answerer: Answerer,
    tmp_path: Path,
) -> None:
    web_store, desk_store = TicketStore(tmp_path / "handoff.db"), TicketStore(tmp_path / "handoff.db")
    web = HandoffService(web_store, schedule, GROUP, clock)  # in the Messenger process
    desk = HandoffService(desk_store, schedule, GROUP, clock)  # in the Telegram process
    offset = timedelta()
    state = MessengerState(tmp_path / "messenger.db", clock=lambda: datetime.now(UTC) + offset)
    api = GraphApi(
        graph.token, graph.url, app_secret=APP_SECRET, policy=RetryPolicy(attempts=2, backoff=0.01)
    )
    sender = MessengerSender(api, state)
    try:
        async with (
            live_channel(graph, handoff_core(settings, answerer, web), tmp_path / "messenger.db") as live,
            running_desk(fake, handoff_core(settings, answerer, desk), tmp_path / "bot.db", messenger=sender),
        ):
            await live.post(notification(postback_event(PSID, "lang:ru", "Русский")))
            await live.post(notification(text_event(PSID, "/human")))
            await live.idle()
            assert graph.texts(PSID) == [text("ru", "language_set"), text("ru", "handoff.queued", position=1)]
            # the card written by the Messenger process is sent by the Telegram one
            await fake.wait_for(lambda: fake.topic_named("RU · asked · 0 min · Messenger") is not None)
            thread = fake.topic_named("RU")
            assert thread is not None
            await fake.wait_for(lambda: fake.in_topic(thread))
            assert "Messenger · writes in RU" in fake.in_topic(thread)[0]["visible_text"]
            ticket = desk.store.open_ticket(ConversationKey("messenger", PSID))
            assert ticket is not None

            fake.group_press(OLENA, f"adv:take:{ticket.id}", thread=thread)
            await graph.wait_for(lambda: len(graph.texts(PSID)) == 3)
            assert graph.texts(PSID)[-1] == text("ru", "handoff.taken", name="Olena")
            await live.post(notification(text_event(PSID, "Здравствуйте, вопрос про карту побыту")))
            await live.post(notification(attachment_event(PSID, "image")))
            await live.idle()
            await fake.wait_for(lambda: len(fake.in_topic(thread)) == 4)
            assert [m["visible_text"] for m in fake.in_topic(thread)[2:]] == [
                "Здравствуйте, вопрос про карту побыту",
                "📎 image",
            ]
            fake.group_message(OLENA, "Добрый день! Какой у вас вопрос?", thread=thread)
            await graph.wait_for(lambda: len(graph.texts(PSID)) == 4)
            assert graph.texts(PSID)[-1] == "Olena (консультант):\nДобрый день! Какой у вас вопрос?"
            assert graph.sent(PSID)[-1]["messaging_type"] == "RESPONSE"

            offset = timedelta(days=8)  # the person went quiet: Messenger allows no more messages
            fake.group_message(OLENA, "Вы ещё здесь?", thread=thread)
            await fake.wait_for(
                lambda: any("Not delivered to the person" in m["visible_text"] for m in fake.in_topic(thread))
            )
            assert len(graph.texts(PSID)) == 4
            offset = timedelta()

            fake.group_press(OLENA, f"adv:close:{ticket.id}", thread=thread)
            await graph.wait_for(lambda: len(graph.texts(PSID)) == 5)
            closing = graph.sent(PSID)[-1]["message"]
            assert closing["text"] == text("ru", "handoff.closed")
            assert [q["payload"] for q in closing["quick_replies"]] == [f"rate:{n}" for n in range(1, 6)]
            await live.post(notification(quick_reply_event(PSID, "5", "rate:5")))
            await live.idle()
            assert graph.texts(PSID)[-1] == text("ru", "handoff.rated")
            await fake.wait_for(
                lambda: any("rated the help 5/5" in m["visible_text"] for m in fake.in_topic(thread))
            )
    finally:
        await api.aclose()
        state.close()
        web_store.close()
        desk_store.close()
