"""The adapter's memory: blocked chats and handled updates, across restarts."""

from __future__ import annotations

from pathlib import Path

from bot.channels.telegram_state import KEEP_HANDLED, TelegramState, UpdateLedger


def test_blocked_chats_survive_a_restart(db_path: Path) -> None:
    state = TelegramState(db_path)
    state.mark_blocked("7", "Forbidden: bot was blocked by the user")
    assert state.is_blocked("7") and not state.is_blocked("8")
    state.close()
    state = TelegramState(db_path)
    assert state.blocked_chats() == ["7"]
    assert state.unblock("7") is True and state.unblock("7") is False
    assert not state.is_blocked("7")
    assert state.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    state.close()


def test_watermark_waits_for_the_oldest_update_in_hand() -> None:
    ledger = UpdateLedger(TelegramState())
    assert ledger.claim(10) and ledger.claim(11) and ledger.claim(12)
    assert not ledger.claim(11)  # already in hand
    ledger.finish(12)
    assert ledger.watermark == 9
    ledger.finish(10)
    assert ledger.watermark == 10
    ledger.finish(11)
    assert ledger.watermark == 12
    assert not ledger.is_new(12) and not ledger.is_new(5) and ledger.is_new(13)


def test_a_restart_skips_what_was_handled_out_of_order(db_path: Path) -> None:
    ledger = UpdateLedger(TelegramState(db_path))
    for update_id in (20, 21, 22):
        ledger.claim(update_id)
    ledger.finish(22)  # 20 and 21 still in hand when the process dies
    ledger = UpdateLedger(TelegramState(db_path))
    assert ledger.watermark == 19
    assert ledger.claim(20) and ledger.claim(21)
    assert not ledger.claim(22)  # handled before the crash
    ledger.finish(20)
    ledger.finish(21)
    assert ledger.watermark == 22


def test_updates_handled_before_a_restart_let_the_watermark_move(db_path: Path) -> None:
    ledger = UpdateLedger(TelegramState(db_path))
    ledger.claim(5)
    ledger.claim(6)
    ledger.finish(6)
    ledger = UpdateLedger(TelegramState(db_path))
    ledger.claim(5)
    ledger.finish(5)
    assert ledger.watermark == 5
    assert not ledger.claim(6)  # fetched again, skipped, and now confirmed
    assert ledger.watermark == 6


def test_webhook_mode_accepts_late_lower_ids() -> None:
    ledger = UpdateLedger(TelegramState(), ordered=False)
    ledger.claim(31)
    ledger.finish(31)
    assert ledger.claim(30)  # delivered late on another connection
    assert not ledger.claim(31)


def test_old_ids_are_pruned(db_path: Path) -> None:
    state = TelegramState(db_path)
    ledger = UpdateLedger(state)
    for update_id in range(1, 3 * KEEP_HANDLED):
        ledger.claim(update_id)
        ledger.finish(update_id)
    kept = state.db.execute("SELECT COUNT(*) FROM telegram_handled_updates").fetchone()[0]
    assert kept <= KEEP_HANDLED + 1
    assert not UpdateLedger(state).is_new(5)
