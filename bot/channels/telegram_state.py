"""What the Telegram adapter remembers: chats that blocked the bot and the updates already handled."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

log = logging.getLogger(__name__)

BLOCKED = "telegram_blocked"
HANDLED = "telegram_handled_updates"
CURSOR = "telegram_cursor"
KEEP_HANDLED = 1000  # ids kept below the watermark, to recognise a webhook redelivery
FEW_IN_HAND = 8  # with no more updates than this in hand, polling again at once is cheap


class TelegramState:
    """Blocked chats and handled update ids in SQLite (WAL), beside the core's tables."""

    def __init__(self, path: Path | str | None = None) -> None:
        if path is None:
            conn = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
        self._lock = threading.Lock()
        self.db = sqlite_utils.Database(conn)
        if path is not None:
            self.db.enable_wal()
        self.db.execute("PRAGMA synchronous=NORMAL")
        # Take the write lock before looking at the schema: the core's store (e.g. its retention purge at
        # start-up) writes to the same file, and a read that turns into a write fails at once in WAL mode.
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.table(BLOCKED).create(
                {"chat_id": str, "blocked_at": str, "reason": str}, pk="chat_id", if_not_exists=True
            )
            self.db.table(HANDLED).create(
                {"update_id": int, "handled_at": str}, pk="update_id", if_not_exists=True
            )
            self.db.table(CURSOR).create({"name": str, "value": int}, pk="name", if_not_exists=True)
        except BaseException:
            self.db.conn.rollback()
            raise
        self.db.conn.commit()

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self.db.close()

    def mark_blocked(self, chat_id: str, reason: str) -> None:
        """Remember that Telegram refused to deliver to this chat (the user blocked the bot)."""
        with self._lock, self.db.conn:
            self.db.execute(
                f"INSERT OR REPLACE INTO {BLOCKED} (chat_id, blocked_at, reason) VALUES (?, ?, ?)",
                [str(chat_id), _now(), reason[:500]],
            )

    def unblock(self, chat_id: str) -> bool:
        """Forget a block (the user wrote again); True if the chat was marked."""
        if not self.is_blocked(chat_id):
            return False  # the usual case: no write transaction for every update
        with self._lock, self.db.conn:
            cursor = self.db.execute(f"DELETE FROM {BLOCKED} WHERE chat_id = ?", [str(chat_id)])
            return cursor.rowcount > 0

    def is_blocked(self, chat_id: str) -> bool:
        """Whether sends to this chat are skipped."""
        with self._lock:
            row = self.db.execute(f"SELECT 1 FROM {BLOCKED} WHERE chat_id = ?", [str(chat_id)]).fetchone()
        return row is not None

    def blocked_chats(self) -> list[str]:
        """The chats marked blocked."""
        with self._lock:
            return [r[0] for r in self.db.execute(f"SELECT chat_id FROM {BLOCKED} ORDER BY chat_id")]

    def load_handled(self) -> tuple[int, set[int]]:
        """The watermark (every fetched update up to it is handled) and the handled ids kept."""
        with self._lock:
            row = self.db.execute(f"SELECT value FROM {CURSOR} WHERE name = 'watermark'").fetchone()
            done = {r[0] for r in self.db.execute(f"SELECT update_id FROM {HANDLED}")}
        return (row[0] if row else 0), done

    def record_handled(self, update_id: int | None, watermark: int) -> None:
        """Store a handled update id and the new watermark in one transaction."""
        with self._lock, self.db.conn:
            if update_id is not None:
                self.db.execute(
                    f"INSERT OR IGNORE INTO {HANDLED} (update_id, handled_at) VALUES (?, ?)",
                    [update_id, _now()],
                )
            self.db.execute(
                f"INSERT OR REPLACE INTO {CURSOR} (name, value) VALUES ('watermark', ?)", [watermark]
            )
            self.db.execute(f"DELETE FROM {HANDLED} WHERE update_id <= ?", [watermark - KEEP_HANDLED])


class UpdateLedger:
    """Which updates are handled, in hand or new, so that none is handled twice, even after a restart.

    The watermark is the highest update id such that every update fetched up to it has been handled;
    long polling asks Telegram for updates after it, which also confirms them. With `ordered` (polling)
    ids at or below it are dropped; a webhook may deliver out of order, so it relies on the ids kept.
    """

    def __init__(self, state: TelegramState, *, ordered: bool = True) -> None:
        self._state = state
        self._ordered = ordered
        self._watermark, self._done = state.load_handled()
        self._high = self._watermark  # the highest id seen in this run; ids kept from before do not count
        self._in_hand: set[int] = set()
        self.idle = asyncio.Event()  # set while no update is in hand
        self._failing = False  # the last write of the ledger failed (logged once)
        self.idle.set()
        # Set when an update was handled and only a few are left in hand (cleared by the poller): fetching
        # again returns those in hand too, which is cheap for a few and wasteful under a backlog.
        self.progress = asyncio.Event()

    @property
    def watermark(self) -> int:
        """Every fetched update with an id up to this one has been handled."""
        return self._watermark

    def is_new(self, update_id: int) -> bool:
        """Neither handled nor in hand."""
        if self._ordered and update_id <= self._watermark:
            return False
        return update_id not in self._done and update_id not in self._in_hand

    def claim(self, update_id: int) -> bool:
        """Take a new update in hand; False if it was handled or is already in hand."""
        if not self.is_new(update_id):
            if update_id in self._done or (self._ordered and update_id <= self._watermark):
                self.skip(update_id)
            return False
        self._in_hand.add(update_id)
        self.idle.clear()
        return True

    def skip(self, update_id: int) -> None:
        """Note an update fetched again that was handled before (e.g. before a restart)."""
        self._high = max(self._high, update_id)
        self._advance(None)

    def finish(self, update_id: int) -> None:
        """Mark an update in hand as handled and persist it."""
        self._in_hand.discard(update_id)
        if not self._in_hand:
            self.idle.set()
        if len(self._in_hand) <= FEW_IN_HAND:
            self.progress.set()
        self._done.add(update_id)
        self._high = max(self._high, update_id)
        self._advance(update_id)

    def _advance(self, update_id: int | None) -> None:
        """Recompute the watermark; persist when something changed."""
        watermark = min(self._in_hand) - 1 if self._in_hand else self._high
        watermark = max(watermark, self._watermark)
        if update_id is None and watermark == self._watermark:
            return
        self._watermark = watermark
        try:
            self._state.record_handled(update_id, watermark)
            self._failing = False
        except sqlite3.Error as exc:  # a read-only or full disk: keep going on what is held in memory
            if not self._failing:
                log.error("cannot record handled updates (%s); after a restart some may be handled again",
                          exc)
            self._failing = True
        if len(self._done) > 2 * KEEP_HANDLED:
            floor = min(watermark, self._high - KEEP_HANDLED)
            self._done = {i for i in self._done if i > floor}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
