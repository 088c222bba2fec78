"""HandoffService: the core's HandoffPort over tickets, the duty schedule and the outbox.

The port (request, is_active, relay_from_user, forget), the handoff's buttons (`on_payload`) and the
periodic duties (`tick`) live here; the advisors' actions in handoff.advisors, the outbox hand-over to
the sending channel in handoff.base.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.messages import LANGS, ConversationKey, IncomingMessage, Reply
from bot.redact import redact
from bot.texts import text
from handoff.advisors import AdvisorActions
from handoff.base import CONTACTS, Clock, History
from handoff.errors import HandoffError
from handoff.schedule import current_window_end, format_next_duty, is_on_duty, load_schedule, next_duty_start
from handoff.tickets import ASSIGNED, GROUP, TOPIC, WAITING, OutboxItem, Ticket, TicketStore, iso
from handoff.wording import duration, note

log = logging.getLogger(__name__)


class HandoffService(AdvisorActions):
    """Tickets for people who asked for an advisor, and the relay between them and the advisors' group."""

    @classmethod
    def from_settings(
        cls, settings: Any, clock: Clock, history: History | None = None, path: Path | str | None = None
    ) -> HandoffService:
        """A service on `data_dir/handoff.db` with the settings' schedule; HandoffError if it cannot work."""
        if settings.duty_schedule is None or settings.advisors_chat_id is None:
            raise HandoffError("handoff needs both duty_schedule (a file) and ADVISORS_CHAT_ID")
        store = TicketStore(path if path is not None else settings.handoff_database_path)
        return cls(
            store,
            load_schedule(settings.duty_schedule),
            settings.advisors_chat_id,
            clock,
            reminder_after=timedelta(minutes=settings.handoff_reminder_minutes),
            history=history,
            advisors_lang=settings.advisors_language,
            retention=timedelta(days=settings.retention_days),
        )

    # ----- the port -----------------------------------------------------------------------------------------

    def is_active(self, key: ConversationKey) -> bool:
        """An advisor has the chat, or the person waits for one: the bot stays quiet."""
        ticket = self.store.open_ticket(key)
        return ticket is not None and (ticket.status == ASSIGNED or not ticket.paused)

    def request(self, msg: IncomingMessage, lang: str, reason: str, priority: bool = False) -> list[Reply]:
        """Open (or join) the conversation's ticket; what to tell the person, and the advisors' topic."""
        now, lang = self._now(), lang if lang in LANGS else "en"
        items: list[OutboxItem] = []
        with self.store.transaction():
            ticket = self.store.open_ticket(msg.key)
            if ticket is None:
                ticket = self.store.add_ticket(
                    channel=msg.channel,
                    chat_id=msg.chat_id,
                    user_id=msg.user_id,
                    lang=lang,
                    route_lang=lang,
                    reason=reason,
                    priority=priority,
                    status=WAITING,
                    created_at=now,
                )
                for line in self.history(msg.key) if self.history else []:
                    self.store.add_message(ticket.id, now, "context", redact(line)[:1000])
                self._note_person(ticket, msg, now)
                if priority or self._serving(ticket.route_lang, now):  # an emergency is shown at once
                    items.append(self._open_topic(ticket, now))
            else:
                if ticket.paused or (priority and not ticket.priority):
                    self.store.update_ticket(ticket.id, paused=False, priority=ticket.priority or priority)
                    if priority and not ticket.priority and ticket.posted_at:
                        items.append(self._topic(ticket, now, note("person_urgent", self.alang)))
                self._note_person(ticket, msg, now)
            ticket = self._ticket(ticket.id)
            person = self._status_reply(ticket, now)
            return [person, *self._claim(items)]

    def relay_from_user(self, msg: IncomingMessage, lang: str) -> list[Reply]:
        """What the person sent goes to the ticket's topic; off duty it is kept there until a window opens."""
        now = self._now()
        source = f"{msg.key}:{msg.message_id}" if msg.message_id else None
        body = msg.text.strip()
        with self.store.transaction():
            ticket = self.store.open_ticket(msg.key)
            if ticket is None or (source and self.store.has_source(source)):
                return []  # no ticket any more, or a redelivered message relayed before
            if body.split(maxsplit=1)[:1] == ["/human"]:
                return [self._status_reply(ticket, now)]
            self._note_person(ticket, msg, now)
            if msg.attachments and msg.channel == "telegram" and msg.message_id.isdigit():
                item = self.store.add_outbox(
                    now,
                    TOPIC,
                    "copy",
                    ticket=ticket,
                    text=body,
                    source=source,
                    copy_chat=msg.chat_id,
                    copy_message=int(msg.message_id),
                )
            else:
                shown = body + (f"\n📎 {', '.join(msg.attachments)}" if msg.attachments else "")
                item = self.store.add_outbox(now, TOPIC, ticket=ticket, text=shown or "…", source=source)
            person: list[Reply] = []
            if ticket.status == WAITING and not self._serving(
                ticket.route_lang, now
            ):  # kept for the next window
                self.store.update_ticket(ticket.id, left_count=ticket.left_count + 1)
                person = [self._left_reply(ticket, now)]
            return [*person, *self._claim([item])]

    def forget(self, key: ConversationKey) -> list[Reply]:
        """Erase the conversation's tickets and relayed messages; delete their topics and tell the group."""
        now = self._now()
        items: list[OutboxItem] = []
        with self.store.transaction():
            for ticket in self.store.erase_conversation(key, now):
                if ticket.thread_id is None:
                    continue
                items.append(self.store.add_outbox(now, GROUP, "delete_topic", thread_id=ticket.thread_id))
                items.append(
                    self.store.add_outbox(
                        now,
                        GROUP,
                        html=True,
                        text=note("forgotten", self.alang, id=ticket.id, language=ticket.route_lang.upper()),
                    )
                )
            return self._claim(items)

    def on_payload(self, msg: IncomingMessage, lang: str) -> list[Reply] | None:
        """The handoff's buttons ('rate:<n>', 'hoff:cancel', 'hoff:contact:<how>'); None for others."""
        kind, _, arg = (msg.payload or "").partition(":")
        if kind == "rate":
            return self._rate(msg.key, arg, lang)
        if kind != "hoff":
            return None
        now = self._now()
        items: list[OutboxItem] = []
        with self.store.transaction():
            ticket = self.store.open_ticket(msg.key)
            lang = ticket.lang if ticket else lang
            if ticket is None:
                return [Reply(text(lang, "handoff.returned"))]
            if arg == "cancel":
                if ticket.status == ASSIGNED:
                    return [Reply(text(lang, "handoff.still_with_advisor"))]
                if ticket.left_count == 0:
                    self.store.update_ticket(ticket.id, status="closed", outcome="cancelled", closed_at=now)
                    if ticket.posted_at:
                        items += [
                            self._topic(ticket, now, note("person_withdrew", self.alang)),
                            self._topic(ticket, now, kind="close_topic"),
                        ]
                    return [Reply(text(lang, "handoff.cancelled")), *self._claim(items)]
                self.store.update_ticket(ticket.id, paused=True)
                if ticket.posted_at:
                    items.append(self._topic(ticket, now, note("person_paused", self.alang)))
                return [Reply(text(lang, "handoff.paused")), *self._claim(items)]
            how = arg.removeprefix("contact:")
            if how not in CONTACTS:
                return None
            self.store.update_ticket(ticket.id, contact=how, paused=False)
            if ticket.posted_at:
                items.append(
                    self._topic(
                        ticket,
                        now,
                        note(
                            "contact_set",
                            self.alang,
                            contact=text(self.alang, f"advisors.contact_kind.{how}"),
                        ),
                    )
                )
            return [Reply(text(lang, f"handoff.contact_{how}")), *self._claim(items)]

    # ----- periodic duties --------------------------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> list[Reply]:
        """Announce duty windows that started, post the tickets that waited, remind about untaken ones."""
        now = now or self._now()
        items: list[OutboxItem] = []
        with self.store.transaction():
            waiting = self.store.tickets((WAITING,))
            for lang in LANGS:
                end = current_window_end(now, self.schedule, lang)
                if end is None or self.store.mark(f"window:{lang}") == iso(end):
                    continue
                self.store.set_mark(f"window:{lang}", iso(end))
                start = self._window_start(now, lang, end)
                queued = [
                    t
                    for t in waiting
                    if t.route_lang == lang and (t.posted_at is None or t.posted_at < start)
                ]
                if queued:
                    listing = ", ".join(f"#{t.id} ({duration(now - t.created_at)})" for t in queued)
                    items.append(
                        self.store.add_outbox(
                            now,
                            GROUP,
                            html=True,
                            text=note(
                                "window_started",
                                self.alang,
                                html_tail=self._mentions(lang, now),
                                language=lang.upper(),
                                count=len(queued),
                                tickets=listing,
                            ),
                        )
                    )
            for ticket in waiting:
                if ticket.posted_at is None and self._serving(ticket.route_lang, now):
                    items.append(self._open_topic(ticket, now))
                elif ticket.posted_at is not None and is_on_duty(now, self.schedule, ticket.route_lang):
                    items += self._remind(ticket, now)
            self._purge(now)
            return self._claim(items)

    def _window_start(self, now: datetime, lang: str, end: datetime) -> datetime:
        """When the duty window ending at `end` (open at `now`) began."""
        probe = now - timedelta(days=1)
        while (start := next_duty_start(probe, self.schedule, lang)) is not None and start <= now:
            if current_window_end(start, self.schedule, lang) == end:
                return start
            probe = start + timedelta(minutes=1)
        return now

    def _remind(self, ticket: Ticket, now: datetime) -> list[OutboxItem]:
        since = ticket.reminded_at or ticket.posted_at or ticket.created_at
        if now - since < self.reminder_after:
            return []
        items = [
            self._topic(
                ticket,
                now,
                note(
                    "reminder",
                    self.alang,
                    html_tail=self._mentions(ticket.route_lang, now),
                    id=ticket.id,
                    language=ticket.route_lang.upper(),
                    waiting=duration(now - ticket.created_at),
                ),
            )
        ]
        tell = not ticket.person_told and not ticket.paused
        if tell:
            items.append(
                self._person(
                    ticket,
                    now,
                    text(ticket.lang, "handoff.not_taken_yet"),
                    buttons=[[self._back_button(ticket.lang)]],
                )
            )
        self.store.update_ticket(ticket.id, reminded_at=now, person_told=ticket.person_told or tell)
        return items

    def _purge(self, now: datetime) -> None:
        day = now.date().isoformat()
        if self.retention is None or self.store.mark("purged") == day:
            return
        self.store.set_mark("purged", day)
        removed = self.store.purge_before(now - self.retention)
        if removed:
            log.info("handoff: %d rows older than %s removed", removed, self.retention)

    def _status_reply(self, ticket: Ticket, now: datetime) -> Reply:
        """Where the person stands: with an advisor, in the queue, or waiting for the next duty window."""
        lang = ticket.lang
        meta = {"handoff": True, "ticket": ticket.id}
        if ticket.status == ASSIGNED:
            return Reply(text(lang, "handoff.still_with_advisor"), meta=meta)
        if ticket.posted_at is not None and self._serving(ticket.route_lang, now):
            key = "handoff.queued" if ticket.created_at == now else "handoff.queued_again"
            return Reply(
                text(lang, key, position=self._position(ticket)), [[self._back_button(lang)]], meta=meta
            )
        start = next_duty_start(now, self.schedule, ticket.route_lang)
        name = text(lang, f"handoff.speak.{ticket.route_lang}")
        body = (
            text(lang, "handoff.off_duty", lang_name=name, when=format_next_duty(start, lang))
            if start
            else text(lang, "handoff.off_duty_unknown", lang_name=name)
        )
        return Reply(body, [self._contact_buttons(lang), [self._back_button(lang)]], meta=meta)

    def _left_reply(self, ticket: Ticket, now: datetime) -> Reply:
        if ticket.left_count:
            return Reply(text(ticket.lang, "handoff.left_more"))
        start = next_duty_start(now, self.schedule, ticket.route_lang)
        if start is None:
            return Reply(text(ticket.lang, "handoff.left_saved_later"))
        return Reply(text(ticket.lang, "handoff.left_saved", when=format_next_duty(start, ticket.lang)))

    def _rate(self, key: ConversationKey, arg: str, lang: str) -> list[Reply]:
        now = self._now()
        items: list[OutboxItem] = []
        with self.store.transaction():
            ticket = self.store.last_closed(key)
            if arg.isdigit() and 1 <= int(arg) <= 5 and ticket is not None and ticket.rating is None:
                self.store.update_ticket(ticket.id, rating=int(arg))
                lang = ticket.lang
                if ticket.thread_id is not None:
                    items.append(
                        self._topic(ticket, now, note("rated", self.alang, id=ticket.id, rating=arg))
                    )
            return [Reply(text(lang, "handoff.rated")), *self._claim(items)]
