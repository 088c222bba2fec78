"""The handoff end to end: real python-telegram-bot and the real core against the fake Bot API on 127.0.0.1.

Two people (a Ukrainian speaker on 501, a Polish speaker on 502), two advisors in the schedule (Olena,
Anna) and a member of the group who is not (333).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from hf_common import ANNA, GROUP, NEXT_WINDOW, OFF_DUTY, OLENA, STRANGER, Clock
from hf_harness import DESK_TUNING, FakeForumApi, handoff_core
from tg_harness import running_bot

from bot.answering import Answerer
from bot.messages import ConversationKey, IncomingMessage
from bot.settings import Settings
from bot.texts import text
from handoff.schedule import DutySchedule, format_next_duty
from handoff.service import HandoffService
from handoff.tickets import ASSIGNED, WAITING, TicketStore

U1, U2 = 501, 502


@pytest.fixture
def fake() -> Iterator[FakeForumApi]:
    """The fake Bot API with forum topics, stopped (with its threads) at the end."""
    api = FakeForumApi().start()
    try:
        yield api
    finally:
        api.stop()


def payloads(message: dict) -> list[str]:
    """The callback data of the buttons under a delivered message."""
    return [
        b["callback_data"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row
    ]


def ticket_of(service: HandoffService, chat: int) -> int:
    """The open ticket of a person."""
    ticket = service.store.open_ticket(ConversationKey("telegram", str(chat)))
    assert ticket is not None
    return ticket.id


async def test_on_duty_take_relay_return_and_close_with_a_rating(
    fake: FakeForumApi, service: HandoffService, settings: Settings, answerer: Answerer, tmp_path: Path
) -> None:
    core = handoff_core(settings, answerer, service)
    async with running_bot(fake, core, tmp_path / "bot.db", **DESK_TUNING):
        fake.message(U1, "/human", language="uk")
        fake.message(U2, "/human", language="pl")
        await fake.wait_for(
            lambda: (
                fake.topic_named("UK") and fake.topic_named("PL") and fake.messages(U1) and fake.messages(U2)
            ),
            timeout=20,
        )
        t1, t2 = fake.topic_named("UK"), fake.topic_named("PL")
        assert t1 is not None and t2 is not None
        assert fake.texts_of(U1) == [text("uk", "handoff.queued", position=1)]
        assert fake.texts_of(U2) == [text("pl", "handoff.queued", position=1)]
        await fake.wait_for(lambda: fake.in_topic(t1) and fake.in_topic(t2))
        card1, card2 = fake.in_topic(t1)[0], fake.in_topic(t2)[0]
        assert "tg://user?id=111" in card1["text"] and "tg://user?id=222" not in card1["text"]
        assert "tg://user?id=111" in card2["text"] and "tg://user?id=222" in card2["text"]
        k1, k2 = ticket_of(service, U1), ticket_of(service, U2)
        assert payloads(card1) == [f"adv:take:{k1}", f"adv:close:{k1}", f"adv:return:{k1}"]

        fake.group_press(OLENA, f"adv:take:{k1}", thread=t1)
        fake.group_press(ANNA, f"adv:take:{k2}", thread=t2)
        await fake.wait_for(lambda: len(fake.messages(U1)) == 2 and len(fake.messages(U2)) == 2)
        assert fake.texts_of(U1)[-1] == text("uk", "handoff.taken", name="Olena")
        assert fake.texts_of(U2)[-1] == text("pl", "handoff.taken", name="Anna")

        # the person writes: it goes to the topic, and the bot stays quiet
        fake.message(U1, "Мені відмовили в карті побуту. Що робити?", language="uk")
        fake.message(
            U1,
            caption="ось рішення",
            photo=[{"file_id": "p1", "file_unique_id": "p1", "width": 90, "height": 90}],
            language="uk",
        )
        await fake.wait_for(lambda: len(fake.in_topic(t1)) >= 4)
        relayed = fake.in_topic(t1)[2:]
        assert relayed[0]["visible_text"] == "Мені відмовили в карті побуту. Що робити?"
        assert relayed[1]["copy"] and relayed[1]["from_chat_id"] == U1 and relayed[1]["chat_id"] == GROUP
        # the advisor writes in the topic: it reaches the person, signed
        fake.group_message(OLENA, "Добрий день! Коли ви отримали рішення?", thread=t1)
        await fake.wait_for(lambda: len(fake.messages(U1)) == 3)
        assert fake.texts_of(U1)[-1] == "Olena (консультант):\nДобрий день! Коли ви отримали рішення?"

        # back to the bot: the next question gets an FAQ answer, not relayed
        fake.group_message(OLENA, "/return", thread=t1)
        await fake.wait_for(lambda: len(fake.messages(U1)) == 4)
        assert fake.texts_of(U1)[-1] == text("uk", "handoff.returned")
        await fake.wait_for(lambda: fake.topics[t1]["closed"])
        in_topic = len(fake.in_topic(t1))
        fake.message(U1, "Як отримати номер PESEL?", language="uk")
        await fake.wait_for(lambda: len(fake.messages(U1)) == 5, timeout=20)
        assert "PESEL" in fake.texts_of(U1)[-1] and any(
            p.startswith("fb:") for p in payloads(fake.messages(U1)[-1])
        )
        assert len(fake.in_topic(t1)) == in_topic

        # close with a rating
        fake.group_press(ANNA, f"adv:close:{k2}", thread=t2)
        await fake.wait_for(lambda: len(fake.messages(U2)) == 3)
        assert fake.texts_of(U2)[-1] == text("pl", "handoff.closed")
        assert payloads(fake.messages(U2)[-1]) == [f"rate:{n}" for n in range(1, 6)]
        fake.press(U2, "rate:5", language="pl")
        await fake.wait_for(lambda: len(fake.messages(U2)) == 4)
        assert fake.texts_of(U2)[-1] == text("pl", "handoff.rated")
        await fake.wait_for(lambda: any("rated the help 5/5" in m["text"] for m in fake.in_topic(t2)))
        fake.group_message(ANNA, "/stats")
        await fake.wait_for(
            lambda: any("Ratings: today 5.0/5 (1)" in m["visible_text"] for m in fake.general())
        )
    assert len(fake.calls_of("createForumTopic")) == 2


async def test_off_duty_the_message_waits_for_the_next_window(
    fake: FakeForumApi,
    service: HandoffService,
    clock: Clock,
    settings: Settings,
    answerer: Answerer,
    tmp_path: Path,
) -> None:
    clock.set(OFF_DUTY)
    core = handoff_core(settings, answerer, service)
    async with running_bot(fake, core, tmp_path / "bot.db", **DESK_TUNING) as channel:
        assert channel.desk is not None
        fake.message(U1, "/human", language="uk")
        await fake.wait_for(lambda: fake.messages(U1))
        when = format_next_duty(NEXT_WINDOW, "uk")
        assert fake.texts_of(U1) == [text("uk", "handoff.off_duty", lang_name="українською", when=when)]
        fake.message(U1, "Добрий вечір, мені потрібна допомога з карткою побиту", language="uk")
        await fake.wait_for(lambda: len(fake.messages(U1)) == 2)
        fake.message(U1, voice={"file_id": "v", "file_unique_id": "v", "duration": 3}, language="uk")
        await fake.wait_for(lambda: len(fake.messages(U1)) == 3)
        assert fake.texts_of(U1)[1:] == [
            text("uk", "handoff.left_saved", when=when),
            text("uk", "handoff.left_more"),
        ]
        await channel.desk.tick()
        await channel.desk.flush()
        assert fake.messages(GROUP) == [] and not fake.topics  # nobody is disturbed at night

        clock.set(NEXT_WINDOW.replace(minute=0, second=30))
        await channel.desk.tick()
        thread = fake.topic_named("UK")
        assert thread is not None
        await fake.wait_for(lambda: len(fake.in_topic(thread)) == 3)
        card, left, voice = fake.in_topic(thread)
        assert "Request #" in card["text"] and "tg://user?id=111" in card["text"]
        assert left["visible_text"] == "Добрий вечір, мені потрібна допомога з карткою побиту"
        assert voice["copy"] and voice["from_chat_id"] == U1
        assert any(m["text"].startswith("🕘 Duty for UK has started. Waiting: 1") for m in fake.general())

        fake.group_press(OLENA, f"adv:take:{ticket_of(service, U1)}", thread=thread)
        fake.group_message(OLENA, "Доброго ранку! Я тут.", thread=thread)
        await fake.wait_for(lambda: len(fake.messages(U1)) == 5)
        assert fake.texts_of(U1)[3:] == [
            text("uk", "handoff.taken", name="Olena"),
            "Olena (консультант):\nДоброго ранку! Я тут.",
        ]


async def test_an_unlisted_member_pressing_take_is_ignored(
    fake: FakeForumApi,
    service: HandoffService,
    settings: Settings,
    answerer: Answerer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    core = handoff_core(settings, answerer, service)
    async with running_bot(fake, core, tmp_path / "bot.db", **DESK_TUNING):
        fake.message(U1, "/human", language="uk")
        await fake.wait_for(lambda: fake.topic_named("UK") and fake.messages(U1))
        thread = fake.topic_named("UK")
        assert thread is not None
        await fake.wait_for(lambda: fake.in_topic(thread))
        ticket = ticket_of(service, U1)
        before = len(fake.messages(GROUP))
        with caplog.at_level(logging.WARNING, logger="handoff"):
            fake.group_press(STRANGER, f"adv:take:{ticket}", thread=thread)
            fake.group_message(STRANGER, "hello, I will help!", thread=thread)
            fake.group_message(STRANGER, "/close", thread=thread)
            await fake.wait_confirmed()
            await fake.wait_for(lambda: len(fake.calls_of("answerCallbackQuery")) == 1)
        assert service.store.ticket(ticket).status == WAITING  # type: ignore[union-attr]
        assert len(fake.messages(U1)) == 1 and len(fake.messages(GROUP)) == before
        assert sum("by Telegram user 333 ignored" in r.message for r in caplog.records) == 3
        fake.group_press(OLENA, f"adv:take:{ticket}", thread=thread)
        await fake.wait_for(lambda: len(fake.messages(U1)) == 2)


async def test_a_restart_in_the_middle_of_a_relayed_conversation(
    fake: FakeForumApi,
    schedule: DutySchedule,
    clock: Clock,
    settings: Settings,
    answerer: Answerer,
    tmp_path: Path,
) -> None:
    data = tmp_path / "var"
    data.mkdir()
    store = TicketStore(data / "handoff.db")
    service = HandoffService(store, schedule, GROUP, clock)
    tuning = {**DESK_TUNING, "handoff_flush_seconds": 3600.0}  # only the start-up flush resends
    # The core's own state stays in memory: bot/store.py's SqliteStore cannot yet be used from the
    # channel's worker threads (check_same_thread). The handoff and Telegram databases are real files.
    async with running_bot(fake, handoff_core(settings, answerer, service), data / "bot.db", **tuning):
        fake.message(U1, "/human", language="uk")
        await fake.wait_for(lambda: fake.topic_named("UK") and fake.messages(U1))
        thread = fake.topic_named("UK")
        assert thread is not None
        fake.group_press(OLENA, f"adv:take:{ticket_of(service, U1)}", thread=thread)
        await fake.wait_for(lambda: len(fake.messages(U1)) == 2)
        fake.message(U1, "перше питання", language="uk")
        fake.group_message(OLENA, "перша відповідь", thread=thread)
        await fake.wait_for(lambda: len(fake.messages(U1)) == 3 and len(fake.in_topic(thread)) == 3)
        # Telegram goes away while the person writes: the message stays in the outbox
        fake.fail("sendMessage", "502", times=100, chat_id=GROUP)
        fake.message(U1, "друге питання, поки все падає", language="uk")
        await fake.wait_confirmed()
        await fake.wait_for(lambda: any(c.outcome == "502" for c in fake.calls_of("sendMessage")))
    fake.faults.clear()
    # ...and the process dies right after storing another message, before sending it
    service.relay_from_user(
        IncomingMessage("telegram", str(U1), str(U1), "третє, перед самим падінням", message_id="99999"), "uk"
    )
    store.close()

    store = TicketStore(data / "handoff.db")
    service = HandoffService(store, schedule, GROUP, clock)
    assert service.is_active(ConversationKey("telegram", str(U1)))
    async with running_bot(fake, handoff_core(settings, answerer, service), data / "bot.db", **tuning):
        await fake.wait_for(lambda: len(fake.in_topic(thread)) == 5)  # sent on start, into the same topic
        fake.message(U1, "четверте, після перезапуску", language="uk")
        fake.group_message(OLENA, "друга відповідь", thread=thread)
        await fake.wait_for(lambda: len(fake.in_topic(thread)) == 6 and len(fake.messages(U1)) == 4)
    store.close()
    topic = [m["visible_text"] for m in fake.in_topic(thread)[2:]]
    assert topic == [
        "перше питання",
        "друге питання, поки все падає",
        "третє, перед самим падінням",
        "четверте, після перезапуску",
    ]
    assert fake.texts_of(U1)[2:] == [
        "Olena (консультант):\nперша відповідь",
        "Olena (консультант):\nдруга відповідь",
    ]
    assert len(fake.calls_of("createForumTopic")) == 1
    ticket = TicketStore(data / "handoff.db").open_ticket(ConversationKey("telegram", str(U1)))
    assert ticket is not None and ticket.status == ASSIGNED and ticket.thread_id == thread
