"""What the Messenger adapter remembers: events already handled and when each person last wrote."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

SEEN = "messenger_seen_events"
LAST_MESSAGE = "messenger_last_user_message"
STANDARD_WINDOW = timedelta(hours=24)  # any message type may be sent this long after the person wrote
HUMAN_AGENT_WINDOW = timedelta(days=7)  # an advisor may answer this long after, with the HUMAN_AGENT tag
SAFETY_MARGIN = timedelta(minutes=1)  # do not start a send that may arrive just after a window closes
KEEP = HUMAN_AGENT_WINDOW  # after this, neither the ids nor the times are of any use
PURGE_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class Messaging:
    """How a message may be sent: `messaging_type` and, for MESSAGE_TAG, the tag."""

    type: str
    tag: str | None = None

    def fields(self) -> dict[str, str]:
        """The Send API fields."""
        return {"messaging_type": self.type, **({"tag": self.tag} if self.tag else {})}


RESPONSE = Messaging("RESPONSE")
HUMAN_AGENT = Messaging("MESSAGE_TAG", "HUMAN_AGENT")


def messaging_for(last_message: datetime | None, now: datetime, *, human_agent: bool) -> Messaging | None:
    """RESPONSE within 24 h of the person's last message, HUMAN_AGENT up to 7 days for advisors, else None."""
    if last_message is None:
        return None
    age = now - last_message
    if age < STANDARD_WINDOW - SAFETY_MARGIN:
        return RESPONSE
    if human_agent and age < HUMAN_AGENT_WINDOW - SAFETY_MARGIN:
        return HUMAN_AGENT
    return None


def utcnow() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


class MessengerState:
    """Handled event ids and last-message times in SQLite (WAL), each kept 7 days."""

    def __init__(self, path: Path | str | None = None, clock: Callable[[], datetime] = utcnow) -> None:
        if path is None:
            conn = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
        self.clock = clock
        self._lock = threading.Lock()
        self.db = sqlite_utils.Database(conn)
        if path is not None:
            self.db.enable_wal()
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db[SEEN].create({"event_id": str, "seen_at": str}, pk="event_id", if_not_exists=True)
        self.db[LAST_MESSAGE].create({"psid": str, "last_message_at": str}, pk="psid", if_not_exists=True)
        self.db[SEEN].create_index(["seen_at"], if_not_exists=True)
        self._purged_at: datetime | None = None

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self.db.close()

    def accept(self, event_id: str, psid: str, at: datetime) -> bool:
        """Claim an event and note that the person wrote at `at`; False if the event was seen before."""
        self._purge_now_and_then()
        with self._lock, self.db.conn:
            cursor = self.db.execute(f"INSERT OR IGNORE INTO {SEEN} (event_id, seen_at) VALUES (?, ?)",
                                     [event_id, _iso(self.clock())])
            if cursor.rowcount == 0:
                return False
            self.db.execute(
                f"INSERT INTO {LAST_MESSAGE} (psid, last_message_at) VALUES (?, ?) ON CONFLICT(psid) "
                "DO UPDATE SET last_message_at = max(last_message_at, excluded.last_message_at)",
                [psid, _iso(at)])
            return True

    def last_message(self, psid: str) -> datetime | None:
        """When the person last wrote to the page (as far as this bot saw), or None."""
        with self._lock:
            row = self.db.execute(f"SELECT last_message_at FROM {LAST_MESSAGE} WHERE psid = ?",
                                  [psid]).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def messaging(self, psid: str, *, human_agent: bool = False) -> Messaging | None:
        """How a message to this person may be sent now (see messaging_for)."""
        return messaging_for(self.last_message(psid), self.clock(), human_agent=human_agent)

    def purge(self) -> int:
        """Delete ids and times older than 7 days; returns the number of rows removed."""
        cutoff = _iso(self.clock() - KEEP)
        with self._lock, self.db.conn:
            seen = self.db.execute(f"DELETE FROM {SEEN} WHERE seen_at < ?", [cutoff]).rowcount
            last = self.db.execute(f"DELETE FROM {LAST_MESSAGE} WHERE last_message_at < ?", [cutoff]).rowcount
        return seen + last

    def _purge_now_and_then(self) -> None:
        now = self.clock()
        if self._purged_at is None or now - self._purged_at >= PURGE_EVERY:
            self._purged_at = now
            self.purge()


def _iso(when: datetime) -> str:
    """UTC, fixed width, so that text order is time order in SQL."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
