"""Retention: what is older than `retention_days` is deleted, at start and then daily, without anyone asking.

Covered: conversation state, the question log and feedback (the core's store), closed handoff tickets with
their transcripts and sent messages (the handoff store's own `purge_before`), and the Telegram channel's
record of chats that blocked the bot. Open tickets stay until they are closed.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.store import ConversationStore, SqliteStore, utcnow

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
BLOCKED_TABLE = "telegram_blocked"  # bot.channels.telegram_state.BLOCKED, in the same SQLite file


class Purgeable(Protocol):
    """Anything that deletes its own rows older than a cutoff (the handoff's TicketStore)."""

    def purge_before(self, cutoff: dt.datetime) -> int:
        """Delete rows older than `cutoff`; the number removed."""
        ...


@dataclass(frozen=True)
class PurgeReport:
    """What one retention run removed."""

    cutoff: dt.datetime
    conversations: int = 0  # conversation states, logged questions and feedback
    handoff: int = 0  # closed tickets, their transcripts, sent relay messages
    blocked: int = 0  # Telegram chats remembered as blocking the bot

    @property
    def total(self) -> int:
        """All rows removed."""
        return self.conversations + self.handoff + self.blocked


def handoff_store(handoff: object) -> Purgeable | None:
    """The handoff's store if it can purge old rows (HandoffService.store); None for NoAdvisors."""
    store = getattr(handoff, "store", None)
    return store if callable(getattr(store, "purge_before", None)) else None


def purge_expired(
    store: ConversationStore, retention_days: int, now: dt.datetime, handoff: Purgeable | None = None
) -> PurgeReport:
    """Delete everything older than `retention_days` before `now` (timezone-aware); what was removed."""
    if now.tzinfo is None:
        raise ValueError("purge_expired needs a timezone-aware time")
    cutoff = now.astimezone(dt.UTC) - dt.timedelta(days=retention_days)  # stored times are UTC text
    conversations = store.purge_before(cutoff)
    removed_handoff = handoff.purge_before(cutoff) if handoff is not None else 0
    blocked = _purge_blocked(store, cutoff)
    return PurgeReport(cutoff, conversations, removed_handoff, blocked)


def _purge_blocked(store: ConversationStore, cutoff: dt.datetime) -> int:
    if not isinstance(store, SqliteStore) or BLOCKED_TABLE not in store.db.table_names():
        return 0
    with store._lock, store.db.conn:  # noqa: SLF001 - the store's own lock around its connection
        return store.db.conn.execute(
            f"DELETE FROM {BLOCKED_TABLE} WHERE blocked_at < ?", [cutoff.isoformat(timespec="seconds")]
        ).rowcount


class RetentionJob:
    """Runs `purge_expired` now and then every `every` (a day) in a daemon thread, until `stop`."""

    def __init__(
        self,
        store: ConversationStore,
        retention_days: int,
        handoff: Any = None,
        clock: Clock = utcnow,
        every: dt.timedelta = dt.timedelta(days=1),
    ) -> None:
        self.store = store
        self.retention_days = retention_days
        self.handoff = handoff if callable(getattr(handoff, "purge_before", None)) else handoff_store(handoff)
        self.clock = clock
        self.every = every
        self.runs: list[PurgeReport] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="retention", daemon=True)

    def run_once(self) -> PurgeReport | None:
        """One purge; a failure (a read-only disk) is logged and the next run tries again."""
        try:
            report = purge_expired(self.store, self.retention_days, self.clock(), self.handoff)
        except (sqlite3.Error, OSError) as exc:
            log.error("retention: could not delete data older than %d days: %s", self.retention_days, exc)
            return None
        self.runs.append(report)
        if report.total:
            log.info(
                "retention: removed %d conversation rows, %d handoff rows and %d blocked chats older than %s",
                report.conversations,
                report.handoff,
                report.blocked,
                report.cutoff.date(),
            )
        return report

    def start(self) -> RetentionJob:
        """Start the thread (the first purge runs at once)."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and wait for it."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        self.run_once()
        while not self._stop.wait(self.every.total_seconds()):
            self.run_once()


def start_retention(
    store: ConversationStore, retention_days: int, handoff: Any = None
) -> RetentionJob | None:
    """The daily retention job for a long-running channel; None when retention_days is 0 (keep everything)."""
    if retention_days <= 0:
        log.warning("retention_days is %d: stored conversations are never deleted", retention_days)
        return None
    return RetentionJob(store, retention_days, handoff).start()
