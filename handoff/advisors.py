"""What advisors do with tickets: take, close, return to bot, transfer, write to the person, /queue, /stats.

Each action names the acting Telegram user; only advisors listed in the duty schedule may act, anyone
else is ignored (and logged). Actions return Replies: to the person (meta["outbox"]: sent through the
outbox) and to the advisors' group, into the ticket's topic when it has one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.messages import LANGS, Button, Reply
from bot.redact import redact
from bot.texts import text
from handoff.base import HandoffBase
from handoff.reports import day_start, queue_text, stats_text
from handoff.schedule import Advisor
from handoff.tickets import ASSIGNED, CLOSED, OPEN, WAITING, OutboxItem, Ticket
from handoff.wording import mention, note

log = logging.getLogger(__name__)


class AdvisorActions(HandoffBase):
    """The advisors' side of the handoff, channel-neutral: ticket ids and Telegram ids in, Replies out."""

    def advisor(self, telegram_id: int | str) -> tuple[str, Advisor] | None:
        """The schedule's key and entry for a Telegram user, if they are a listed advisor."""
        for key, adv in self.schedule.advisors.items():
            if str(adv.telegram_id) == str(telegram_id):
                return key, adv
        return None

    def take(self, ticket_id: int, actor: int | str) -> list[Reply]:
        """The advisor takes the ticket: the bot goes quiet for the person, who is told who joined."""
        found = self._actor(actor, "take", ticket_id)
        if found is None:
            return []
        key, adv = found
        now = self._now()
        with self.store.transaction():
            ticket = self.store.ticket(ticket_id)
            if ticket is None or ticket.status == CLOSED:
                return self._hint(ticket, note("is_closed", self.alang))
            if ticket.status == ASSIGNED:
                if ticket.advisor == key:
                    return []
                return self._hint(ticket, note("already_taken", self.alang, name=self._name(ticket.advisor)))
            self.store.update_ticket(ticket.id, status=ASSIGNED, advisor=key, taken_at=now, paused=False)
            items = [
                self._topic(ticket, now, note("taken", self.alang, name=adv.display_name)),
                self._person(ticket, now, text(ticket.lang, "handoff.taken", name=adv.display_name)),
            ]
            return self._claim(items)

    def close(self, ticket_id: int, actor: int | str) -> list[Reply]:
        """Close the ticket: the person gets a short note and rating buttons 'rate:1'…'rate:5'."""
        return self._finish(ticket_id, actor, "closed")

    def return_to_bot(self, ticket_id: int, actor: int | str) -> list[Reply]:
        """Hand the person back to the bot without closing words or a rating."""
        return self._finish(ticket_id, actor, "returned")

    def _finish(self, ticket_id: int, actor: int | str, outcome: str) -> list[Reply]:
        found = self._actor(actor, outcome, ticket_id)
        if found is None:
            return []
        key, adv = found
        now = self._now()
        with self.store.transaction():
            ticket = self.store.ticket(ticket_id)
            if ticket is None or ticket.status == CLOSED:
                return self._hint(ticket, note("is_closed", self.alang))
            self.store.update_ticket(
                ticket.id, status=CLOSED, outcome=outcome, closed_at=now, advisor=ticket.advisor or key
            )
            if outcome == "closed":
                rating = [[Button(str(n), f"rate:{n}") for n in range(1, 6)]]
                person = self._person(ticket, now, text(ticket.lang, "handoff.closed"), rating)
            else:
                person = self._person(ticket, now, text(ticket.lang, "handoff.returned"))
            items = [person]
            if ticket.posted_at is not None:
                items = [
                    self._topic(ticket, now, note(outcome, self.alang, name=adv.display_name)),
                    person,
                    self._topic(ticket, now, kind="close_topic"),
                ]
            return self._claim(items)

    def transfer(self, ticket_id: int, actor: int | str, target: str) -> list[Reply]:
        """Pass the ticket to another advisor (key or display name) or to another language's queue."""
        found = self._actor(actor, "transfer", ticket_id)
        if found is None:
            return []
        _, adv = found
        wanted = target.strip().lstrip("@").casefold()
        now = self._now()
        with self.store.transaction():
            ticket = self.store.ticket(ticket_id)
            if ticket is None or ticket.status == CLOSED:
                return self._hint(ticket, note("is_closed", self.alang))
            if not wanted:
                return self._hint(ticket, note("transfer_usage", self.alang))
            if wanted in LANGS:
                return self._claim(self._to_language(ticket, wanted, adv, now))
            match = next(
                (
                    (k, a)
                    for k, a in self.schedule.advisors.items()
                    if wanted in (k.casefold(), a.display_name.casefold())
                ),
                None,
            )
            if match is None:
                return self._hint(ticket, note("transfer_unknown", self.alang, target=target.strip()))
            other_key, other = match
            self.store.update_ticket(
                ticket.id, status=ASSIGNED, advisor=other_key, paused=False, taken_at=ticket.taken_at or now
            )
            items = [
                self._topic(
                    ticket,
                    now,
                    note(
                        "transferred_advisor",
                        self.alang,
                        html_tail=mention(other),
                        name=adv.display_name,
                        target=other.display_name,
                    ),
                ),
                self._person(
                    ticket, now, text(ticket.lang, "handoff.transferred_advisor", name=other.display_name)
                ),
            ]
            return self._claim(items)

    def _to_language(self, ticket: Ticket, lang: str, adv: Advisor, now: datetime) -> list[OutboxItem]:
        self.store.update_ticket(
            ticket.id,
            route_lang=lang,
            status=WAITING,
            advisor=None,
            taken_at=None,
            reminded_at=None,
            person_told=False,
            paused=False,
            posted_at=now,
        )
        tail = self._mentions(lang, now)
        return [
            self._topic(
                ticket,
                now,
                note(
                    "transferred_language",
                    self.alang,
                    html_tail=tail,
                    name=adv.display_name,
                    language=lang.upper(),
                ),
            ),
            self._person(
                ticket,
                now,
                text(
                    ticket.lang,
                    "handoff.transferred_language",
                    lang_name=text(ticket.lang, f"handoff.speak.{lang}"),
                ),
            ),
        ]

    def advisor_message(
        self,
        ticket_id: int,
        actor: int | str,
        body: str,
        *,
        copy_message_id: int | None = None,
        attachments: tuple[str, ...] = (),
        source: str | None = None,
    ) -> list[Reply]:
        """What the advisor who took the ticket writes in its topic goes to the person, signed."""
        found = self._actor(actor, "message", ticket_id)
        if found is None:
            return []
        key, adv = found
        now = self._now()
        with self.store.transaction():
            ticket = self.store.ticket(ticket_id)
            if ticket is None or ticket.status == CLOSED:
                return self._hint(ticket, note("is_closed", self.alang))
            if ticket.status == WAITING:
                return self._hint(ticket, note("take_first", self.alang))
            if ticket.advisor != key or (source and self.store.has_source(source)):
                return []  # a colleague's remark in the topic, or an update delivered twice
            if copy_message_id is not None:
                caption = (
                    text(ticket.lang, "handoff.signed", name=adv.display_name, text=body)
                    if body
                    else text(ticket.lang, "handoff.signed_caption", name=adv.display_name)
                )
                item = self._person(
                    ticket,
                    now,
                    caption,
                    kind="copy",
                    copy_chat=self.group.chat_id,
                    copy_message=copy_message_id,
                    source=source,
                )
            else:
                signed = text(ticket.lang, "handoff.signed", name=adv.display_name, text=body)
                item = self._person(ticket, now, signed, source=source)
            shown = redact(body)[:1000] + (f" [{', '.join(attachments)}]" if attachments else "")
            self.store.add_message(ticket.id, now, adv.display_name, shown.strip())
            return self._claim([item])

    def queue_summary(self, actor: int | str, thread_id: int | None = None) -> list[Reply]:
        """/queue: waiting tickets by language with their waiting times, and those in progress."""
        if self._actor(actor, "queue") is None:
            return []
        body = queue_text(self.store.tickets(OPEN), self._now(), self.schedule, self.alang)
        return self._hint(None, body, thread_id)

    def stats(self, actor: int | str, thread_id: int | None = None) -> list[Reply]:
        """/stats: waiting by language and waiting times, handled today, time to take, ratings."""
        if self._actor(actor, "stats") is None:
            return []
        now = self._now()
        later = now + timedelta(seconds=1)
        body = stats_text(
            self.store.tickets(OPEN),
            self.store.closed_between(day_start(now), later),
            self.store.closed_between(now - timedelta(days=30), later),
            now,
            self.alang,
        )
        return self._hint(None, body, thread_id)

    # ----- helpers ----------------------------------------------------------------------------------------

    def _actor(
        self, telegram_id: int | str, action: str, ticket_id: int | None = None
    ) -> tuple[str, Advisor] | None:
        found = self.advisor(telegram_id)
        if found is None:
            log.warning(
                "handoff: %s%s by Telegram user %s ignored: not an advisor in the duty schedule",
                action,
                f" on ticket #{ticket_id}" if ticket_id is not None else "",
                telegram_id,
            )
        return found

    def _name(self, key: str | None) -> str:
        adv = self.schedule.advisors.get(key or "")
        return adv.display_name if adv else (key or "?")

    def _hint(self, ticket: Ticket | None, body: str, thread_id: int | None = None) -> list[Reply]:
        """An answer to the advisors' own action: not worth an outbox entry, it is shown in their topic."""
        thread = ticket.thread_id if ticket is not None else thread_id
        return [
            Reply(body, to=self.group, html=True, meta={"thread_id": thread} if thread is not None else {})
        ]
