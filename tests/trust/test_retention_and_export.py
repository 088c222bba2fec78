"""Retention deletes what is older than retention_days (fixed clocks); a person's data exported, erased."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from bot import cli
from bot.answering import Answerer
from bot.app import build_bot
from bot.channels.telegram_state import TelegramState
from bot.data_export import DataRequestError, export_user, forget_user, parse_user
from bot.messages import ConversationKey, IncomingMessage
from bot.retention import RetentionJob, purge_expired, start_retention
from bot.settings import Settings
from bot.store import ConversationState, LoggedQuestion, MemoryStore, SqliteStore
from handoff.tickets import TicketStore

NOW = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)  # the night Poland moves its clocks forward
OLD, RECENT = NOW - dt.timedelta(days=91), NOW - dt.timedelta(days=89)
ALICE, BOB = ConversationKey("telegram", "1001"), ConversationKey("messenger", "2002")


def question(key: ConversationKey, when: dt.datetime, text: str = "Jak dostać PESEL?") -> LoggedQuestion:
    return LoggedQuestion(when, key, "pl", text, "faq", "pesel", 0.9, "answer")


def fill(store: SqliteStore) -> None:
    """Alice wrote 91 days ago and not since; Bob 91 days ago and 89 days ago."""
    for key, when in ((ALICE, OLD), (BOB, RECENT)):
        store.save(key, ConversationState(lang="pl", user_id=key.chat_id))
        store.db.execute("UPDATE conversations SET updated = ? WHERE key = ?", [when.isoformat(), str(key)])
    store.db.conn.commit()
    for key in (ALICE, BOB):
        store.log_question(question(key, OLD))
        store.log_feedback(key, "pesel", True, OLD)
    store.log_question(question(BOB, RECENT))
    store.log_feedback(BOB, "pesel", False, RECENT)


def ticket(tickets: TicketStore, key: ConversationKey, closed: dt.datetime | None) -> int:
    row = tickets.add_ticket(
        channel=key.channel,
        chat_id=key.chat_id,
        user_id=key.chat_id,
        lang="pl",
        route_lang="pl",
        reason="asked",
        priority=False,
        status="closed" if closed else "waiting",
        created_at=OLD,
        closed_at=closed,
    )
    tickets.add_message(row.id, OLD, "person", "mój PESEL to [PESEL]")
    return row.id


def test_purge_removes_only_what_is_older_than_retention(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "bot.db")
    fill(store)
    tickets = TicketStore(tmp_path / "handoff.db")
    ticket(tickets, ALICE, closed=OLD)
    ticket(tickets, BOB, closed=RECENT)
    ticket(tickets, BOB, closed=None)  # still open: kept whatever its age
    report = purge_expired(store, 90, NOW, tickets)
    assert report.cutoff == NOW - dt.timedelta(days=90)
    assert report.conversations == 5  # Alice's state, 2 old questions, 2 old feedbacks
    assert report.handoff >= 2  # Alice's ticket and its transcript line
    assert store.load(ALICE) == ConversationState() and store.load(BOB).lang == "pl"
    assert [(q.key, q.when) for q in store.questions()] == [(BOB, RECENT)]
    assert [r["when"] for r in store.db["feedback"].rows] == [RECENT.isoformat()]
    assert sorted((t.chat_id, t.status) for t in tickets.tickets(("waiting", "closed"))) == [
        ("2002", "closed"),
        ("2002", "waiting"),
    ]
    assert purge_expired(store, 90, NOW, tickets).total == 0  # nothing more to do


def test_purge_in_local_time_gives_the_same_cutoff(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    store = SqliteStore(tmp_path / "bot.db")
    fill(store)
    report = purge_expired(store, 90, NOW.astimezone(ZoneInfo("Europe/Warsaw")))
    assert report.cutoff == NOW - dt.timedelta(days=90) and report.conversations == 5
    with pytest.raises(ValueError):
        purge_expired(store, 90, dt.datetime(2026, 3, 29, 1, 30))  # noqa: DTZ001 - the point of the test


def test_the_memory_store_purges_feedback_too() -> None:
    store = MemoryStore()
    store.log_feedback(ALICE, "pesel", True, OLD)
    store.log_feedback(BOB, "pesel", True, RECENT)
    store.log_question(question(ALICE, OLD))
    assert purge_expired(store, 90, NOW).conversations == 2
    assert [f[0] for f in store.feedback] == [BOB]


def test_blocked_telegram_chats_are_forgotten_after_retention(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "bot.db")
    state = TelegramState(tmp_path / "bot.db")
    state.mark_blocked("1001", "Forbidden: bot was blocked by the user")
    state.db.execute("UPDATE telegram_blocked SET blocked_at = ?", [OLD.isoformat(timespec="seconds")])
    state.db.conn.commit()
    state.mark_blocked("1002", "Forbidden")
    assert purge_expired(store, 90, dt.datetime.now(dt.UTC)).blocked == 1
    assert state.blocked_chats() == ["1002"]


def test_the_job_runs_at_start_and_then_every_period(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "bot.db")
    fill(store)
    clock = [NOW]
    job = RetentionJob(store, 90, clock=lambda: clock[0], every=dt.timedelta(seconds=0.05)).start()
    try:
        deadline = time.monotonic() + 5
        while not job.runs and time.monotonic() < deadline:
            time.sleep(0.01)
        assert job.runs[0].conversations == 5  # at start
        clock[0] = NOW + dt.timedelta(days=2)  # two days later Bob's recent things are 91 days old
        while len(job.runs) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sum(r.conversations for r in job.runs) == 8
    finally:
        job.stop()
    assert store.questions() == []


def test_a_failing_purge_is_logged_and_retried(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = SqliteStore(tmp_path / "bot.db")
    fill(store)
    store.db.execute("PRAGMA query_only = ON")
    job = RetentionJob(store, 90, clock=lambda: NOW)
    assert job.run_once() is None and "could not delete" in caplog.text
    store.db.execute("PRAGMA query_only = OFF")
    report = job.run_once()
    assert report is not None and report.conversations == 5


def test_zero_days_keeps_everything(tmp_path: Path) -> None:
    assert start_retention(SqliteStore(tmp_path / "bot.db"), 0) is None


def test_build_dialogue_starts_retention_and_the_rate_limit(
    settings: Settings, answerer: Answerer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import app

    started: list[tuple[object, int, object]] = []
    monkeypatch.setattr(app, "build_bot", lambda s: build_bot(s, answerer=answerer))
    monkeypatch.setattr(app, "start_faq_watcher", lambda parts: None)
    monkeypatch.setattr(app, "start_retention", lambda *args: started.append(args))
    dialogue = app.build_dialogue(
        settings.model_copy(update={"data_dir": tmp_path, "retention_days": 30, "rate_limit_per_minute": 12})
    )
    assert started == [(dialogue.store, 30, dialogue.handoff)]
    assert (
        dialogue.rate_limiter is not None and dialogue.rate_limiter.limit == 12
    )  # and the flood limit is on


# ----- access and erasure requests -------------------------------------------------------------------------


@pytest.fixture
def lived_in(settings: Settings, answerer: Answerer, tmp_path: Path) -> Settings:
    """A data_dir where Alice and Bob talked to the bot (the real core, persistent), Alice opened a ticket."""
    mine = settings.model_copy(update={"data_dir": tmp_path})
    core = build_bot(mine, persistent=True, answerer=answerer).dialogue
    for key, text in (
        (ALICE, "Jak dostać PESEL? Mój PESEL 02070803628"),
        (BOB, "How do I get a PESEL?"),
        (ALICE, "Як отримати карту побиту?"),
    ):
        core.handle(IncomingMessage(key.channel, key.chat_id, key.chat_id, text))
    core.handle(IncomingMessage(ALICE.channel, ALICE.chat_id, ALICE.chat_id, payload="fb:up:pesel"))
    tickets = TicketStore(mine.handoff_database_path)
    ticket(tickets, ALICE, closed=None)
    tickets.close()
    return mine


def test_export_holds_everything_about_one_conversation_and_nothing_else(lived_in: Settings) -> None:
    before = lived_in.database_path.read_bytes()
    data = export_user(lived_in, ALICE, now=NOW)
    assert data["conversation"] == "telegram:1001" and data["exported_at"] == NOW.isoformat()
    assert data["state"]["lang"] == "uk" and data["state"]["user_id"] == "1001"
    assert [q["text"] for q in data["questions"]] == [
        "Jak dostać PESEL? Mój PESEL [PESEL]",
        "Як отримати карту побиту?",
    ]
    assert [(f["faq_id"], f["useful"]) for f in data["feedback"]] == [("pesel", 1)]
    assert [t["chat_id"] for t in data["handoff"]["tickets"]] == ["1001"]
    assert [m["text"] for m in data["handoff"]["transcript"]] == ["mój PESEL to [PESEL]"]
    assert "2002" not in json.dumps(data) and "How do I get" not in json.dumps(data)
    assert lived_in.database_path.read_bytes() == before  # read-only
    assert export_user(lived_in, ConversationKey("telegram", "999"))["questions"] == []


def test_forget_erases_the_conversation_everywhere(lived_in: Settings) -> None:
    counts = forget_user(lived_in, ALICE)
    assert counts["conversation, questions, feedback"] == 4 and counts["handoff tickets"] == 1
    data = export_user(lived_in, ALICE)
    assert data["state"] is None and data["questions"] == data["feedback"] == []
    assert data["handoff"]["tickets"] == [] and data["handoff"]["transcript"] == []
    assert export_user(lived_in, BOB)["questions"]  # the others are untouched


def test_the_data_commands(
    lived_in: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text(f"data_dir: {tmp_path}\ncache_dir: {lived_in.cache_dir}\n", encoding="utf-8")
    monkeypatch.setattr(cli, "setup_logging", lambda verbose=False: None)
    assert cli.main(["--config", str(config), "data", "export", "--user", "telegram:1001"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert len(exported["questions"]) == 2
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    assert cli.main(["--config", str(config), "data", "forget", "--user", "telegram:1001"]) == 1
    assert cli.main(["--config", str(config), "data", "forget", "--user", "telegram:1001", "--yes"]) == 0
    assert "removed" in capsys.readouterr().out
    assert cli.main(["--config", str(config), "data", "export", "--user", "1001"]) == 2
    assert "CHANNEL:CHAT_ID" in capsys.readouterr().err
    assert cli.main(["--config", str(config), "data", "export", "--user", "telegram:1001"]) == 0
    assert json.loads(capsys.readouterr().out)["questions"] == []


@pytest.mark.parametrize("value", ["1001", "telegram:", ":1001", "tele gram:1", ""])
def test_a_malformed_user_is_refused(value: str) -> None:
    with pytest.raises(DataRequestError):
        parse_user(value)
    assert parse_user("telegram:-1001234") == ConversationKey("telegram", "-1001234")
