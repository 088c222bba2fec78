"""Tickets, their redacted transcript and the outbox of relayed messages, in SQLite (sqlite-utils, WAL).

A state change and the messages it causes are written in one transaction; a message is marked sent
only after the API call succeeded, so a crash loses nothing, and what is unsent is sent on start.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.messages import Button, ConversationKey
from handoff.records import (
    ASSIGNED,
    CLOSED,
    FIRST_RETRY,
    GROUP,
    LAST_RETRY,
    MARKS,
    MAX_ATTEMPTS,
    MESSAGES,
    OPEN,
    OUTBOX,
    OUTBOX_COLUMNS,
    PERSON,
    TICKET_COLUMNS,
    TICKETS,
    TOPIC,
    WAITING,
    OutboxItem,
    Ticket,
    iso,
    ticket_from_row,
)

__all__ = [
    "ASSIGNED",
    "CLOSED",
    "GROUP",
    "OPEN",
    "PERSON",
    "TOPIC",
    "WAITING",
    "OutboxItem",
    "Ticket",
    "TicketStore",
    "iso",
]


class TicketStore:
    """Tickets, transcript and outbox in one SQLite file; every method is safe across threads."""

    def __init__(self, path: Path | str | None = None) -> None:
        if path is None or str(path) == ":memory:":
            path = None
            conn = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
        self._lock: threading.RLock = threading.RLock()
        self._depth = 0
        self.db = sqlite_utils.Database(conn)
        if path is not None:
            self.db.enable_wal()  # the Messenger process writes here too
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._create()

    def _create(self) -> None:
        self.db.table(TICKETS).create(
            TICKET_COLUMNS,
            pk="id",
            if_not_exists=True,
            defaults={"priority": 0, "paused": 0, "person_told": 0, "left_count": 0},
        )
        self.db.table(MESSAGES).create(
            {"id": int, "ticket_id": int, "at": str, "author": str, "text": str}, pk="id", if_not_exists=True
        )
        self.db.table(OUTBOX).create(
            OUTBOX_COLUMNS, pk="id", if_not_exists=True, defaults={"attempts": 0, "html": 0}
        )
        self.db.table(MARKS).create({"name": str, "value": str}, pk="name", if_not_exists=True)
        self.db.table(TICKETS).create_index(["channel", "chat_id", "status"], if_not_exists=True)
        self.db.table(TICKETS).create_index(["thread_id"], if_not_exists=True)
        self.db.table(MESSAGES).create_index(["ticket_id"], if_not_exists=True)
        self.db.table(OUTBOX).create_index(["sent_at", "failed_at"], if_not_exists=True)
        self.db.table(OUTBOX).create_index(["source"], unique=True, if_not_exists=True)

    @property
    def lock(self) -> threading.RLock:
        """The lock every method holds; a transaction holds it until it commits."""
        return self._lock

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (nested calls join the outer one); rolled back on an error."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self.db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self.db.conn.rollback()
                raise
            else:
                self.db.conn.commit()
            finally:
                self._depth = 0

    # ----- tickets -----
    def add_ticket(self, **values: Any) -> Ticket:
        """Insert a ticket (columns as keyword arguments, times as datetimes) and return it."""
        row = {
            k: (iso(v) if isinstance(v, datetime) else int(v) if isinstance(v, bool) else v)
            for k, v in values.items()
        }
        names = ", ".join(row)
        with self.transaction():
            cursor = self.db.execute(
                f"INSERT INTO {TICKETS} ({names}) VALUES ({', '.join('?' * len(row))})", list(row.values())
            )
            ticket = self.ticket(int(cursor.lastrowid or 0))
        assert ticket is not None
        return ticket

    def update_ticket(self, ticket_id: int, **values: Any) -> None:
        """Change columns of one ticket."""
        row = {
            k: (iso(v) if isinstance(v, datetime) else int(v) if isinstance(v, bool) else v)
            for k, v in values.items()
        }
        sets = ", ".join(f"{k} = ?" for k in row)
        with self.transaction():
            self.db.execute(f"UPDATE {TICKETS} SET {sets} WHERE id = ?", [*row.values(), ticket_id])

    def ticket(self, ticket_id: int) -> Ticket | None:
        """A ticket by id."""
        return next(iter(self._tickets("id = ?", [ticket_id])), None)

    def open_ticket(self, key: ConversationKey) -> Ticket | None:
        """The conversation's waiting or assigned ticket, if any."""
        found = self._tickets(
            "channel = ? AND chat_id = ? AND status IN (?, ?)", [key.channel, key.chat_id, *OPEN]
        )
        return found[-1] if found else None

    def by_thread(self, thread_id: int) -> Ticket | None:
        """The ticket whose topic is `thread_id` (the latest one, should a topic be reused)."""
        found = self._tickets("thread_id = ?", [thread_id])
        return found[-1] if found else None

    def tickets(self, status: tuple[str, ...] = OPEN, since: datetime | None = None) -> list[Ticket]:
        """Tickets with one of the statuses (created at or after `since`), oldest first."""
        where = f"status IN ({', '.join('?' * len(status))})"
        args: list[Any] = list(status)
        if since is not None:
            where += " AND created_at >= ?"
            args.append(iso(since))
        return self._tickets(where, args)

    def closed_between(self, start: datetime, end: datetime) -> list[Ticket]:
        """Tickets closed in [start, end)."""
        return self._tickets(
            "status = ? AND closed_at >= ? AND closed_at < ?", [CLOSED, iso(start), iso(end)]
        )

    def last_closed(self, key: ConversationKey) -> Ticket | None:
        """The conversation's most recently closed ticket."""
        found = self._tickets(
            "channel = ? AND chat_id = ? AND status = ? ORDER BY closed_at DESC LIMIT 1",
            [key.channel, key.chat_id, CLOSED],
            order=False,
        )
        return found[0] if found else None

    def conversation_tickets(self, key: ConversationKey) -> list[Ticket]:
        """Every ticket of a conversation."""
        return self._tickets("channel = ? AND chat_id = ?", [key.channel, key.chat_id])

    def _tickets(self, where: str, args: list[Any], order: bool = True) -> list[Ticket]:
        sql = f"SELECT * FROM {TICKETS} WHERE {where}" + (" ORDER BY id" if order else "")
        with self._lock:
            cursor = self.db.execute(sql, args)
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        return [ticket_from_row(r) for r in rows]

    # ----- transcript -----
    def add_message(self, ticket_id: int, at: datetime, author: str, text: str) -> None:
        """Append a (redacted) line to a ticket's transcript."""
        with self.transaction():
            self.db.execute(
                f"INSERT INTO {MESSAGES} (ticket_id, at, author, text) VALUES (?, ?, ?, ?)",
                [ticket_id, iso(at), author, text],
            )

    def transcript(self, ticket_id: int, last: int = 10) -> list[tuple[datetime, str, str]]:
        """The last lines of a ticket's transcript: (time, author, text), oldest first."""
        with self._lock:
            rows = self.db.execute(
                f"SELECT at, author, text FROM {MESSAGES} WHERE ticket_id = ? ORDER BY id DESC LIMIT ?",
                [ticket_id, last],
            ).fetchall()
        return [(datetime.fromisoformat(at), author, text) for at, author, text in reversed(rows)]

    # ----- outbox -----
    def has_source(self, source: str) -> bool:
        """True if a message from this source (a channel's message id) was stored before."""
        with self._lock:
            return (
                self.db.execute(f"SELECT 1 FROM {OUTBOX} WHERE source = ?", [source]).fetchone() is not None
            )

    def add_outbox(
        self,
        at: datetime,
        target: str,
        kind: str = "text",
        *,
        ticket: Ticket | None = None,
        text: str = "",
        html: bool = False,
        buttons: list[list[Button]] | None = None,
        thread_id: int | None = None,
        copy_chat: str | None = None,
        copy_message: int | None = None,
        source: str | None = None,
    ) -> OutboxItem:
        """Queue a message; call inside the transaction that makes the state change it reports."""
        data = json.dumps([[[b.label, b.payload] for b in row] for row in buttons or []], ensure_ascii=False)
        with self.transaction():
            cursor = self.db.execute(
                f"INSERT INTO {OUTBOX} (ticket_id, conv, target, kind, text, html, buttons, thread_id, "
                "copy_chat, copy_message, source, created_at, attempts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0)",
                [
                    ticket.id if ticket else None,
                    str(ticket.key) if ticket else None,
                    target,
                    kind,
                    text,
                    int(html),
                    data,
                    thread_id,
                    copy_chat,
                    copy_message,
                    source,
                    iso(at),
                ],
            )
            item = self.outbox_item(int(cursor.lastrowid or 0))
        assert item is not None
        return item

    def outbox_item(self, item_id: int) -> OutboxItem | None:
        """One outbox message by id."""
        found = self._outbox("id = ?", [item_id])
        return found[0] if found else None

    def unsent(self, now: datetime | None = None) -> list[OutboxItem]:
        """Messages neither sent nor given up (and, given `now`, due for another try), oldest first."""
        if now is None:
            return self._outbox("sent_at IS NULL AND failed_at IS NULL", [])
        return self._outbox(
            "sent_at IS NULL AND failed_at IS NULL AND (next_try_at IS NULL OR next_try_at <= ?)", [iso(now)]
        )

    def mark_sent(self, item_id: int, at: datetime) -> None:
        """The API call for this message succeeded."""
        with self.transaction():
            self.db.execute(
                f"UPDATE {OUTBOX} SET sent_at = ? WHERE id = ? AND sent_at IS NULL", [iso(at), item_id]
            )

    def mark_attempt(self, item_id: int, at: datetime, detail: str = "", give_up: bool = False) -> bool:
        """A send failed: try again later (backing off), give up after MAX_ATTEMPTS or at once with `give_up`.

        Returns True when given up.
        """
        with self.transaction():
            item = self.outbox_item(item_id)
            attempts = (item.attempts if item else 0) + 1
            wait = min(LAST_RETRY, FIRST_RETRY * 2 ** min(attempts - 1, 20))
            self.db.execute(
                f"UPDATE {OUTBOX} SET attempts = ?, next_try_at = ?, detail = ? WHERE id = ?",
                [attempts, iso(at + wait), detail[:500], item_id],
            )
            if item is not None and (give_up or attempts >= MAX_ATTEMPTS):
                self.db.execute(f"UPDATE {OUTBOX} SET failed_at = ? WHERE id = ?", [iso(at), item_id])
                return True
        return False

    def _outbox(self, where: str, args: list[Any]) -> list[OutboxItem]:
        with self._lock:
            rows = self.db.execute(
                "SELECT id, ticket_id, target, kind, text, html, buttons, thread_id, copy_chat, "
                f"copy_message, attempts FROM {OUTBOX} WHERE {where} ORDER BY id",
                args,
            ).fetchall()
        return [
            OutboxItem(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4] or "",
                bool(r[5]),
                [[Button(label, payload) for label, payload in row] for row in json.loads(r[6] or "[]")],
                r[7],
                r[8],
                r[9],
                r[10] or 0,
            )
            for r in rows
        ]

    # ----- marks, erasure, retention -----
    def mark(self, name: str) -> str | None:
        """A remembered value (e.g. the last duty window announced for a language)."""
        with self._lock:
            row = self.db.execute(f"SELECT value FROM {MARKS} WHERE name = ?", [name]).fetchone()
        return row[0] if row else None

    def set_mark(self, name: str, value: str) -> None:
        """Remember a value."""
        with self.transaction():
            self.db.execute(f"INSERT OR REPLACE INTO {MARKS} (name, value) VALUES (?, ?)", [name, value])

    def erase_conversation(self, key: ConversationKey, at: datetime) -> list[Ticket]:
        """Erase what a person's tickets hold (rows stay as anonymous counts); returns them as they were."""
        with self.transaction():
            tickets = self.conversation_tickets(key)
            ids = [t.id for t in tickets]
            marks = ", ".join("?" * len(ids))
            if ids:
                self.db.execute(f"DELETE FROM {MESSAGES} WHERE ticket_id IN ({marks})", ids)
                self.db.execute(
                    f"UPDATE {TICKETS} SET channel = 'erased', chat_id = '', user_id = '', "
                    "contact = NULL, closed_at = coalesce(closed_at, ?), status = ?, "
                    f"outcome = CASE WHEN status = ? THEN outcome ELSE 'forgotten' END "
                    f"WHERE id IN ({marks})",
                    [iso(at), CLOSED, CLOSED, *ids],
                )
            # Unsent messages are dropped too: what the person wrote must not reach anyone after /forget.
            self.db.execute(
                f"UPDATE {OUTBOX} SET text = '', buttons = '[]', copy_chat = NULL, "
                "copy_message = NULL, conv = NULL, failed_at = coalesce(sent_at, failed_at, ?), "
                "detail = 'erased' WHERE conv = ?",
                [iso(at), str(key)],
            )
        return tickets

    def purge_before(self, cutoff: datetime) -> int:
        """Delete closed tickets, their transcripts and sent messages older than `cutoff`; rows removed."""
        with self.transaction():
            old = [
                r[0]
                for r in self.db.execute(
                    f"SELECT id FROM {TICKETS} WHERE status = ? AND closed_at < ?", [CLOSED, iso(cutoff)]
                )
            ]
            removed = 0
            for start in range(0, len(old), 500):
                chunk = old[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                removed += self.db.execute(
                    f"DELETE FROM {MESSAGES} WHERE ticket_id IN ({marks})", chunk
                ).rowcount
                removed += self.db.execute(f"DELETE FROM {TICKETS} WHERE id IN ({marks})", chunk).rowcount
            removed += self.db.execute(
                f"DELETE FROM {OUTBOX} WHERE created_at < ? AND "
                "(sent_at IS NOT NULL OR failed_at IS NOT NULL)",
                [iso(cutoff)],
            ).rowcount
        return removed
