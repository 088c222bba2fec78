"""Sending: Meta's errors (rate limit, person unavailable, 5xx), the 24-hour and 7-day windows, handing on."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fb_fake_graph import FakeGraphApi
from fb_harness import RecordingDialogue, live_channel, notification, text_event

from bot.channels.messenger_api import GraphApi, RetryPolicy, SendStatus
from bot.channels.messenger_send import MessengerSender
from bot.channels.messenger_state import HUMAN_AGENT, RESPONSE, MessengerState, messaging_for
from bot.messages import Button, ConversationKey, Reply

FAST = RetryPolicy(attempts=4, backoff=0.01, max_backoff=0.05)
T0 = datetime(2025, 10, 24, 9, 30, tzinfo=UTC)


class Clock:
    """A settable clock for the state."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def sender(fake_graph: FakeGraphApi) -> AsyncIterator[tuple[MessengerSender, Clock]]:
    """A sender against the fake Graph API, its state on a settable clock."""
    clock = Clock(T0)
    state = MessengerState(None, clock=clock)
    api = GraphApi(fake_graph.token, fake_graph.url, policy=FAST)
    try:
        yield MessengerSender(api, state), clock
    finally:
        await api.aclose()
        state.close()


@pytest.mark.parametrize("kind", ["rate_limit", "too_many", "server"])
async def test_rate_limits_and_server_errors_are_retried(fake_graph: FakeGraphApi,
                                                         dialogue: RecordingDialogue, kind: str) -> None:
    fake_graph.fail(kind, times=2, psid="8001")
    async with live_channel(fake_graph, dialogue) as live:
        await live.post(notification(text_event("8001", "hi")))
        await fake_graph.wait_for(lambda: len(fake_graph.sent("8001")) == 1)
    assert [c.status for c in fake_graph.sends("8001")] == [*([429] if kind == "too_many" else
                                                            [500] if kind == "server" else [400]) * 2, 200]


async def test_giving_up_after_the_last_attempt(fake_graph: FakeGraphApi, dialogue: RecordingDialogue,
                                                caplog: pytest.LogCaptureFixture) -> None:
    fake_graph.fail("rate_limit", times=10, psid="8002")
    async with live_channel(fake_graph, dialogue) as live:
        await live.post(notification(text_event("8002", "hi")))
        await fake_graph.wait_for(lambda: len(fake_graph.sends("8002")) == 4)
        await live.idle()
        await live.post(notification(text_event("8003", "others still get answers")))
        await fake_graph.wait_for(lambda: len(fake_graph.sent("8003")) == 1)
    assert "still rate limited after 4 attempts" in caplog.text


async def test_person_unavailable_is_logged_not_retried(fake_graph: FakeGraphApi,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    two_replies = RecordingDialogue(lambda msg: [Reply("first"), Reply("second")])
    fake_graph.fail("unavailable", psid="8004")
    async with live_channel(fake_graph, two_replies) as live:
        await live.post(notification(text_event("8004", "hi")))
        await live.idle()
        await live.post(notification(text_event("8004", "back again")))
        await fake_graph.wait_for(lambda: len(fake_graph.sent("8004")) == 2)
    assert [c.status for c in fake_graph.sends("8004")] == [400, 200, 200]  # "second" was not tried
    assert "not available on Messenger" in caplog.text and "not retried" in caplog.text


async def test_long_answer_goes_out_in_parts_with_buttons_on_the_last(fake_graph: FakeGraphApi) -> None:
    long = "\n\n".join(f"Абзац {i}." + " Дуже довга відповідь про документи." * 15 for i in range(12))
    core = RecordingDialogue(lambda msg: [Reply(long, [[Button("👍", "fb:up:x"), Button("👎", "fb:down:x")]])])
    async with live_channel(fake_graph, core) as live:
        await live.post(notification(text_event("8005", "tell me everything")))
        await live.idle()
    texts = fake_graph.texts("8005")
    assert len(texts) >= 3 and all(len(t) <= 2000 for t in texts)
    assert "\n\n".join(texts) == long
    bodies = fake_graph.sent("8005")
    assert [("quick_replies" in b["message"]) for b in bodies] == [False] * (len(bodies) - 1) + [True]


async def test_replies_for_advisors_are_handed_on_not_sent(fake_graph: FakeGraphApi) -> None:
    advisors = ConversationKey("telegram", "-1001234567890")
    core = RecordingDialogue(lambda msg: [Reply("An advisor will answer soon."),
                                          Reply("New Messenger chat", to=advisors)])
    handed: list[Reply] = []

    async def on_foreign_reply(reply: Reply) -> None:
        handed.append(reply)

    async with live_channel(fake_graph, core, on_foreign_reply=on_foreign_reply) as live:
        await live.post(notification(text_event("8006", "/human")))
        await live.idle()
    assert fake_graph.texts("8006") == ["An advisor will answer soon."]
    assert [r.to for r in handed] == [advisors]
    assert len(fake_graph.sends()) == 1


def test_messaging_windows() -> None:
    assert messaging_for(None, T0, human_agent=True) is None
    assert messaging_for(T0, T0 + timedelta(hours=23), human_agent=False) == RESPONSE
    assert messaging_for(T0, T0 + timedelta(hours=25), human_agent=False) is None
    assert messaging_for(T0, T0 + timedelta(hours=25), human_agent=True) == HUMAN_AGENT
    assert messaging_for(T0, T0 + timedelta(days=6, hours=23), human_agent=True) == HUMAN_AGENT
    assert messaging_for(T0, T0 + timedelta(days=7), human_agent=True) is None
    assert HUMAN_AGENT.fields() == {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}


async def test_advisor_reply_within_a_day_then_tagged_then_refused(
        fake_graph: FakeGraphApi, sender: tuple[MessengerSender, Clock]) -> None:
    send, clock = sender
    assert send.state.accept("m_1", "8007", T0)
    clock.now = T0 + timedelta(hours=2)
    assert (await send.send_from_advisor("8007", [Reply("Dzień dobry, tu konsultant.")])).ok
    clock.now = T0 + timedelta(days=3)
    assert (await send.send_from_advisor("8007", [Reply("Czy sprawa jest aktualna?")])).ok
    clock.now = T0 + timedelta(days=8)
    late = await send.send_from_advisor("8007", [Reply("Halo?")])
    bodies = fake_graph.sent("8007")
    assert [(b["messaging_type"], b.get("tag")) for b in bodies] == [("RESPONSE", None),
                                                                    ("MESSAGE_TAG", "HUMAN_AGENT")]
    assert late.status is SendStatus.WINDOW_CLOSED and not late.ok
    assert "7 days" in late.detail and "8.0 days ago" in late.detail
    assert len(fake_graph.sends("8007")) == 2  # the refused one never reached Meta


async def test_bot_messages_are_not_tagged_after_a_day(fake_graph: FakeGraphApi,
                                                       sender: tuple[MessengerSender, Clock]) -> None:
    send, clock = sender
    send.state.accept("m_2", "8008", T0)
    clock.now = T0 + timedelta(hours=30)
    results = await send.deliver("8008", [Reply("automatic reminder")])
    assert [r.status for r in results] == [SendStatus.WINDOW_CLOSED]
    assert fake_graph.sends("8008") == []


async def test_advisor_reply_to_someone_unknown_or_gone(fake_graph: FakeGraphApi,
                                                        sender: tuple[MessengerSender, Clock]) -> None:
    send, clock = sender
    unknown = await send.send_from_advisor("8009", [Reply("hello")])
    assert unknown.status is SendStatus.WINDOW_CLOSED and "7 days" in unknown.detail
    send.state.accept("m_3", "8010", T0)
    fake_graph.fail("unavailable", psid="8010")
    gone = await send.send_from_advisor("8010", [Reply("hello")])
    assert gone.status is SendStatus.USER_UNAVAILABLE and "cannot be reached" in gone.detail
    fake_graph.fail("window", psid="8010")
    late = await send.send_from_advisor("8010", [Reply("hello")])
    assert late.status is SendStatus.WINDOW_CLOSED


def test_state_keeps_ids_and_times_seven_days(tmp_path: Path) -> None:
    clock = Clock(T0)
    state = MessengerState(tmp_path / "m.db", clock=clock)
    try:
        assert state.accept("m_a", "1", T0) and not state.accept("m_a", "1", T0)
        state.accept("m_b", "1", T0 - timedelta(hours=1))  # an older event arriving late
        assert state.last_message("1") == T0
        clock.now = T0 + timedelta(days=8)
        assert state.purge() == 3
        assert state.last_message("1") is None and state.accept("m_a", "1", clock.now)
    finally:
        state.close()


async def test_network_failure_is_a_result_not_a_crash() -> None:
    api = GraphApi("token", "http://127.0.0.1:9/v21.0", policy=RetryPolicy(attempts=2, backoff=0.01))
    try:
        result = await api.send_message("1", {"text": "hi"}, RESPONSE)
    finally:
        await api.aclose()
    assert result.status is SendStatus.FAILED and "network" in result.detail
