"""Restarts: no update handled twice, none lost."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from tg_fake_api import FakeBotApi
from tg_harness import RecordingDialogue, running_bot

from bot.channels.telegram_state import TelegramState, UpdateLedger
from bot.messages import IncomingMessage, Reply


async def test_restart_does_not_handle_updates_again(
    fake_api: FakeBotApi, dialogue: RecordingDialogue, db_path: Path
) -> None:
    async with running_bot(fake_api, dialogue, db_path):
        for text in ("one", "two", "three"):
            fake_api.message(701, text)
        await fake_api.wait_for(lambda: len(fake_api.messages(701)) == 3)
    fake_api.message(701, "four")
    async with running_bot(fake_api, dialogue, db_path):
        await fake_api.wait_for(lambda: len(fake_api.messages(701)) == 4)
        await fake_api.wait_confirmed()
    assert dialogue.texts("701") == ["one", "two", "three", "four"]
    assert fake_api.texts(701) == ["echo: one", "echo: two", "echo: three", "echo: four"]


async def test_updates_handled_but_not_yet_confirmed_are_skipped(
    fake_api: FakeBotApi, dialogue: RecordingDialogue, db_path: Path
) -> None:
    """A crash after handling 'b' while 'a' was still in hand: Telegram sends both again."""
    first = fake_api.message(702, "a")
    second = fake_api.message(703, "b")
    ledger = UpdateLedger(TelegramState(db_path))
    ledger.claim(first)
    ledger.claim(second)
    ledger.finish(second)
    async with running_bot(fake_api, dialogue, db_path):
        await fake_api.wait_for(lambda: len(fake_api.messages()) == 1)
        await fake_api.wait_confirmed()
    assert dialogue.texts() == ["a"]


async def test_updates_in_hand_at_shutdown_come_back_after_restart(
    fake_api: FakeBotApi, db_path: Path
) -> None:
    release = threading.Event()

    def slow_first(msg: IncomingMessage) -> list[Reply]:
        if msg.text == "stuck" and not release.is_set():
            release.wait(5)
        return [Reply(f"echo: {msg.text}")]

    core = RecordingDialogue(slow_first)
    try:
        async with running_bot(fake_api, core, db_path, drain_timeout=0.1):
            fake_api.message(704, "stuck")
            await fake_api.wait_for(lambda: core.texts() == ["stuck"])
        assert fake_api.updates, "the update in hand must not be confirmed to Telegram"
    finally:
        release.set()
    await asyncio.sleep(0.05)  # the worker thread finishes its (abandoned) call
    async with running_bot(fake_api, core, db_path):
        await fake_api.wait_for(lambda: "echo: stuck" in fake_api.texts(704))
        await fake_api.wait_confirmed()
    assert core.texts() == ["stuck", "stuck"]
