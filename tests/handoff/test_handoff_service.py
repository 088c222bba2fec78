"""HandoffService without a network: fixed clocks, a temporary database, the Replies it returns."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from hf_common import ANNA, GROUP, NEXT_WINDOW, OFF_DUTY, OLENA, STRANGER, Clock

from bot.messages import ConversationKey, IncomingMessage, Reply
from bot.texts import LOCALES_DIR, text
from handoff.errors import HandoffError
from handoff.schedule import DutySchedule, format_next_duty
from handoff.service import HandoffService
from handoff.tickets import CLOSED, WAITING, TicketStore

GROUP_KEY = ConversationKey("telegram", str(GROUP))


def msg(
    chat: str,
    body: str = "",
    *,
    channel: str = "telegram",
    payload: str | None = None,
    mid: str = "",
    attachments: tuple[str, ...] = (),
) -> IncomingMessage:
    """What a person did, as the core passes it on."""
    return IncomingMessage(
        channel, chat, chat, body, payload=payload, attachments=attachments, message_id=mid
    )


def to_group(replies: list[Reply]) -> list[Reply]:
    """The replies for the advisors' group."""
    return [r for r in replies if r.to == GROUP_KEY]


def to_person(replies: list[Reply], chat: str | None = None) -> list[Reply]:
    """The replies for the person (as an answer, or addressed to them)."""
    return [
        r for r in replies if r.to is None or (r.to != GROUP_KEY and (chat is None or r.to.chat_id == chat))
    ]


def sent(service: HandoffService, replies: list[Reply], thread: int | None = None) -> list[Reply]:
    """Play the channel: open topics (thread ids from 100 on), mark everything sent."""
    for reply in replies:
        if "open_topic" in reply.meta and thread is not None:
            service.set_thread(reply.meta["ticket"], thread)
        service.delivered(reply)
    return replies


def open_ticket(service: HandoffService, chat: str = "501", lang: str = "uk", thread: int = 100) -> int:
    """A person asks for an advisor on duty; the topic opens; returns the ticket id."""
    replies = sent(service, service.request(msg(chat, "/human"), lang, "asked"), thread)
    return int(replies[0].meta["ticket"])


def test_on_duty_request_opens_a_topic_and_gives_the_place_in_the_queue(service: HandoffService) -> None:
    replies = service.request(msg("501", "/human"), "uk", "asked")
    person, card = to_person(replies), to_group(replies)
    assert [r.text for r in person] == [text("uk", "handoff.queued", position=1)]
    assert person[0].buttons[0][0].payload == "hoff:cancel"
    assert len(card) == 1 and card[0].meta["open_topic"].startswith("UK · asked · 0 min")
    assert 'href="tg://user?id=111"' in card[0].text  # Olena speaks Ukrainian and is on duty
    assert "tg://user?id=222" not in card[0].text
    assert [b.payload for row in card[0].buttons for b in row] == [
        "adv:take:1",
        "adv:close:1",
        "adv:return:1",
    ]
    assert service.is_active(ConversationKey("telegram", "501"))
    assert not service.is_active(ConversationKey("telegram", "502"))


def test_queue_position_counts_the_same_language_and_urgent_ones_first(
    service: HandoffService, clock: Clock
) -> None:
    positions = []
    for chat in ("1", "2", "3"):
        positions.append(to_person(service.request(msg(chat, "/human"), "uk", "asked"))[0].text)
        clock.advance(seconds=5)
    assert positions == [text("uk", "handoff.queued", position=n) for n in (1, 2, 3)]
    polish = to_person(service.request(msg("4", "/human"), "pl", "asked"))[0].text
    assert polish == text("pl", "handoff.queued", position=1)
    urgent = service.request(msg("5", "Мене б'ють, допоможіть"), "uk", "emergency", priority=True)
    assert to_person(urgent)[0].text == text("uk", "handoff.queued", position=1)
    assert to_group(urgent)[0].meta["open_topic"].startswith("‼️ UK · emergency")
    again = to_person(service.request(msg("3", "/human"), "uk", "asked"))[0].text
    assert again == text("uk", "handoff.queued_again", position=4)


def test_off_duty_request_names_the_next_window_and_keeps_the_message(
    service: HandoffService, clock: Clock
) -> None:
    clock.set(OFF_DUTY)
    replies = service.request(msg("501", "/human"), "uk", "asked")
    assert to_group(replies) == []  # nobody is woken up at night
    when = format_next_duty(NEXT_WINDOW, "uk")
    assert "понеділок, 16 березня, о 9:00" in when
    assert [r.text for r in replies] == [text("uk", "handoff.off_duty", lang_name="українською", when=when)]
    assert [b.payload for b in replies[0].buttons[0]] == [
        "hoff:contact:here",
        "hoff:contact:phone",
        "hoff:contact:email",
    ]
    assert service.is_active(ConversationKey("telegram", "501"))
    left = service.relay_from_user(msg("501", "Мені відмовили в карті побуту", mid="7"), "uk")
    assert [r.text for r in to_person(left)] == [text("uk", "handoff.left_saved", when=when)]
    more = service.relay_from_user(msg("501", "", mid="8", attachments=("photo",)), "uk")
    assert [r.text for r in to_person(more)] == [text("uk", "handoff.left_more")]
    for reply in to_group(left + more):
        service.release(reply)  # the channel cannot send them: the topic does not exist yet
    assert service.pending() == []  # held until the duty window opens


def test_take_relay_both_ways_and_close_with_a_rating(service: HandoffService, clock: Clock) -> None:
    ticket = open_ticket(service)
    person = ConversationKey("telegram", "501")
    took = service.take(ticket, OLENA)
    assert [r.text for r in to_person(took)] == [text("uk", "handoff.taken", name="Olena")]
    assert to_person(took)[0].to == person and "outbox" in took[0].meta
    assert "Olena took the chat" in to_group(took)[0].text and to_group(took)[0].meta["thread_id"] == 100
    sent(service, took)

    up = service.relay_from_user(msg("501", "Мій PESEL 85010112345, що робити?", mid="11"), "uk")
    assert [(r.text, r.meta["thread_id"]) for r in up] == [("Мій PESEL 85010112345, що робити?", 100)]
    photo = service.relay_from_user(msg("501", "ось лист", mid="12", attachments=("photo",)), "uk")
    assert photo[0].meta["copy_from"] == {"chat_id": "501", "message_id": 12}
    down = service.advisor_message(ticket, OLENA, "Добрий день! Покажіть рішення.")
    assert [r.text for r in down] == ["Olena (консультант):\nДобрий день! Покажіть рішення."]
    assert down[0].to == person
    sent(service, up + photo + down)
    lines = [line for _, _, line in service.store.transcript(ticket, 10)]
    assert "Мій PESEL [PESEL], що робити?" in lines  # the stored transcript hides identifiers

    clock.advance(minutes=12)
    closed = service.close(ticket, OLENA)
    note = to_person(closed)
    assert [r.text for r in note] == [text("uk", "handoff.closed")]
    assert [b.payload for b in note[0].buttons[0]] == [f"rate:{n}" for n in range(1, 6)]
    assert any(r.meta.get("close_topic") == 100 for r in closed)
    assert not service.is_active(person)  # the bot answers again
    assert service.relay_from_user(msg("501", "ще питання", mid="13"), "uk") == []

    rated = service.on_payload(msg("501", payload="rate:4"), "uk")
    assert rated is not None and rated[0].text == text("uk", "handoff.rated")
    assert "rated the help 4/5" in to_group(rated)[0].text
    assert service.store.ticket(ticket).rating == 4  # type: ignore[union-attr]
    assert service.on_payload(msg("501", payload="faq:pesel"), "uk") is None  # not the handoff's button
    stats = service.stats(ANNA)[0].text
    assert "4.0/5 (1)" in stats and "Handled today: 1" in stats


def test_an_advisor_staying_after_the_window_keeps_the_chat(service: HandoffService, clock: Clock) -> None:
    ticket = open_ticket(service)
    sent(service, service.take(ticket, OLENA))
    clock.set(clock.now.replace(hour=17, minute=30))  # the window ended at 17:00
    relayed = service.relay_from_user(msg("501", "ще одне питання", mid="40"), "uk")
    assert [r.to for r in relayed] == [GROUP_KEY]  # to the advisor, no "saved for the next duty" note
    assert len(service.advisor_message(ticket, OLENA, "Відповідаю")) == 1


def test_return_to_bot(service: HandoffService) -> None:
    ticket = open_ticket(service)
    sent(service, service.take(ticket, OLENA))
    back = service.return_to_bot(ticket, OLENA)
    assert [r.text for r in to_person(back)] == [text("uk", "handoff.returned")]
    assert to_person(back)[0].buttons == []
    assert service.store.ticket(ticket).outcome == "returned"  # type: ignore[union-attr]
    assert not service.is_active(ConversationKey("telegram", "501"))


def test_transfer_to_another_advisor_and_to_another_language(service: HandoffService) -> None:
    ticket = open_ticket(service, lang="pl")
    sent(service, service.take(ticket, ANNA))
    moved = service.transfer(ticket, ANNA, "olena")
    assert [r.text for r in to_person(moved)] == [text("pl", "handoff.transferred_advisor", name="Olena")]
    assert "tg://user?id=111" in to_group(moved)[0].text
    assert service.store.ticket(ticket).advisor == "olena"  # type: ignore[union-attr]
    assert service.advisor_message(ticket, ANNA, "still me?") == []  # Anna no longer writes to the person
    sent(service, moved)
    to_uk = service.transfer(ticket, OLENA, "UK")
    assert [r.text for r in to_person(to_uk)] == [
        text("pl", "handoff.transferred_language", lang_name="po ukraińsku")
    ]
    after = service.store.ticket(ticket)
    assert after is not None and (after.status, after.route_lang, after.advisor) == (WAITING, "uk", None)
    unknown = service.transfer(ticket, OLENA, "klingon")
    assert unknown[0].to == GROUP_KEY and "klingon" in unknown[0].text and "outbox" not in unknown[0].meta


def test_an_unlisted_member_is_ignored_and_logged(
    service: HandoffService, caplog: pytest.LogCaptureFixture
) -> None:
    ticket = open_ticket(service)
    with caplog.at_level(logging.WARNING, logger="handoff"):
        assert service.take(ticket, STRANGER) == []
        assert service.close(ticket, STRANGER) == []
        assert service.advisor_message(ticket, STRANGER, "hello") == []
        assert service.queue_summary(STRANGER) == [] and service.stats(STRANGER) == []
    assert service.store.ticket(ticket).status == WAITING  # type: ignore[union-attr]
    assert sum("not an advisor" in r.message for r in caplog.records) == 5


def test_only_the_advisor_who_took_it_writes_to_the_person(service: HandoffService) -> None:
    ticket = open_ticket(service)
    hint = service.advisor_message(ticket, OLENA, "hello")
    assert hint[0].to == GROUP_KEY and "Take first" in hint[0].text and hint[0].meta == {"thread_id": 100}
    sent(service, service.take(ticket, OLENA))
    assert service.advisor_message(ticket, ANNA, "a colleague's remark") == []
    assert service.take(ticket, ANNA)[0].text == "Olena has already taken this chat."


def test_nobody_takes_it_the_advisors_are_reminded_and_the_person_told(
    service: HandoffService, clock: Clock
) -> None:
    open_ticket(service)
    clock.advance(minutes=9)
    assert service.tick() == []
    clock.advance(minutes=1)
    first = service.tick()
    assert (
        "has been waiting 10 min" in to_group(first)[0].text and "tg://user?id=111" in to_group(first)[0].text
    )
    assert [r.text for r in to_person(first)] == [text("uk", "handoff.not_taken_yet")]
    assert to_person(first)[0].buttons[0][0].payload == "hoff:cancel"
    sent(service, first)
    clock.advance(minutes=5)
    assert service.tick() == []
    clock.advance(minutes=5)
    second = service.tick()
    assert len(to_group(second)) == 1 and to_person(second) == []  # the person is told once


def test_the_start_of_a_duty_window_posts_what_waited(service: HandoffService, clock: Clock) -> None:
    clock.set(OFF_DUTY)
    service.request(msg("501", "/human"), "uk", "asked")
    left = service.relay_from_user(msg("501", "Потрібна допомога з карткою", mid="5"), "uk")
    for reply in to_group(left):
        service.release(reply)
    service.request(msg("502", "/human"), "pl", "asked")
    service.request(msg("503", "/human"), "en", "asked")
    clock.set(NEXT_WINDOW - timedelta(minutes=1))
    assert service.tick() == []
    clock.set(NEXT_WINDOW + timedelta(seconds=30))
    posted = service.tick()
    notes = [r.text for r in posted if "open_topic" not in r.meta]
    cards = [r.meta["open_topic"] for r in posted if "open_topic" in r.meta]
    assert any(
        n.startswith("🕘 Duty for UK has started. Waiting: 1 (#1") and "tg://user?id=111" in n for n in notes
    )
    assert any(n.startswith("🕘 Duty for PL has started") and "tg://user?id=222" in n for n in notes)
    assert [c.split(" · ")[0] for c in cards] == ["UK", "PL"]  # English waits for Tuesday 14:00
    assert cards[0].startswith("UK · asked · 1 d 11 h")
    sent(service, posted, thread=200)
    assert [r.text for r in service.pending()] == ["Потрібна допомога з карткою"]  # the left message, now
    clock.advance(minutes=1)
    assert to_group(service.tick()) == []  # announced once per window


def test_forget_erases_tickets_and_tells_the_group(service: HandoffService) -> None:
    ticket = open_ticket(service)
    sent(service, service.take(ticket, OLENA))
    sent(service, service.relay_from_user(msg("501", "мій номер 600 700 800", mid="3"), "uk"))
    unsent = service.relay_from_user(msg("501", "ще одне", mid="4"), "uk")
    notes = service.forget(ConversationKey("telegram", "501"))
    assert [r.meta.get("delete_topic") for r in notes] == [100, None]
    assert "asked to delete their data" in notes[1].text and notes[1].to == GROUP_KEY
    assert not service.is_active(ConversationKey("telegram", "501"))
    assert service.store.transcript(ticket) == []
    row = service.store.ticket(ticket)
    assert row is not None and (row.chat_id, row.status, row.outcome) == ("", CLOSED, "forgotten")
    service.release(unsent[0])
    assert all(r.meta.get("outbox") != unsent[0].meta["outbox"] for r in service.pending())
    texts = [r[0] for r in service.store.db.execute("SELECT text FROM handoff_outbox WHERE conv IS NULL")]
    assert "ще одне" not in texts and "мій номер 600 700 800" not in texts


def test_the_outbox_survives_a_restart(tmp_path: Path, schedule: DutySchedule, clock: Clock) -> None:
    store = TicketStore(tmp_path / "restart.db")
    first = HandoffService(store, schedule, GROUP, clock)
    replies = first.request(msg("501", "/human"), "uk", "asked")  # the process dies before sending
    store.close()
    store = TicketStore(tmp_path / "restart.db")
    second = HandoffService(store, schedule, GROUP, clock)
    again = second.pending(everything=True)
    assert [r.meta["outbox"] for r in again] == [r.meta["outbox"] for r in to_group(replies)]
    assert second.pending(everything=True) == []  # being sent: not handed out twice
    second.failed(again[0], "network down")
    assert second.pending() == []  # backing off
    clock.advance(seconds=6)
    retry = second.pending()
    assert [r.meta["outbox"] for r in retry] == [again[0].meta["outbox"]]
    sent(second, retry, thread=100)
    assert second.pending(everything=True) == []
    store.close()


def test_a_message_delivered_twice_is_relayed_once(service: HandoffService) -> None:
    ticket = open_ticket(service)
    sent(service, service.take(ticket, OLENA))
    assert len(service.relay_from_user(msg("501", "раз", mid="77"), "uk")) == 1
    assert service.relay_from_user(msg("501", "раз", mid="77"), "uk") == []
    assert len(service.advisor_message(ticket, OLENA, "ok", source="adv:1")) == 1
    assert service.advisor_message(ticket, OLENA, "ok", source="adv:1") == []


def test_back_to_the_bot_while_waiting(service: HandoffService, clock: Clock) -> None:
    open_ticket(service)
    cancelled = service.on_payload(msg("501", payload="hoff:cancel"), "uk")
    assert cancelled is not None and cancelled[0].text == text("uk", "handoff.cancelled")
    assert "withdrew" in to_group(cancelled)[0].text
    assert not service.is_active(ConversationKey("telegram", "501"))
    clock.set(OFF_DUTY)
    service.request(msg("502", "/human"), "ru", "asked")
    service.relay_from_user(msg("502", "оставляю сообщение", mid="1"), "ru")
    paused = service.on_payload(msg("502", payload="hoff:cancel"), "ru")
    assert paused is not None and paused[0].text == text("ru", "handoff.paused")
    key = ConversationKey("telegram", "502")
    assert not service.is_active(key) and service.store.open_ticket(key) is not None  # it still waits
    contact = service.on_payload(msg("502", payload="hoff:contact:phone"), "ru")
    assert contact is not None and contact[0].text == text("ru", "handoff.contact_phone")
    assert service.is_active(key)  # the number they write next goes to the advisor
    assert service.store.open_ticket(key).contact == "phone"  # type: ignore[union-attr]


def test_an_emergency_at_night_is_posted_at_once(service: HandoffService, clock: Clock) -> None:
    clock.set(OFF_DUTY)
    replies = service.request(msg("501", "Чоловік погрожує мені"), "uk", "emergency", priority=True)
    card = to_group(replies)
    assert len(card) == 1 and "Nobody is on duty for UK now." in card[0].text and "URGENT" in card[0].text
    assert "Чоловік погрожує мені" in card[0].text
    assert to_person(replies)[0].text.startswith(
        text("uk", "handoff.off_duty", lang_name="українською", when="")[:40]
    )


def test_messenger_people_are_labelled(service: HandoffService) -> None:
    replies = service.request(msg("PSID1", "/human", channel="messenger"), "ru", "asked")
    assert " · Messenger · " in to_group(replies)[0].meta["open_topic"]
    assert "Messenger · writes in RU" in to_group(replies)[0].text


def test_a_naive_clock_is_refused(tmp_path: Path, schedule: DutySchedule) -> None:
    from datetime import datetime

    service = HandoffService(TicketStore(), schedule, GROUP, lambda: datetime(2026, 3, 10, 10))  # noqa: DTZ001
    with pytest.raises(HandoffError):
        service.request(msg("1", "/human"), "uk", "asked")


def test_every_language_has_every_handoff_text() -> None:
    def keys(node: dict, prefix: str = "") -> set[str]:
        return {
            k2
            for k, v in node.items()
            for k2 in (keys(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}"})
        }

    english = keys(yaml.safe_load((LOCALES_DIR / "en.yaml").read_text(encoding="utf-8"))["handoff"])
    for lang in ("uk", "ru", "pl"):
        data = yaml.safe_load((LOCALES_DIR / f"{lang}.yaml").read_text(encoding="utf-8"))
        assert keys(data["handoff"]) == english, lang


def test_the_handoff_does_not_import_a_channel_library() -> None:
    code = (
        "import sys, handoff.service, handoff.tickets, handoff.reports; "
        "assert 'telegram' not in sys.modules and 'starlette' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
