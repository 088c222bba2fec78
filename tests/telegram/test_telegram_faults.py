"""Flood limits, network faults and blocked users: every reply arrives once, or is knowingly dropped."""

from __future__ import annotations

import time
from pathlib import Path

from tg_fake_api import FakeBotApi
from tg_harness import RecordingDialogue, running_bot

from bot.channels.telegram_state import TelegramState
from bot.messages import ConversationKey, Reply


async def test_429_is_waited_out_and_delivered_once(
    fake_api: FakeBotApi, dialogue: RecordingDialogue, db_path: Path
) -> None:
    fake_api.fail("sendMessage", "429", retry_after=1)
    async with running_bot(fake_api, dialogue, db_path):
        fake_api.message(601, "pytanie")
        started = time.monotonic()
        await fake_api.wait_for(lambda: len(fake_api.messages(601)) == 1)
        waited = time.monotonic() - started
        await fake_api.wait_confirmed()
    attempts = fake_api.calls_of("sendMessage")
    assert [c.outcome for c in attempts] == ["429", "ok"]
    assert attempts[1].at - attempts[0].at >= 0.95 and waited >= 0.95
    assert fake_api.texts(601) == ["echo: pytanie"]


async def test_429_beyond_the_rate_limiter_is_waited_out_by_the_sender(
    fake_api: FakeBotApi, db_path: Path
) -> None:
    fake_api.fail("sendMessage", "429", times=2, retry_after=0)
    core = RecordingDialogue()
    async with running_bot(fake_api, core, db_path, rate_limit_retries=0):
        fake_api.message(602, "x")
        await fake_api.wait_for(lambda: len(fake_api.messages(602)) == 1)
    assert [c.outcome for c in fake_api.calls_of("sendMessage")] == ["429", "429", "ok"]


async def test_network_errors_are_retried_with_backoff(
    fake_api: FakeBotApi, dialogue: RecordingDialogue, db_path: Path
) -> None:
    fake_api.fail("sendMessage", "drop")
    fake_api.fail("sendMessage", "500")
    fake_api.fail("sendMessage", "502")
    async with running_bot(fake_api, dialogue, db_path):
        fake_api.message(603, "gdzie jest urząd?")
        await fake_api.wait_for(lambda: len(fake_api.messages(603)) == 1)
        await fake_api.wait_confirmed()
    assert [c.outcome for c in fake_api.calls_of("sendMessage")] == ["drop", "500", "502", "ok"]
    assert fake_api.texts(603) == ["echo: gdzie jest urząd?"]


async def test_a_fault_in_the_middle_of_a_split_answer_sends_nothing_twice(
    fake_api: FakeBotApi, db_path: Path
) -> None:
    parts = [f"part {i} " + "x" * 3000 for i in range(3)]
    core = RecordingDialogue(lambda m: [Reply("\n\n".join(parts)), Reply("after")])
    fake_api.fail("sendMessage", "drop", skip=1)  # the second part is lost on the way, then fails
    fake_api.fail("sendMessage", "500")
    async with running_bot(fake_api, core, db_path):
        fake_api.message(604, "long")
        await fake_api.wait_for(lambda: len(fake_api.messages(604)) == 4)
        await fake_api.wait_confirmed()
    assert [t.split()[0] for t in fake_api.texts(604)] == ["part", "part", "part", "after"]
    assert [t[:6] for t in fake_api.texts(604)[:3]] == ["part 0", "part 1", "part 2"]
    assert [c.outcome for c in fake_api.calls_of("sendMessage")] == ["ok", "drop", "500", "ok", "ok", "ok"]


async def test_blocked_user_is_marked_and_not_retried(fake_api: FakeBotApi, db_path: Path) -> None:
    core = RecordingDialogue(lambda m: [Reply("first"), Reply("second")])
    fake_api.fail("sendMessage", "403", chat_id=605)
    async with running_bot(fake_api, core, db_path) as channel:
        fake_api.message(605, "hi")
        fake_api.message(606, "hi")
        await fake_api.wait_for(lambda: len(fake_api.messages(606)) == 2)
        await fake_api.wait_confirmed()
        assert channel.state.is_blocked("605")
    attempts = [c for c in fake_api.calls_of("sendMessage") if c.params["chat_id"] == 605]
    assert [c.outcome for c in attempts] == ["403"]  # neither retried nor followed by "second"
    state = TelegramState(db_path)
    assert state.blocked_chats() == ["605"]
    state.close()


async def test_a_blocked_user_who_writes_again_is_answered(
    fake_api: FakeBotApi, dialogue: RecordingDialogue, db_path: Path
) -> None:
    state = TelegramState(db_path)
    state.mark_blocked("607", "Forbidden: bot was blocked by the user")
    state.close()
    async with running_bot(fake_api, dialogue, db_path) as channel:
        fake_api.message(607, "I unblocked you")
        await fake_api.wait_for(lambda: len(fake_api.messages(607)) == 1)
        assert not channel.state.is_blocked("607")


async def test_html_telegram_cannot_parse_goes_out_as_plain_text(fake_api: FakeBotApi, db_path: Path) -> None:
    core = RecordingDialogue(lambda m: [Reply("<b>broken <i>markup</b>", html=True)])
    async with running_bot(fake_api, core, db_path):
        fake_api.message(608, "?")
        await fake_api.wait_for(lambda: len(fake_api.messages(608)) == 1)
    [sent] = fake_api.messages(608)
    assert sent["text"] == "broken markup" and "parse_mode" not in sent


async def test_a_failing_core_does_not_stop_the_bot(fake_api: FakeBotApi, db_path: Path) -> None:
    def answer(msg: object) -> list[Reply]:
        if getattr(msg, "text", "") == "boom":
            raise RuntimeError("core bug")
        return [Reply("fine")]

    async with running_bot(fake_api, RecordingDialogue(answer), db_path):
        fake_api.message(609, "boom")
        fake_api.message(609, "next")
        await fake_api.wait_for(lambda: fake_api.texts(609) == ["fine"])
        await fake_api.wait_confirmed()


async def test_a_group_upgraded_to_a_supergroup_gets_the_message_at_its_new_id(
    fake_api: FakeBotApi, db_path: Path
) -> None:
    core = RecordingDialogue(lambda m: [Reply("New ticket #3", to=ConversationKey("telegram", "-610"))])
    fake_api.fail("sendMessage", "migrate", chat_id=-610)
    async with running_bot(fake_api, core, db_path):
        fake_api.message(611, "/human")
        await fake_api.wait_for(lambda: len(fake_api.messages()) == 1)
    assert fake_api.texts(-1000000000610) == ["New ticket #3"]
