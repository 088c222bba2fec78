"""A read-only or full disk: one clear error in the log, and FAQ questions keep being answered."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import pytest
from tg_fake_api import FakeBotApi
from tg_harness import running_bot

from bot.answering import Answerer
from bot.app import BotParts, build_bot
from bot.messages import IncomingMessage
from bot.settings import Settings
from bot.store import SqliteStore

QUESTIONS = [
    "Jak dostać numer PESEL?",
    "Як отримати PESEL?",
    "How do I get a PESEL number?",
    "Как получить PESEL?",
    "Jak dostać numer PESEL?",
]


class BrokenStore(SqliteStore):
    """A store whose every call fails the way SQLite fails on a read-only or vanished disk."""

    def load(self, key: object) -> object:  # type: ignore[override]
        raise sqlite3.OperationalError("disk I/O error")

    def save(self, key: object, state: object) -> None:  # type: ignore[override]
        raise sqlite3.OperationalError("attempt to write a readonly database")

    def log_question(self, item: object) -> None:  # type: ignore[override]
        raise sqlite3.OperationalError("attempt to write a readonly database")

    def log_feedback(self, *args: object) -> None:  # type: ignore[override]
        raise sqlite3.OperationalError("attempt to write a readonly database")


def ask(parts: BotParts, text: str, chat: str = "5001", payload: str | None = None) -> list[object]:
    return parts.dialogue.handle(IncomingMessage("telegram", chat, chat, text, payload))  # type: ignore[return-value]


def answered_pesel(replies: list[object]) -> bool:
    return any(getattr(r, "meta", {}).get("faq_id") == "pesel" for r in replies)


@pytest.fixture
def parts_on(settings: Settings, answerer: Answerer, tmp_path: Path) -> BotParts:
    return build_bot(settings.model_copy(update={"data_dir": tmp_path}), persistent=True, answerer=answerer)


def failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_store_that_raises_does_not_stop_faq_answers(
    parts_on: BotParts, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    parts_on.dialogue.store = BrokenStore(tmp_path / "broken.db")
    for text in QUESTIONS:
        assert answered_pesel(ask(parts_on, text))
    assert ask(parts_on, "", payload="fb:up:pesel")  # thanked, even if the 👍 could not be stored
    errors = failures(caplog)
    # One clear error per kind of store call, not one per message.
    assert sorted(r.getMessage().split(":")[1].split(" failed")[0].strip() for r in errors) == [
        "feedback",
        "load",
        "question log",
        "save",
    ]
    assert all("read-only or full disk" in r.getMessage() and r.exc_info for r in errors)


def test_a_read_only_database_file(parts_on: BotParts, caplog: pytest.LogCaptureFixture) -> None:
    assert answered_pesel(ask(parts_on, QUESTIONS[0]))  # a working start: the state is saved
    store = parts_on.store
    assert isinstance(store, SqliteStore)
    store.db.execute("PRAGMA query_only = ON")  # what SQLite does with a file it may not write
    for text in QUESTIONS:
        assert answered_pesel(ask(parts_on, text))
    errors = failures(caplog)
    assert len(errors) == 2  # save and question log, once each
    assert any("readonly" in str(r.exc_info[1]) for r in errors if r.exc_info)
    store.db.execute("PRAGMA query_only = OFF")  # the disk is writable again
    caplog.clear()
    assert answered_pesel(ask(parts_on, QUESTIONS[1]))
    assert not failures(caplog) and "works again" in caplog.text
    assert len(store.questions()) == 2


def test_a_full_disk(parts_on: BotParts, caplog: pytest.LogCaptureFixture) -> None:
    store = parts_on.store
    assert isinstance(store, SqliteStore)
    ask(parts_on, QUESTIONS[0])
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # not one page more: SQLITE_FULL
    for n in range(40):
        assert answered_pesel(ask(parts_on, QUESTIONS[n % 4], chat=f"full{n}-" + "x" * 200))
    errors = failures(caplog)
    assert errors and len(errors) <= 2
    assert any("full" in str(r.exc_info[1]) for r in errors if r.exc_info)


async def test_telegram_keeps_answering_on_a_read_only_database(
    fake_api: FakeBotApi, parts_on: BotParts, caplog: pytest.LogCaptureFixture
) -> None:
    """The channel's own bookkeeping (handled update ids) lives in the same file: it must not stop answers
    either, and a failed bookkeeping write must not make the chat's next update repeat the previous one."""
    db = parts_on.settings.database_path
    store = parts_on.store
    assert isinstance(store, SqliteStore)
    async with running_bot(fake_api, parts_on.dialogue, db) as channel:
        fake_api.message(7001, QUESTIONS[0])
        await fake_api.wait_for(lambda: len(fake_api.texts(7001)) == 1, timeout=30)
        store.db.execute("PRAGMA query_only = ON")
        channel.state.db.execute("PRAGMA query_only = ON")
        for text in QUESTIONS[1:]:
            fake_api.message(7001, text)
            fake_api.message(7002, text)
        await fake_api.wait_for(
            lambda: len(fake_api.texts(7001)) == 5 and len(fake_api.texts(7002)) == 4, timeout=60
        )
        await asyncio.sleep(0.5)
    assert all("PESEL" in t for t in fake_api.texts(7001) + fake_api.texts(7002))
    assert len(fake_api.texts(7001)) == 5 and len(fake_api.texts(7002)) == 4  # nothing answered twice
    assert "Task exception was never retrieved" not in caplog.text


def test_the_sqlite_store_works_from_worker_threads(tmp_path: Path) -> None:
    """Regression: the store's connection refused use from any thread but its creator's, and the channels call
    the core through asyncio.to_thread, so every load and save of the Telegram and Messenger bots failed."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.messages import ConversationKey
    from bot.store import ConversationState

    store = SqliteStore(tmp_path / "bot.db")
    keys = [ConversationKey("telegram", str(n)) for n in range(40)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: store.save(k, ConversationState(lang="pl", user_id=k.chat_id)), keys))
        states = list(pool.map(store.load, keys))
    assert [s.user_id for s in states] == [k.chat_id for k in keys]


def test_stores_open_while_another_connection_writes(tmp_path: Path) -> None:
    """Regression: `migrant-bot telegram` died at start-up with "database is locked" when the retention purge
    (a thread) wrote to bot.db while the channel created its tables; the Messenger process opening bot.db
    while the Telegram process writes hit the same. A schema read that turns into a write fails at once in
    WAL mode, so both now take the write lock first."""
    import datetime as dt
    import threading

    from bot.channels.telegram_state import TelegramState

    for n in range(8):
        path = tmp_path / f"bot{n}.db"
        writer_store = SqliteStore(path)
        stop = threading.Event()

        def write(store: SqliteStore = writer_store, stop: threading.Event = stop) -> None:
            while not stop.is_set():
                store.purge_before(dt.datetime.now(dt.UTC))

        writer = threading.Thread(target=write)
        writer.start()
        try:
            TelegramState(path).close()
            SqliteStore(path).db.close()
        finally:
            stop.set()
            writer.join()
