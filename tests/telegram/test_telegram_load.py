"""Fifty conversations at once: each gets its own answers, in order, and chats run in parallel."""

from __future__ import annotations

from pathlib import Path

from tg_fake_api import FakeBotApi
from tg_harness import RecordingDialogue, running_bot

from bot.messages import IncomingMessage, Reply

CHATS = 50
MESSAGES = 3


def numbered(msg: IncomingMessage) -> list[Reply]:
    return [Reply(f"{msg.chat_id}/{msg.text}")]


async def test_fifty_conversations_at_once(fake_api: FakeBotApi, db_path: Path) -> None:
    core = RecordingDialogue(numbered, delay=0.01)
    async with running_bot(fake_api, core, db_path, messages_per_second=1000, busy_poll_interval=0.2):
        for n in range(MESSAGES):  # interleaved, as Telegram would deliver them
            for chat in range(1000, 1000 + CHATS):
                fake_api.message(chat, str(n))
        await fake_api.wait_for(lambda: len(fake_api.messages()) == CHATS * MESSAGES, timeout=30)
        await fake_api.wait_confirmed()
    assert not core.overlaps, "a chat was handled twice at the same time"
    assert core.max_parallel > 1, "chats were not handled in parallel"
    for chat in range(1000, 1000 + CHATS):
        expected = [f"{chat}/{n}" for n in range(MESSAGES)]
        assert fake_api.texts(chat) == expected
        assert core.texts(str(chat)) == [str(n) for n in range(MESSAGES)]
