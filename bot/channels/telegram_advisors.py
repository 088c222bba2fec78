"""The advisors' side on Telegram: a forum supergroup with a topic per ticket, buttons and commands.

Updates from the advisors' chat come here instead of the dialogue core: buttons ("adv:take:<ticket>",
"adv:close:…", "adv:return:…"), commands (/close, /return, /transfer <advisor|lang> in a ticket's
topic; /queue, /stats anywhere) and what advisors write in a topic, which goes to the person. Every
reply of the handoff passes through `deliver`: topics are created on demand (createForumTopic, the
thread id stored on the ticket), people on Messenger are reached through the Messenger sender, and
each outbox message is marked sent only after Telegram (or Meta) accepted it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import replace
from typing import Any, Protocol

from telegram import Bot, Update
from telegram.error import BadRequest, TelegramError

from bot.channels.messenger_api import SendStatus
from bot.channels.telegram_inbound import thread_of
from bot.channels.telegram_render import render_reply
from bot.channels.telegram_send import RetryPolicy, Sender, call_with_retries
from bot.messages import IncomingMessage, Reply
from bot.texts import text
from handoff.service import HandoffService

log = logging.getLogger(__name__)

ACTIONS = ("take", "close", "return")
TOPIC_COMMANDS = ("/take", "/close", "/return", "/transfer")
GROUP_COMMANDS = ("/queue", "/stats")


class SendResultLike(Protocol):
    """What the Messenger sender reports (bot.channels.messenger_api.SendResult)."""

    @property
    def status(self) -> Any:
        """How the call ended (a SendStatus)."""
        ...

    @property
    def detail(self) -> str:
        """Why it was not sent, in words for the advisor."""
        ...

    @property
    def ok(self) -> bool:
        """True if Meta accepted the message."""
        ...


class MessengerAdvisorSender(Protocol):
    """The way to people on Messenger (bot.channels.messenger.build_sender)."""

    async def send_from_advisor(self, psid: str, replies: list[Reply]) -> SendResultLike:
        """Send an advisor's words within Messenger's windows."""
        ...


class AdvisorsDesk:
    """The advisors' forum group: updates from it in, every handoff reply out."""

    def __init__(
        self,
        service: HandoffService,
        bot: Bot,
        sender: Sender,
        chat_id: str,
        policy: RetryPolicy,
        *,
        messenger: MessengerAdvisorSender | None = None,
        tick_seconds: float = 30.0,
        flush_seconds: float = 2.0,
    ) -> None:
        self.service = service
        self.bot = bot
        self.sender = sender
        self.chat_id = str(chat_id)
        self.policy = policy
        self.messenger = messenger
        self.tick_seconds = tick_seconds
        self.flush_seconds = flush_seconds

    # ----- updates from the advisors' group ----------------------------------------------------------------

    async def on_update(self, update: Update, msg: IncomingMessage) -> None:
        """A button, a command or a message in the advisors' group -> the service's action -> replies."""
        user = update.effective_user
        if user is None:
            return
        thread = thread_of(update)
        replies = await asyncio.to_thread(self._act, update, msg, user.id, thread)
        await self.deliver(replies, self.chat_id, thread)

    def _act(self, update: Update, msg: IncomingMessage, actor: int, thread: int | None) -> list[Reply]:
        svc = self.service
        if msg.payload is not None:
            kind, _, rest = msg.payload.partition(":")
            action, _, number = rest.partition(":")
            if kind != "adv" or action not in ACTIONS or not number.isdigit():
                return []
            ticket = svc.store.ticket(int(number))
            if ticket is not None and thread is not None and ticket.thread_id not in (None, thread):
                log.warning("button for ticket #%s pressed in another topic (%s); ignored", number, thread)
                return []
            return {"take": svc.take, "close": svc.close, "return": svc.return_to_bot}[action](
                int(number), actor
            )
        command, _, arg = msg.text.strip().partition(" ")
        command = command.lower()
        if command == "/queue":
            return svc.queue_summary(actor, thread)
        if command == "/stats":
            return svc.stats(actor, thread)
        ticket = svc.ticket_by_thread(thread) if thread is not None else None
        if ticket is None:
            return []  # the advisors talking among themselves in General or another topic
        if command in TOPIC_COMMANDS:
            if command == "/transfer":
                return svc.transfer(ticket.id, actor, arg)
            return {"/take": svc.take, "/close": svc.close, "/return": svc.return_to_bot}[command](
                ticket.id, actor
            )
        message = update.effective_message
        copy_id = message.message_id if message is not None and msg.attachments else None
        return svc.advisor_message(
            ticket.id,
            actor,
            msg.text.strip(),
            copy_message_id=copy_id,
            attachments=msg.attachments,
            source=f"adv:{self.chat_id}:{msg.message_id}",
        )

    # ----- sending ----------------------------------------------------------------------------------------

    async def deliver(self, replies: list[Reply], chat_id: str, thread_id: int | None = None) -> None:
        """Send replies in order: to the chat they answer, the advisors' topics, people on either channel."""
        for reply in replies:
            try:
                outcome = await self._deliver_one(reply, chat_id, thread_id)
            except Exception as exc:  # noqa: BLE001 - one failed reply must not stop the others
                log.exception("handoff reply could not be sent")
                outcome = f"error: {exc}"
            await self._settle(reply, outcome)

    async def _settle(self, reply: Reply, outcome: bool | str | None) -> None:
        """Record what became of an outbox reply: sent, held for later, or failed (reported when given up)."""
        if "outbox" not in reply.meta:
            return
        if outcome is True:
            await asyncio.to_thread(self.service.delivered, reply)
        elif outcome is None:
            await asyncio.to_thread(self.service.release, reply)
        else:
            detail = outcome if isinstance(outcome, str) else "not accepted"
            final = detail.startswith("final: ")
            if (
                await asyncio.to_thread(self.service.failed, reply, detail, final)
                and reply.to != self.service.group
            ):
                await self._tell_topic(
                    reply,
                    text(self.service.alang, "advisors.not_delivered", detail=detail.removeprefix("final: ")),
                )

    async def _deliver_one(self, reply: Reply, chat_id: str, thread_id: int | None) -> bool | str | None:
        """True when sent, None when it must wait (its topic is not open yet), else why it failed."""
        to = reply.to
        if "close_topic" in reply.meta or "delete_topic" in reply.meta:
            return await self._topic_operation(reply)
        if to is None or (to.channel == "telegram" and to.chat_id != self.chat_id):
            if to is None and chat_id == self.chat_id:
                return await self._to_group(reply, thread_id)
            target, thread = (to.chat_id, None) if to is not None else (chat_id, thread_id)
            return await self._to_telegram_person(reply, target, thread)
        if to.channel == "telegram":
            return await self._to_group(reply, None)
        if to.channel == "messenger":
            return await self._to_messenger(reply, to.chat_id)
        log.error("handoff reply for %s: no way to send it from Telegram", to)
        return "final: unknown channel"

    async def _to_group(self, reply: Reply, thread_id: int | None) -> bool | str | None:
        meta = reply.meta
        ticket = meta.get("ticket")
        if "open_topic" in meta and ticket is not None:
            thread = await asyncio.to_thread(self.service.thread_of, int(ticket))
            if thread is None:
                try:
                    topic = await call_with_retries(
                        lambda: self.bot.create_forum_topic(self.chat_id, str(meta["open_topic"])),
                        self.policy,
                        "createForumTopic",
                    )
                except BadRequest as exc:  # tried again later, with a growing pause
                    log.error(
                        "cannot open a topic in the advisors' group (%s): turn Topics on in the group "
                        "and make the bot an admin allowed to manage topics",
                        exc,
                    )
                    return f"createForumTopic: {exc}"
                thread = topic.message_thread_id
                await asyncio.to_thread(self.service.set_thread, int(ticket), thread)
        else:
            thread = meta.get("thread_id", thread_id)
            if thread is None and ticket is not None:
                thread = await asyncio.to_thread(self.service.thread_of, int(ticket))
                if thread is None:
                    return None  # its topic is opened when a duty window starts
        copy = meta.get("copy_from")
        if copy:
            return await self._copy(self.chat_id, copy, thread, caption=None)
        return await self._send(reply, self.chat_id, thread)

    async def _to_telegram_person(self, reply: Reply, chat_id: str, thread: int | None) -> bool | str:
        copy = reply.meta.get("copy_from")
        if copy:
            return await self._copy(chat_id, copy, None, caption=reply.text or None)
        return await self._send(reply, chat_id, thread)

    async def _to_messenger(self, reply: Reply, psid: str) -> bool | str:
        if self.messenger is None:
            return "final: " + text(self.service.alang, "advisors.no_messenger")
        if reply.meta.get("copy_from"):
            await self._tell_topic(reply, text(self.service.alang, "advisors.messenger_text_only"))
        result = await self.messenger.send_from_advisor(psid, [replace(reply, to=None, meta={})])
        if result.ok:
            return True
        final = result.status in (SendStatus.WINDOW_CLOSED, SendStatus.USER_UNAVAILABLE)
        return ("final: " if final else "") + (result.detail or str(result.status))

    async def _send(self, reply: Reply, chat_id: str, thread: int | None) -> bool | str:
        messages = render_reply(reply, chat_id, thread)
        for message in messages:
            if not await self.sender.send(replace(message, thread_id=thread)):
                return "Telegram did not accept the message"
        return True

    async def _copy(
        self, chat_id: str, source: dict[str, Any], thread: int | None, caption: str | None
    ) -> bool | str:
        """Forward a photo, voice message or document as a copy (no "forwarded from" header)."""
        try:
            await call_with_retries(
                lambda: self.bot.copy_message(
                    chat_id,
                    source["chat_id"],
                    int(source["message_id"]),
                    caption=caption,
                    message_thread_id=thread,
                ),
                self.policy,
                f"copyMessage to {chat_id}",
            )
            return True
        except BadRequest as exc:
            return f"final: {exc}"  # e.g. the original was deleted: repeating cannot help
        except TelegramError as exc:
            return str(exc)

    async def _topic_operation(self, reply: Reply) -> bool | str:
        """Close a ticket's topic, or delete it with everything in it (after /forget)."""
        thread = reply.meta.get("close_topic") or reply.meta.get("delete_topic")
        if thread is None:
            return True  # the ticket never had a topic
        delete = "delete_topic" in reply.meta
        call = self.bot.delete_forum_topic if delete else self.bot.close_forum_topic
        try:
            await call_with_retries(
                lambda: call(self.chat_id, int(thread)),
                self.policy,
                "deleteForumTopic" if delete else "closeForumTopic",
            )
        except BadRequest as exc:  # already closed or gone: nothing left to do
            log.info("topic %s: %s", thread, exc)
        except TelegramError as exc:
            return str(exc)
        return True

    async def _tell_topic(self, reply: Reply, note: str) -> None:
        """Best effort: a word to the advisors in the ticket's topic (e.g. why a message did not go out)."""
        ticket = reply.meta.get("ticket")
        thread = await asyncio.to_thread(self.service.thread_of, int(ticket)) if ticket is not None else None
        await self._send(Reply(note), self.chat_id, thread)

    # ----- the periodic part -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Send what is left in the outbox from before a restart (or written by the Messenger process)."""
        await asyncio.to_thread(self.service.warm_up)
        await self.flush(everything=True)

    async def flush(self, everything: bool = False) -> None:
        """Send the unsent outbox messages nobody is sending now (those due for a retry, or all)."""
        replies = await asyncio.to_thread(self.service.pending, everything)
        if replies:
            log.info("handoff: sending %d message(s) left in the outbox", len(replies))
            await self.deliver(replies, self.chat_id)

    async def tick(self) -> None:
        """Reminders, duty-window starts and tickets waiting for them (see HandoffService.tick)."""
        await self.deliver(await asyncio.to_thread(self.service.tick), self.chat_id)

    async def run(self, stop: asyncio.Event) -> None:
        """Flush the outbox every few seconds and tick every `tick_seconds`, until `stop` is set."""
        last_tick = time.monotonic()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.flush_seconds):
                    await stop.wait()
            if stop.is_set():
                break
            try:
                await self.flush()
                if time.monotonic() - last_tick >= self.tick_seconds:
                    last_tick = time.monotonic()
                    await self.tick()
            except Exception:  # noqa: BLE001 - the next round tries again
                log.exception("handoff: periodic work failed")
