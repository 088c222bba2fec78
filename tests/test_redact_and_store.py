"""Identifiers never reach logs or reports; the store keeps, forgets and purges state."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.messages import ConversationKey
from bot.redact import redact
from bot.store import ConversationState, LoggedQuestion, MemoryStore, SqliteStore


@pytest.mark.parametrize(("text", "secret"), [
    ("мій песель 90010112345", "90010112345"),
    ("passport EK1234567 please help", "EK1234567"),
    ("call me +48 600 123 456", "600 123 456"),
    ("tel 600123456", "600123456"),
    ("mail: olena.k@gmail.com", "olena.k@gmail.com"),
    ("IBAN PL61 1090 1014 0000 0712 1981 2874", "1090 1014"),
    ("родилась 12.03.1990", "12.03.1990"),
    ("karta pobytu RP 1234567", "1234567"),
])
def test_identifiers_are_redacted(text: str, secret: str) -> None:
    assert secret not in redact(text)


@pytest.mark.parametrize("text", ["call 112 now", "116 123", "800 120 002", "800+ for 2 kids", "в 2024 році"])
def test_useful_numbers_survive(text: str) -> None:
    assert redact(text) == text


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> MemoryStore | SqliteStore:
    return MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "bot.db")


def question(key: ConversationKey, when: dt.datetime) -> LoggedQuestion:
    return LoggedQuestion(when, key, "uk", "де песель", "faq", "pesel", 0.9, "answer")


def test_state_round_trip_and_forget(store: MemoryStore | SqliteStore) -> None:
    key, other = ConversationKey("telegram", "1"), ConversationKey("telegram", "2")
    store.save(key, ConversationState(lang="uk", fallbacks=1, candidates=["pesel"]))
    store.save(other, ConversationState(lang="pl"))
    now = dt.datetime.now(dt.UTC)
    store.log_question(question(key, now))
    store.log_question(question(other, now))
    assert store.load(key).lang == "uk" and store.load(key).candidates == ["pesel"]
    assert store.forget(key) >= 2
    assert store.load(key) == ConversationState()
    assert [q.key for q in store.questions()] == [other]
    assert store.load(other).lang == "pl"


def test_sqlite_state_survives_reopening(tmp_path: Path) -> None:
    key = ConversationKey("messenger", "42")
    SqliteStore(tmp_path / "bot.db").save(key, ConversationState(lang="ru"))
    assert SqliteStore(tmp_path / "bot.db").load(key).lang == "ru"


def test_purge_removes_old_questions(store: MemoryStore | SqliteStore) -> None:
    key = ConversationKey("telegram", "1")
    now = dt.datetime.now(dt.UTC)
    store.log_question(question(key, now - dt.timedelta(days=100)))
    store.log_question(question(key, now))
    assert store.purge_before(now - dt.timedelta(days=90)) >= 1
    assert len(store.questions()) == 1
