"""Test helpers for the Telegram channel: a stand-in core and a bot running against the fake server."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tg_fake_api import FakeBotApi

from bot.channels.telegram import TelegramChannel, TelegramConfig
from bot.channels.telegram_send import RetryPolicy
from bot.messages import Button, IncomingMessage, Reply


class RecordingDialogue:
    """A stand-in for the dialogue core: records each message and answers through `answer`."""

    def __init__(
        self, answer: Callable[[IncomingMessage], list[Reply]] | None = None, delay: float = 0.0
    ) -> None:
        self.answer = answer or scripted_answer
        self.delay = delay
        self.seen: list[IncomingMessage] = []
        self.overlaps: list[str] = []  # chats handled twice at the same time (must stay empty)
        self.max_parallel = 0
        self._active: set[str] = set()
        self._lock = threading.Lock()

    def handle(self, msg: IncomingMessage) -> list[Reply]:
        """Record, check that this chat is not being handled already, answer."""
        with self._lock:
            if msg.chat_id in self._active:
                self.overlaps.append(msg.chat_id)
            self._active.add(msg.chat_id)
            self.seen.append(msg)
            self.max_parallel = max(self.max_parallel, len(self._active))
        try:
            if self.delay:
                time.sleep(self.delay)
            return self.answer(msg)
        finally:
            with self._lock:
                self._active.discard(msg.chat_id)

    def texts(self, chat_id: str | None = None) -> list[str]:
        """What the core was given as text (in one chat)."""
        return [m.text for m in self.seen if chat_id is None or m.chat_id == chat_id]


def scripted_answer(msg: IncomingMessage) -> list[Reply]:
    """A tiny imitation of the core, enough to exercise every kind of reply."""
    if msg.text == "/start":
        return [
            Reply(
                "Привіт! Я допоможу з питаннями про життя в Польщі.",
                buttons=[
                    [
                        Button("Українська", "lang:uk"),
                        Button("Русский", "lang:ru"),
                        Button("Polski", "lang:pl"),
                        Button("English", "lang:en"),
                    ]
                ],
            )
        ]
    if msg.payload:
        return [Reply(f"pressed {msg.payload}")]
    if msg.attachments:
        return [Reply(f"I read text only ({', '.join(msg.attachments)})")]
    return [Reply(f"echo: {msg.text}")]


def make_config(fake: FakeBotApi, db_path: Path, **tuning: Any) -> TelegramConfig:
    """A config pointing at the fake server, with short timeouts and no flood throttling."""
    values: dict[str, Any] = dict(
        token=fake.token,
        base_url=fake.base_url,
        db_path=db_path,
        poll_timeout=1,
        busy_poll_interval=0.05,
        messages_per_second=0,
        group_messages_per_minute=0,
        typing_interval=0.5,
        drain_timeout=5,
        retry=RetryPolicy(attempts=4, backoff=0.02, max_backoff=0.1),
    )
    values.update(tuning)
    return TelegramConfig(**values)


@asynccontextmanager
async def running_bot(
    fake: FakeBotApi, dialogue: Any, db_path: Path, **tuning: Any
) -> AsyncIterator[TelegramChannel]:
    """A started channel receiving updates in the background; stopped and closed on exit."""
    channel = TelegramChannel(make_config(fake, db_path, **tuning), dialogue)
    stop = asyncio.Event()
    await channel.start()
    runner = asyncio.create_task(channel.run(stop))
    try:
        yield channel
    finally:
        stop.set()
        try:
            await asyncio.wait_for(runner, 10)
        finally:
            await channel.close()
