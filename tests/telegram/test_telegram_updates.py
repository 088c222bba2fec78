"""The update loop: per-chat order, chats in parallel, and a poller that stops when told."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from telegram import Bot, Update

from bot.channels.telegram_state import TelegramState, UpdateLedger
from bot.channels.telegram_updates import ChatDispatcher, poll_updates


def make_update(update_id: int, chat_id: int) -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "U"},
                "text": f"m{update_id}",
            },
        },
        None,
    )


async def test_dispatcher_keeps_each_chat_in_order_and_runs_chats_together() -> None:
    ledger = UpdateLedger(TelegramState())
    log: list[tuple[str, int, str]] = []
    running: set[int] = set()
    overlap: list[int] = []

    async def process(update: Update) -> None:
        assert update.effective_chat is not None and update.message is not None
        chat = update.effective_chat.id
        overlap.extend([chat] if chat in running else [])
        running.add(chat)
        log.append(("start", chat, update.message.text or ""))
        await asyncio.sleep(0.01 if update.update_id % 2 else 0.002)
        running.discard(chat)

    dispatcher = ChatDispatcher(process, ledger)
    futures = [dispatcher.submit(make_update(i, 100 + i % 3)) for i in range(1, 31)]
    assert dispatcher.submit(make_update(1, 101)) is futures[0]  # the same update again, still in hand
    await asyncio.gather(*[f for f in futures if f is not None])
    assert not overlap
    for chat in (100, 101, 102):
        texts = [t for _, c, t in log if c == chat]
        assert texts == [f"m{i}" for i in range(1, 31) if 100 + i % 3 == chat]
    assert ledger.watermark == 30
    assert dispatcher.submit(make_update(5, 102)) is None  # handled before
    assert dispatcher.busy == 0


async def test_a_failing_update_is_logged_and_not_retried_for_ever() -> None:
    ledger = UpdateLedger(TelegramState())

    async def process(update: Update) -> None:
        raise RuntimeError("core crashed")

    dispatcher = ChatDispatcher(process, ledger)
    done = dispatcher.submit(make_update(1, 5))
    assert done is not None
    await done
    assert ledger.watermark == 1


class StubBot:
    """Answers getUpdates with a fixed list."""

    def __init__(self, updates: list[Update]) -> None:
        self.updates = updates
        self.offsets: list[int] = []

    async def get_updates(self, offset: int, **kwargs: Any) -> list[Update]:
        self.offsets.append(offset)
        await asyncio.sleep(0)
        return [u for u in self.updates if u.update_id >= offset]


class StubDispatcher:
    """Claims what it is given, handles nothing."""

    def __init__(self, ledger: UpdateLedger) -> None:
        self.ledger = ledger

    def submit(self, update: Update) -> None:
        self.ledger.claim(update.update_id)


def as_bot(stub: StubBot) -> Bot:
    return cast(Bot, stub)


def as_dispatcher(stub: StubDispatcher) -> ChatDispatcher:
    return cast(ChatDispatcher, stub)


async def test_stopping_while_an_update_finishes_does_not_hang() -> None:
    """Regression: asyncio.wait_for in 3.11 swallowed the cancel when the wait ended in the same tick."""
    ledger = UpdateLedger(TelegramState())
    bot = StubBot([make_update(1, 5)])
    poller = asyncio.create_task(
        poll_updates(as_bot(bot), as_dispatcher(StubDispatcher(ledger)), ledger, timeout=1, busy_interval=5)
    )
    for _ in range(20):
        await asyncio.sleep(0)  # the poller fetched update 1 and now waits for it to be handled
    ledger.finish(1)
    await asyncio.sleep(0)
    poller.cancel()
    done, _ = await asyncio.wait({poller}, timeout=2)
    assert done and poller.cancelled()
    assert bot.offsets[0] == 1


async def test_poller_asks_from_the_watermark() -> None:
    ledger = UpdateLedger(TelegramState())
    bot = StubBot([make_update(7, 5), make_update(8, 6)])
    poller = asyncio.create_task(
        poll_updates(
            as_bot(bot), as_dispatcher(StubDispatcher(ledger)), ledger, timeout=1, busy_interval=0.01
        )
    )
    await asyncio.sleep(0.05)
    ledger.finish(8)
    await asyncio.sleep(0.05)
    assert max(bot.offsets) == 7  # 7 still in hand: not confirmed yet
    ledger.finish(7)
    await asyncio.sleep(0.05)
    poller.cancel()
    await asyncio.gather(poller, return_exceptions=True)
    assert bot.offsets[-1] == 9
