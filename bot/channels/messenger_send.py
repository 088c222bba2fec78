"""Replies to people on Messenger, within Meta's messaging windows; replies for other channels handed on."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.channels.messenger_api import GraphApi, SendResult, SendStatus
from bot.channels.messenger_events import CHANNEL
from bot.channels.messenger_render import render_replies
from bot.channels.messenger_state import MessengerState
from bot.messages import Reply

log = logging.getLogger(__name__)

ForeignReplyHandler = Callable[[Reply], Awaitable[None]]


def window_closed_note(last_message: datetime | None, now: datetime, human_agent: bool) -> str:
    """Why Messenger does not allow a message now, in words for the advisor."""
    if last_message is None:
        return ("Not sent: this person has not written to the page in the last 7 days, and Messenger "
                "lets a page answer only within 7 days of their last message.")
    days = (now - last_message).total_seconds() / 86400
    if human_agent:
        return (f"Not sent: this person last wrote {days:.1f} days ago; Messenger lets an advisor answer "
                "only within 7 days. They will get replies again once they write to the page.")
    return (f"Not sent: this person last wrote {days * 24:.0f} hours ago; automatic messages are allowed "
            "only within 24 hours.")


class MessengerSender:
    """Sends the core's replies to people on Messenger; usable by the webhook channel and by the handoff."""

    def __init__(self, api: GraphApi, state: MessengerState,
                 on_foreign_reply: ForeignReplyHandler | None = None) -> None:
        self.api = api
        self.state = state
        self.on_foreign_reply = on_foreign_reply

    async def deliver(self, psid: str, replies: list[Reply], *,
                      human_agent: bool = False) -> list[SendResult]:
        """Send replies (to `psid`, unless a reply names another Messenger user); hand on the rest."""
        batches: dict[str, list[Reply]] = {}
        for reply in replies:
            if reply.to is not None and reply.to.channel != CHANNEL:
                await self._hand_on(reply)
            else:
                batches.setdefault(reply.to.chat_id if reply.to else psid, []).append(reply)
        results: list[SendResult] = []
        for target, batch in batches.items():
            results.extend(await self.send(target, batch, human_agent=human_agent))
        return results

    async def send(self, psid: str, replies: list[Reply], *, human_agent: bool = False) -> list[SendResult]:
        """Send replies to one person in order; stops at the first message that cannot go out."""
        messaging = await asyncio.to_thread(self.state.messaging, psid, human_agent=human_agent)
        if messaging is None:
            last = await asyncio.to_thread(self.state.last_message, psid)
            note = window_closed_note(last, self.state.clock(), human_agent)
            log.warning("message to %s not sent: outside Messenger's messaging window", psid)
            return [SendResult(SendStatus.WINDOW_CLOSED, detail=note)]
        results: list[SendResult] = []
        for message in render_replies(replies):
            result = await self.api.send_message(psid, message, messaging)
            results.append(result)
            if not result.ok:
                break  # the parts after a lost one would make no sense alone
        return results

    async def send_from_advisor(self, psid: str, replies: list[Reply]) -> SendResult:
        """Send an advisor's words: RESPONSE within 24 h, HUMAN_AGENT tag up to 7 days, else refused.

        The result says what happened; when not `ok`, its `detail` is meant for the advisor.
        """
        results = await self.send(psid, replies, human_agent=True)
        failed = next((r for r in results if not r.ok), None)
        if failed is not None:
            if failed.status is SendStatus.USER_UNAVAILABLE:
                return SendResult(failed.status, detail="Not sent: this person cannot be reached on "
                                                        "Messenger any more (blocked the page or left).")
            return failed
        return results[-1] if results else SendResult(SendStatus.SENT)

    async def _hand_on(self, reply: Reply) -> None:
        if self.on_foreign_reply is None:
            log.error("reply for %s cannot go out through Messenger and nobody takes it; dropped", reply.to)
            return
        try:
            await self.on_foreign_reply(reply)
        except Exception:  # noqa: BLE001 - another channel's trouble must not stop this person's answer
            log.exception("handing a reply on to %s failed", reply.to)
