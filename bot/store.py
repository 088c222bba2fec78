"""Conversation state and the question log, behind a small interface; SQLite (sqlite-utils, WAL) or memory."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import sqlite_utils

from bot.messages import ConversationKey


@dataclass
class ConversationState:
    """What the dialogue remembers between two messages of one conversation."""

    lang: str | None = None
    lang_chosen: bool = False
    candidates: list[str] = field(default_factory=list)
    fallbacks: int = 0
    last_faq: str | None = None
    pending: str | None = None
    user_id: str = ""


@dataclass(frozen=True)
class LoggedQuestion:
    """One question and what the bot did with it (text already redacted)."""

    when: dt.datetime
    key: ConversationKey
    lang: str
    text: str
    intent: str
    faq_id: str | None
    confidence: float
    outcome: str


class ConversationStore(Protocol):
    """Where conversation state, the question log and feedback live."""

    def load(self, key: ConversationKey) -> ConversationState:
        """The state of a conversation (a fresh one if unknown)."""
        ...

    def save(self, key: ConversationKey, state: ConversationState) -> None:
        """Persist a conversation's state."""
        ...

    def log_question(self, item: LoggedQuestion) -> None:
        """Record a question for the editors' reports."""
        ...

    def log_feedback(self, key: ConversationKey, faq_id: str, useful: bool, when: dt.datetime) -> None:
        """Record a 👍 or 👎 on an answer."""
        ...

    def questions(self, since: dt.datetime | None = None) -> list[LoggedQuestion]:
        """Logged questions, oldest first."""
        ...

    def forget(self, key: ConversationKey) -> int:
        """Delete everything stored about a conversation; returns the number of rows removed."""
        ...

    def purge_before(self, cutoff: dt.datetime) -> int:
        """Delete conversations and questions older than `cutoff`; returns the number of rows removed."""
        ...


def utcnow() -> dt.datetime:
    """The current time, timezone-aware (UTC)."""
    return dt.datetime.now(dt.UTC)


class MemoryStore:
    """In-memory store for tests and the one-shot CLI."""

    def __init__(self) -> None:
        self._states: dict[ConversationKey, ConversationState] = {}
        self._touched: dict[ConversationKey, dt.datetime] = {}
        self._questions: list[LoggedQuestion] = []
        self.feedback: list[tuple[ConversationKey, str, bool, dt.datetime]] = []
        self._lock = threading.Lock()

    def load(self, key: ConversationKey) -> ConversationState:
        with self._lock:
            state = self._states.get(key)
            return ConversationState(**asdict(state)) if state else ConversationState()

    def save(self, key: ConversationKey, state: ConversationState) -> None:
        with self._lock:
            self._states[key] = ConversationState(**asdict(state))
            self._touched[key] = utcnow()

    def log_question(self, item: LoggedQuestion) -> None:
        with self._lock:
            self._questions.append(item)

    def log_feedback(self, key: ConversationKey, faq_id: str, useful: bool, when: dt.datetime) -> None:
        with self._lock:
            self.feedback.append((key, faq_id, useful, when))

    def questions(self, since: dt.datetime | None = None) -> list[LoggedQuestion]:
        with self._lock:
            return [q for q in self._questions if since is None or q.when >= since]

    def forget(self, key: ConversationKey) -> int:
        with self._lock:
            before = len(self._questions) + len(self.feedback) + (key in self._states)
            self._states.pop(key, None)
            self._touched.pop(key, None)
            self._questions = [q for q in self._questions if q.key != key]
            self.feedback = [f for f in self.feedback if f[0] != key]
            return before - len(self._questions) - len(self.feedback)

    def purge_before(self, cutoff: dt.datetime) -> int:
        with self._lock:
            old = [k for k, t in self._touched.items() if t < cutoff]
            for k in old:
                self._states.pop(k, None)
                self._touched.pop(k, None)
            kept = [q for q in self._questions if q.when >= cutoff]
            feedback = [f for f in self.feedback if f[3] >= cutoff]
            removed = len(old) + len(self._questions) - len(kept) + len(self.feedback) - len(feedback)
            self._questions, self.feedback = kept, feedback
            return removed


class SqliteStore:
    """The production store: one SQLite file in WAL mode, safe across threads and restarts."""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Channels call the core from worker threads: the connection is shared across them, under self._lock.
        self.db = sqlite_utils.Database(sqlite3.connect(str(path), check_same_thread=False))
        self.db.conn.execute("PRAGMA busy_timeout=5000")
        if str(path) != ":memory:":
            self.db.enable_wal()
        self._lock = threading.RLock()
        self._migrate()

    def _migrate(self) -> None:
        # The write lock first: another process (Messenger beside Telegram) or thread may be writing, and
        # a schema read that turns into a write fails at once in WAL mode instead of waiting.
        with self._lock, self.db.conn:
            self.db.execute("BEGIN IMMEDIATE")
            self.db["conversations"].create(
                {"key": str, "state": str, "updated": str}, pk="key", if_not_exists=True)
            self.db["questions"].create(
                {"id": int, "key": str, "when": str, "lang": str, "text": str, "intent": str, "faq_id": str,
                 "confidence": float, "outcome": str}, pk="id", if_not_exists=True)
            self.db["feedback"].create(
                {"id": int, "key": str, "faq_id": str, "useful": int, "when": str}, pk="id", if_not_exists=True)
            self.db["questions"].create_index(["key"], if_not_exists=True)
            self.db["questions"].create_index(["when"], if_not_exists=True)

    def load(self, key: ConversationKey) -> ConversationState:
        with self._lock:
            rows = list(self.db.query("SELECT state FROM conversations WHERE key = ?", [str(key)]))
        if not rows:
            return ConversationState()
        data: dict[str, Any] = json.loads(rows[0]["state"])
        known = set(ConversationState.__dataclass_fields__)
        return ConversationState(**{k: v for k, v in data.items() if k in known})

    def save(self, key: ConversationKey, state: ConversationState) -> None:
        with self._lock, self.db.conn:
            self.db["conversations"].upsert(
                {"key": str(key), "state": json.dumps(asdict(state), ensure_ascii=False),
                 "updated": utcnow().isoformat()}, pk="key")

    def log_question(self, item: LoggedQuestion) -> None:
        with self._lock, self.db.conn:
            self.db["questions"].insert(
                {"key": str(item.key), "when": item.when.isoformat(), "lang": item.lang, "text": item.text,
                 "intent": item.intent, "faq_id": item.faq_id, "confidence": item.confidence,
                 "outcome": item.outcome})

    def log_feedback(self, key: ConversationKey, faq_id: str, useful: bool, when: dt.datetime) -> None:
        with self._lock, self.db.conn:
            self.db["feedback"].insert({"key": str(key), "faq_id": faq_id, "useful": int(useful),
                                        "when": when.isoformat()})

    def questions(self, since: dt.datetime | None = None) -> list[LoggedQuestion]:
        sql = 'SELECT * FROM questions' + (' WHERE "when" >= ?' if since else "") + " ORDER BY id"
        with self._lock:
            rows = list(self.db.query(sql, [since.isoformat()] if since else []))
        out = []
        for r in rows:
            channel, _, chat = r["key"].partition(":")
            out.append(LoggedQuestion(dt.datetime.fromisoformat(r["when"]), ConversationKey(channel, chat),
                                      r["lang"], r["text"], r["intent"], r["faq_id"], r["confidence"],
                                      r["outcome"]))
        return out

    def forget(self, key: ConversationKey) -> int:
        removed = 0
        with self._lock, self.db.conn:
            for table in ("conversations", "questions", "feedback"):
                removed += self.db.conn.execute(f"DELETE FROM {table} WHERE key = ?", [str(key)]).rowcount
        return removed

    def purge_before(self, cutoff: dt.datetime) -> int:
        removed = 0
        with self._lock, self.db.conn:
            removed += self.db.conn.execute("DELETE FROM conversations WHERE updated < ?",
                                            [cutoff.isoformat()]).rowcount
            for table in ("questions", "feedback"):
                removed += self.db.conn.execute(f'DELETE FROM {table} WHERE "when" < ?',
                                                [cutoff.isoformat()]).rowcount
        return removed
