"""The handoff's shared plumbing: settings of the service, the outbox hand-over and small helpers.

Every message the service causes for the advisors' group, or for a person on an advisor's behalf, is
written to the outbox in the transaction that changes the ticket, and returned as a Reply with
meta["outbox"]; the channel that sends it calls `delivered` (or `failed`). `pending` gives back what is
unsent, after a crash or from another process (the Messenger webhook writes here, the Telegram process
sends).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.messages import LANGS, Button, ConversationKey, IncomingMessage, Reply
from bot.redact import redact
from bot.texts import text
from handoff.errors import HandoffError
from handoff.schedule import Advisor, DutySchedule, advisors_on_duty, is_on_duty, next_duty_start
from handoff.tickets import PERSON, TOPIC, WAITING, OutboxItem, Ticket, TicketStore
from handoff.wording import card, mentions, ticket_buttons, topic_title

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
History = Callable[[ConversationKey], list[str]]
CONTACTS = ("here", "phone", "email")


class HandoffBase:
    """State and helpers shared by the port (HandoffService) and the advisors' actions."""

    def __init__(
        self,
        store: TicketStore,
        schedule: DutySchedule,
        advisors_chat_id: int | str,
        clock: Clock,
        *,
        reminder_after: timedelta = timedelta(minutes=10),
        history: History | None = None,
        advisors_lang: str = "en",
        retention: timedelta | None = timedelta(days=90),
    ) -> None:
        self.store = store
        self.schedule = schedule
        self.group = ConversationKey("telegram", str(advisors_chat_id))
        self.clock = clock
        self.reminder_after = reminder_after
        self.history = history
        self.alang = advisors_lang
        self.retention = retention
        self._in_flight: set[int] = set()
        self._lock = store.lock  # one lock: claims happen inside the transaction that wrote them

    def warm_up(self) -> None:
        """Work out the duty calendar before anyone asks (the holidays package is slow the first time)."""
        now = self._now()
        for lang in LANGS:
            next_duty_start(now, self.schedule, lang)

    # ----- the outbox, for the channel that sends -----------------------------------------------------------

    def pending(self, everything: bool = False) -> list[Reply]:
        """Unsent messages not being sent and due (all of them with `everything`, as on start).

        Topic openings come first, then the rest in order; messages for a topic not yet opened are held.
        """
        with self._lock:
            due = self.store.unsent(None if everything else self._now())
            items = [i for i in due if i.id not in self._in_flight]
            tickets = {i.ticket_id: self.store.ticket(i.ticket_id) for i in items if i.ticket_id is not None}
            opening = [i for i in items if i.kind == "open_topic"]
            rest = [i for i in items if i.kind != "open_topic" and not self._held(i, tickets)]
            chosen = opening + rest
            self._in_flight.update(i.id for i in chosen)
        return [self._reply(i, tickets.get(i.ticket_id) if i.ticket_id is not None else None) for i in chosen]

    @staticmethod
    def _held(item: OutboxItem, tickets: dict[int, Ticket | None]) -> bool:
        """Not to be sent now: for a topic not opened yet (waiting for a duty window), or for nobody."""
        ticket = tickets.get(item.ticket_id) if item.ticket_id is not None else None
        if item.target == PERSON:
            return ticket is None or not ticket.chat_id  # erased: it must never go anywhere else
        if item.target != TOPIC or item.ticket_id is None:
            return False
        return ticket is None or ticket.posted_at is None

    def delivered(self, reply: Reply) -> None:
        """The channel sent this reply."""
        item_id = reply.meta.get("outbox")
        if item_id is not None:
            with self._lock:
                self.store.mark_sent(int(item_id), self._now())
                self._in_flight.discard(int(item_id))

    def failed(self, reply: Reply, detail: str = "", give_up: bool = False) -> bool:
        """The channel could not send it (it will be tried again later); True when given up."""
        item_id = reply.meta.get("outbox")
        if item_id is None:
            return True
        gave_up = self.store.mark_attempt(int(item_id), self._now(), detail, give_up)
        if gave_up and reply.meta.get("open_topic") and reply.meta.get("ticket") is not None:
            self.store.update_ticket(int(reply.meta["ticket"]), posted_at=None)  # posted again by tick
        self.release(reply)
        return gave_up

    def release(self, reply: Reply) -> None:
        """Not sent now and not a failure (its topic does not exist yet): leave it for a later `pending`."""
        item_id = reply.meta.get("outbox")
        if item_id is not None:
            with self._lock:
                self._in_flight.discard(int(item_id))

    async def hand_on(self, reply: Reply) -> None:
        """For the Messenger process (`on_foreign_reply`): the reply waits in the outbox for Telegram."""
        self.release(reply)

    def set_thread(self, ticket_id: int, thread_id: int) -> None:
        """Remember the forum topic opened for a ticket."""
        self.store.update_ticket(ticket_id, thread_id=thread_id)

    def thread_of(self, ticket_id: int) -> int | None:
        """The forum topic of a ticket, once opened."""
        ticket = self.store.ticket(ticket_id)
        return ticket.thread_id if ticket else None

    def ticket_by_thread(self, thread_id: int) -> Ticket | None:
        """The ticket a forum topic belongs to."""
        return self.store.by_thread(thread_id)

    # ----- helpers ----------------------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise HandoffError("the handoff clock must give timezone-aware times")
        return now

    def _ticket(self, ticket_id: int) -> Ticket:
        ticket = self.store.ticket(ticket_id)
        if ticket is None:
            raise HandoffError(f"ticket #{ticket_id} does not exist")
        return ticket

    def _serving(self, lang: str, now: datetime) -> bool:
        """On duty for `lang`; a language without any window in sight goes to whoever is on duty."""
        if is_on_duty(now, self.schedule, lang):
            return True
        return next_duty_start(now, self.schedule, lang) is None and any(
            is_on_duty(now, self.schedule, other) for other in LANGS
        )

    def _note_person(self, ticket: Ticket, msg: IncomingMessage, now: datetime) -> None:
        body = msg.text.strip()
        if body.startswith("/") and not msg.attachments:
            return
        shown = redact(body)[:1000] + (f" [{', '.join(msg.attachments)}]" if msg.attachments else "")
        if shown and shown not in [t for _, _, t in self.store.transcript(ticket.id, 1)]:
            self.store.add_message(ticket.id, now, "person", shown.strip())

    def _open_topic(self, ticket: Ticket, now: datetime) -> OutboxItem:
        on_duty = self._on_duty(ticket.route_lang, now)
        body = card(ticket, now, self.alang, on_duty, self.store.transcript(ticket.id, 20))
        self.store.update_ticket(ticket.id, posted_at=now)
        return self.store.add_outbox(
            now,
            TOPIC,
            "open_topic",
            ticket=ticket,
            text=body,
            html=True,
            buttons=ticket_buttons(ticket.id, self.alang),
        )

    def _topic(self, ticket: Ticket, now: datetime, body: str = "", kind: str = "text") -> OutboxItem:
        return self.store.add_outbox(now, TOPIC, kind, ticket=ticket, text=body, html=True)

    def _person(
        self,
        ticket: Ticket,
        now: datetime,
        body: str,
        buttons: list[list[Button]] | None = None,
        kind: str = "text",
        **extra: Any,
    ) -> OutboxItem:
        return self.store.add_outbox(now, PERSON, kind, ticket=ticket, text=body, buttons=buttons, **extra)

    def _on_duty(self, lang: str, now: datetime) -> list[Advisor]:
        return [self.schedule.advisors[k] for k in advisors_on_duty(now, self.schedule, lang)]

    def _mentions(self, lang: str, now: datetime) -> str:
        return mentions(self._on_duty(lang, now))

    def _position(self, ticket: Ticket) -> int:
        queue = sorted(
            (t for t in self.store.tickets((WAITING,)) if t.route_lang == ticket.route_lang),
            key=lambda t: (not t.priority, t.created_at, t.id),
        )
        return next((n for n, t in enumerate(queue, 1) if t.id == ticket.id), len(queue) + 1)

    def _back_button(self, lang: str) -> Button:
        return Button(text(lang, "handoff.button.back_to_bot"), "hoff:cancel")

    def _contact_buttons(self, lang: str) -> list[Button]:
        return [
            Button(text(lang, f"handoff.button.contact_{how}"), f"hoff:contact:{how}") for how in CONTACTS
        ]

    def _claim(self, items: list[OutboxItem]) -> list[Reply]:
        """Replies for new outbox messages, marked as being sent by whoever gets them.

        Call it inside the transaction that wrote them, so that `pending` never sees them unclaimed.
        """
        with self._lock:
            self._in_flight.update(i.id for i in items)
        return [
            self._reply(i, self.store.ticket(i.ticket_id) if i.ticket_id is not None else None) for i in items
        ]

    def _reply(self, item: OutboxItem, ticket: Ticket | None) -> Reply:
        meta: dict[str, Any] = {"outbox": item.id, "handoff": True}
        if item.ticket_id is not None:
            meta["ticket"] = item.ticket_id
        if item.copy_message is not None:
            meta["copy_from"] = {"chat_id": item.copy_chat, "message_id": item.copy_message}
        if item.kind in ("close_topic", "delete_topic"):
            meta[item.kind] = item.thread_id or (ticket.thread_id if ticket else None)
        if item.target == PERSON and ticket is not None:
            return Reply(item.text, item.buttons, to=ticket.key, html=item.html, meta=meta)
        thread = item.thread_id or (ticket.thread_id if ticket and item.target == TOPIC else None)
        if thread is not None and item.kind not in ("close_topic", "delete_topic"):
            meta["thread_id"] = thread
        if item.kind == "open_topic" and ticket is not None:
            meta["open_topic"] = topic_title(ticket, ticket.posted_at or self._now(), self.alang)
        return Reply(item.text, item.buttons, to=self.group, html=item.html, meta=meta)
