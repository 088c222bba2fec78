"""A person's data on request: everything stored about one conversation as JSON (access), or all of it erased.

Used by `migrant-bot data export --user CHANNEL:CHAT_ID` and `migrant-bot data forget --user ...`. It reads
the SQLite files under `data_dir` directly: the core's bot.db (state, questions, feedback, the Telegram
channel's record of a blocked chat), the handoff's handoff.db (tickets, transcripts, relayed messages) and
the Messenger channel's messenger.db (when the person last wrote). Export opens them read-only.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from bot.messages import ConversationKey
from bot.settings import Settings
from bot.store import SqliteStore, utcnow

TICKETS, MESSAGES, OUTBOX = "handoff_tickets", "handoff_messages", "handoff_outbox"  # handoff.records
BLOCKED = "telegram_blocked"  # bot.channels.telegram_state
LAST_MESSAGE = "last_message"  # bot.channels.messenger_state


class DataRequestError(ValueError):
    """A request that cannot be served; the message says what to give instead."""


def parse_user(value: str) -> ConversationKey:
    """'telegram:123456' -> ConversationKey; DataRequestError names the expected form."""
    channel, _, chat_id = value.strip().partition(":")
    if not channel or not chat_id or not channel.isidentifier():
        raise DataRequestError(
            f"expected CHANNEL:CHAT_ID, e.g. telegram:123456789 or messenger:6789, not {value!r}"
        )
    return ConversationKey(channel, chat_id)


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection | None]:
    """A read-only connection to an existing SQLite file, or None when there is no such file."""
    if not path.exists():
        yield None
        return
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        conn.row_factory = sqlite3.Row
        yield conn


def _rows(conn: sqlite3.Connection | None, table: str, where: str, args: list[Any]) -> list[dict[str, Any]]:
    if conn is None:
        return []
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone():
        return []
    return [dict(r) for r in conn.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY rowid", args)]


def export_user(settings: Settings, key: ConversationKey, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything stored about the conversation `key`, as JSON-ready data."""
    data_dir = Path(settings.data_dir)
    out: dict[str, Any] = {
        "conversation": str(key),
        "exported_at": (now or utcnow()).isoformat(),
        "retention_days": settings.retention_days,
    }
    with _read_only(settings.database_path) as conn:
        state = _rows(conn, "conversations", "key = ?", [str(key)])
        out["state"] = json.loads(state[0]["state"]) if state else None
        out["state_updated"] = state[0]["updated"] if state else None
        out["questions"] = _rows(conn, "questions", "key = ?", [str(key)])
        out["feedback"] = _rows(conn, "feedback", "key = ?", [str(key)])
        if key.channel == "telegram":
            out["telegram_blocked"] = _rows(conn, BLOCKED, "chat_id = ?", [key.chat_id])
    with _read_only(settings.handoff_database_path) as conn:
        tickets = _rows(conn, TICKETS, "channel = ? AND chat_id = ?", [key.channel, key.chat_id])
        ids = [t["id"] for t in tickets]
        marks = ", ".join("?" * len(ids)) or "NULL"
        out["handoff"] = {
            "tickets": tickets,
            "transcript": _rows(conn, MESSAGES, f"ticket_id IN ({marks})", ids),
            "relayed": _rows(conn, OUTBOX, f"conv = ? OR ticket_id IN ({marks})", [str(key), *ids]),
        }
    if key.channel == "messenger":
        with _read_only(data_dir / "messenger.db") as conn:
            out["messenger_last_message"] = _rows(conn, LAST_MESSAGE, "psid = ?", [key.chat_id])
    return out


def forget_user(settings: Settings, key: ConversationKey) -> dict[str, int]:
    """Erase the conversation everywhere, as /forget does; rows removed (or anonymised) per place.

    With the handoff configured, its `forget` also queues the advisors' note that the history is gone (the
    running Telegram bot sends it); without it, the tickets are erased directly.
    """
    counts: dict[str, int] = {}
    if settings.handoff_database_path.exists():
        counts["handoff tickets"] = _forget_handoff(settings, key)
    if settings.database_path.exists():
        store = SqliteStore(settings.database_path)
        try:
            counts["conversation, questions, feedback"] = store.forget(key)
            if key.channel == "telegram" and BLOCKED in store.db.table_names():
                with store.db.conn:
                    counts["telegram blocked"] = store.db.conn.execute(
                        f"DELETE FROM {BLOCKED} WHERE chat_id = ?", [key.chat_id]
                    ).rowcount
        finally:
            store.db.close()
    messenger_db = Path(settings.data_dir) / "messenger.db"
    if key.channel == "messenger" and messenger_db.exists():
        with closing(sqlite3.connect(str(messenger_db), timeout=10)) as conn, conn:
            counts["messenger last message"] = conn.execute(
                f"DELETE FROM {LAST_MESSAGE} WHERE psid = ?", [key.chat_id]
            ).rowcount
    return counts


def _forget_handoff(settings: Settings, key: ConversationKey) -> int:
    from handoff.tickets import TicketStore

    if settings.duty_schedule is not None and settings.advisors_chat_id is not None:
        from handoff.service import HandoffService

        service = HandoffService.from_settings(settings, clock=utcnow)
        try:
            before = len(service.store.conversation_tickets(key))
            service.forget(key)  # erases, and queues "history deleted" for the advisors' group
            return before
        finally:
            service.store.close()
    store = TicketStore(settings.handoff_database_path)
    try:
        return len(store.erase_conversation(key, utcnow()))
    finally:
        store.close()
