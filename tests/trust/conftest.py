"""Fixtures for the trust tests: fuzzing, faults, load. The fakes of tests/telegram and tests/messenger
are reused, so their folders go on the import path."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.answering import Answerer
from bot.app import BotParts, build_bot
from bot.settings import Settings

TESTS = Path(__file__).resolve().parent.parent
for folder in ("telegram", "messenger"):
    if str(TESTS / folder) not in sys.path:
        sys.path.append(str(TESTS / folder))


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls to 127.0.0.1 must not go through a proxy from the environment."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
def sqlite_bot(settings: Settings, answerer: Answerer, tmp_path: Path) -> Iterator[BotParts]:
    """A fresh dialogue over the shared answerer, with its state in a temporary SQLite file."""
    yield build_bot(settings.model_copy(update={"data_dir": tmp_path}), persistent=True, answerer=answerer)


@pytest.fixture
def fake_api() -> Iterator[Any]:
    """A fake Telegram Bot API server on 127.0.0.1 (tests/telegram/tg_fake_api.py)."""
    from tg_fake_api import FakeBotApi

    fake = FakeBotApi().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def fake_graph() -> Iterator[Any]:
    """A fake Graph API on 127.0.0.1 (tests/messenger/fb_fake_graph.py)."""
    from fb_fake_graph import FakeGraphApi

    fake = FakeGraphApi().start()
    try:
        yield fake
    finally:
        fake.stop()
