"""Where updates come from (long polling) and how they run: one at a time per chat, chats in parallel."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.channels.telegram_inbound import chat_key
from bot.channels.telegram_send import RetryPolicy, retry_after_seconds
from bot.channels.telegram_state import UpdateLedger

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


class ChatDispatcher:
    """Runs each chat's updates in arrival order, one at a time; different chats run concurrently."""

    def __init__(
        self, process: Callable[[Update], Awaitable[None]], ledger: UpdateLedger, max_concurrent: int = 64
    ) -> None:
        self._process = process
        self._ledger = ledger
        self._slots = asyncio.Semaphore(max_concurrent)
        self._queues: dict[str, deque[tuple[Update, asyncio.Future[None]]]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._pending: dict[int, asyncio.Future[None]] = {}

    def submit(self, update: Update) -> asyncio.Future[None] | None:
        """Queue an update behind the earlier ones of its chat; the future is done once it is handled.

        An update already in hand gives the same future; one handled before gives None.
        """
        if not self._ledger.claim(update.update_id):
            return self._pending.get(update.update_id)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending[update.update_id] = done
        key = chat_key(update)
        self._queues.setdefault(key, deque()).append((update, done))
        if key not in self._workers:
            self._workers[key] = asyncio.create_task(self._work(key), name=f"telegram-chat-{key}")
        return done

    @property
    def busy(self) -> int:
        """Chats with updates queued or running."""
        return len(self._workers)

    async def drain(self, timeout: float) -> None:
        """Wait for the queued updates to be handled; cancel what is left after `timeout` seconds."""
        workers = list(self._workers.values())
        if not workers:
            return
        _, late = await asyncio.wait(workers, timeout=timeout)
        for task in late:
            task.cancel()  # those updates stay unhandled and come again after a restart
        await asyncio.gather(*late, return_exceptions=True)

    async def _work(self, key: str) -> None:
        queue = self._queues[key]
        try:
            while queue:
                update, done = queue[0]
                try:
                    async with self._slots:
                        await self._process(update)
                except Exception:
                    log.exception("update %s failed", update.update_id)
                self._ledger.finish(update.update_id)  # handled, even when it failed: never loop on it
                queue.popleft()
                self._pending.pop(update.update_id, None)
                if not done.done():
                    done.set_result(None)
        finally:
            del self._workers[key]
            if not queue:
                del self._queues[key]


async def poll_updates(
    bot: Bot,
    dispatcher: ChatDispatcher,
    ledger: UpdateLedger,
    *,
    timeout: int = 30,
    busy_interval: float = 0.5,
    policy: RetryPolicy | None = None,
) -> None:
    """Long-poll getUpdates for ever (cancel to stop), handing new updates to the dispatcher.

    The offset is the watermark + 1, so Telegram is told an update is done only once it was handled:
    a crash loses nothing, and the ids kept in the ledger stop a restart from handling one twice.
    """
    policy = policy or RetryPolicy()
    failures = 0
    while True:
        try:
            updates = await bot.get_updates(
                offset=ledger.watermark + 1, timeout=timeout, allowed_updates=ALLOWED_UPDATES
            )
            failures = 0
        except InvalidToken:
            raise
        except RetryAfter as exc:
            await asyncio.sleep(retry_after_seconds(exc))
            continue
        except (Conflict, NetworkError, TelegramError) as exc:
            failures += 1
            delay = policy.delay(min(failures, 10))
            hint = " (another instance polling, or a webhook set?)" if isinstance(exc, Conflict) else ""
            log.warning("getUpdates failed%s: %s; again in %.1f s", hint, exc, delay)
            await asyncio.sleep(delay)
            continue
        for update in updates:
            dispatcher.submit(update)  # new ones are queued, handled ones skipped
        if not ledger.idle.is_set():
            # Asking again now would return the updates in hand at once: wait until one of them is handled
            # and only a few are left (or a little while), then ask again, which also fetches anything new.
            # Waiting for all of them held new messages back by up to busy_interval under steady load.
            # asyncio.timeout, not wait_for: in 3.11 wait_for can swallow the cancel that stops polling.
            ledger.progress.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(busy_interval):
                    await ledger.progress.wait()
