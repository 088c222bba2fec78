"""The handoff's records: tickets and outbox messages as Python values, and their SQLite columns."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.messages import Button, ConversationKey

TICKETS, MESSAGES, OUTBOX, MARKS = "handoff_tickets", "handoff_messages", "handoff_outbox", "handoff_marks"
WAITING, ASSIGNED, CLOSED = "waiting", "assigned", "closed"
OPEN = (WAITING, ASSIGNED)
PERSON, TOPIC, GROUP = "person", "topic", "group"  # outbox targets
MAX_ATTEMPTS = 20  # failed sends before an outbox message is given up (about half a day with the backoff)
FIRST_RETRY, LAST_RETRY = timedelta(seconds=5), timedelta(hours=1)


@dataclass(frozen=True)
class Ticket:
    """One request for a person: who, in which language, why, and where it stands."""

    id: int
    channel: str
    chat_id: str
    user_id: str
    lang: str  # the person's language: what they are told
    route_lang: str  # the advisors' language it is queued for (changed by a transfer)
    reason: str
    priority: bool
    status: str
    advisor: str | None
    created_at: datetime
    posted_at: datetime | None  # when its topic was asked for (on duty, or at the start of a window)
    taken_at: datetime | None
    closed_at: datetime | None
    outcome: str | None  # closed, returned, cancelled, forgotten
    thread_id: int | None
    rating: int | None
    contact: str | None
    paused: bool  # the person went back to the bot while the ticket waits
    reminded_at: datetime | None
    person_told: bool  # told that nobody could take it yet
    left_count: int  # messages stored while nobody was on duty

    @property
    def key(self) -> ConversationKey:
        """The person's conversation."""
        return ConversationKey(self.channel, self.chat_id)


@dataclass(frozen=True)
class OutboxItem:
    """A message (or topic operation) waiting to be sent, or sent."""

    id: int
    ticket_id: int | None
    target: str  # person, topic or group
    kind: str  # text, copy, open_topic, close_topic, delete_topic
    text: str
    html: bool
    buttons: list[list[Button]]
    thread_id: int | None
    copy_chat: str | None
    copy_message: int | None
    attempts: int


def iso(when: datetime) -> str:
    """UTC, fixed width, so that text order is time order in SQL."""
    if when.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _columns(spec: str) -> dict[str, Any]:
    """'name:int other:str' as the column types sqlite-utils takes."""
    return {name: {"int": int, "str": str}[kind] for name, kind in (part.split(":") for part in spec.split())}


TICKET_COLUMNS = _columns(
    "id:int channel:str chat_id:str user_id:str lang:str route_lang:str reason:str priority:int status:str "
    "advisor:str created_at:str posted_at:str taken_at:str closed_at:str outcome:str thread_id:int "
    "rating:int contact:str paused:int reminded_at:str person_told:int left_count:int"
)
OUTBOX_COLUMNS = _columns(
    "id:int ticket_id:int conv:str target:str kind:str text:str html:int buttons:str thread_id:int "
    "copy_chat:str copy_message:int source:str created_at:str sent_at:str failed_at:str attempts:int "
    "next_try_at:str detail:str"
)
TIME_FIELDS = {"created_at", "posted_at", "taken_at", "closed_at", "reminded_at"}
BOOL_FIELDS = {"priority", "paused", "person_told"}


def ticket_from_row(row: dict[str, Any]) -> Ticket:
    """A ticket from its database row."""
    values: dict[str, Any] = {}
    for f in fields(Ticket):
        value = row.get(f.name)
        if f.name in TIME_FIELDS:
            value = _time(value)
        elif f.name in BOOL_FIELDS:
            value = bool(value)
        elif f.name == "left_count":
            value = int(value or 0)
        values[f.name] = value
    return Ticket(**values)
