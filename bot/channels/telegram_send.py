"""Sending to Telegram: flood waits and network faults retried, blocked chats marked, "typing…" shown."""

from __future__ import annotations

import asyncio
import logging
import random
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TypeVar

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.channels.telegram_render import OutgoingMessage, render_reply, strip_html
from bot.channels.telegram_state import TelegramState
from bot.messages import Reply

log = logging.getLogger(__name__)

CHANNEL = "telegram"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one Bot API call: attempts in all, and the backoff between network failures."""

    attempts: int = 6
    backoff: float = 0.5
    max_backoff: float = 30.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after the `attempt`-th failure: exponential, with jitter."""
        base = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return base * (0.5 + random.random() / 2)


def retry_after_seconds(exc: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds (PTB gives an int or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def call_with_retries(make: Callable[[], Awaitable[T]], policy: RetryPolicy, what: str) -> T:
    """Run one Bot API call: wait out 429s, retry network errors and 5xx with backoff, raise the rest.

    Each retry repeats only this call, so replies already delivered are never sent again.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return await make()
        except RetryAfter as exc:
            if attempt >= policy.attempts:
                raise
            delay = retry_after_seconds(exc)
            log.warning("%s: flood limit, waiting %.1f s as Telegram asked", what, delay)
        except BadRequest:
            raise  # a NetworkError subclass in PTB, but repeating it cannot help
        except NetworkError as exc:  # TimedOut, connection errors, 5xx
            if attempt >= policy.attempts:
                raise
            delay = policy.delay(attempt)
            log.warning("%s: %s; retry %d in %.2f s", what, exc, attempt, delay)
        await asyncio.sleep(delay)


class Sender:
    """Delivers the core's replies to Telegram, one message at a time and in order."""

    def __init__(
        self, bot: Bot, state: TelegramState, policy: RetryPolicy | None = None, typing_interval: float = 4.5
    ) -> None:
        self.bot = bot
        self.state = state
        self.policy = policy or RetryPolicy()
        self.typing_interval = typing_interval

    async def deliver(self, replies: list[Reply], chat_id: str, thread_id: int | None = None) -> int:
        """Send the replies in order (to the sender's chat unless a reply names another); count sent."""
        sent = 0
        for reply in replies:
            if reply.to is not None and reply.to.channel != CHANNEL:
                log.error("reply for %s cannot go out through Telegram; dropped", reply.to)
                continue
            target, thread = (reply.to.chat_id, None) if reply.to else (chat_id, thread_id)
            for message in render_reply(reply, target, thread):
                if not await self.send(message):
                    break  # the rest of this reply would make no sense alone
                sent += 1
        return sent

    async def send(self, message: OutgoingMessage, *, migrated: bool = False) -> bool:
        """Send one message; False when it cannot be delivered (blocked chat, rejected, gave up)."""
        if self.state.is_blocked(message.chat_id):
            log.info("chat %s blocked the bot; message skipped", message.chat_id)
            return False
        try:
            await call_with_retries(
                lambda: self._send_message(message, html=True),
                self.policy,
                f"sendMessage to {message.chat_id}",
            )
            return True
        except Forbidden as exc:
            log.info("chat %s refuses messages (%s); marked blocked", message.chat_id, exc)
            self.state.mark_blocked(message.chat_id, str(exc))
        except ChatMigrated as exc:
            if not migrated:
                return await self.send(replace(message, chat_id=str(exc.new_chat_id)), migrated=True)
            log.error("chat %s migrated twice; message dropped", message.chat_id)
        except BadRequest as exc:
            if "parse entities" in str(exc).lower():
                log.error("Telegram could not parse the HTML (%s); sending as plain text", exc)
                return await self._send_plain(message)
            log.error("Telegram rejected a message to %s: %s", message.chat_id, exc)
        except TelegramError as exc:
            log.error("gave up sending to %s: %s", message.chat_id, exc)
        return False

    async def _send_plain(self, message: OutgoingMessage) -> bool:
        """The fallback for HTML Telegram cannot parse: the same words without markup."""
        try:
            await call_with_retries(
                lambda: self._send_message(message, html=False),
                self.policy,
                f"sendMessage (plain) to {message.chat_id}",
            )
            return True
        except TelegramError as exc:
            log.error("gave up sending to %s: %s", message.chat_id, exc)
            return False

    async def _send_message(self, message: OutgoingMessage, *, html: bool) -> object:
        return await self.bot.send_message(
            chat_id=message.chat_id,
            text=message.text if html else strip_html(message.text),
            parse_mode=ParseMode.HTML if html else None,
            reply_markup=message.keyboard,
            link_preview_options=NO_PREVIEW,
            message_thread_id=message.thread_id,
        )

    async def answer_callback(self, query_id: str) -> None:
        """Stop the spinner on a pressed button; best effort (an old query cannot be answered)."""
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as exc:
            log.debug("answerCallbackQuery failed: %s", exc)

    @asynccontextmanager
    async def typing(self, chat_id: str, thread_id: int | None = None) -> AsyncIterator[None]:
        """Show "typing…" in the chat while the block runs, renewed before Telegram lets it lapse."""
        first = asyncio.create_task(self._typing_once(chat_id, thread_id))
        renew = asyncio.create_task(self._keep_typing(chat_id, thread_id))
        try:
            yield
        finally:
            renew.cancel()
            await asyncio.wait({first}, timeout=1.0)  # let it land before the answer does
            first.cancel()
            await asyncio.gather(first, renew, return_exceptions=True)

    async def _keep_typing(self, chat_id: str, thread_id: int | None) -> None:
        while True:
            await asyncio.sleep(self.typing_interval)
            await self._typing_once(chat_id, thread_id)

    async def _typing_once(self, chat_id: str, thread_id: int | None) -> None:
        try:
            await self.bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)
        except TelegramError as exc:
            log.debug("sendChatAction failed for %s: %s", chat_id, exc)
