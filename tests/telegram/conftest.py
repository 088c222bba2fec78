"""Fixtures for the Telegram channel tests: the fake Bot API, a stand-in core, a running bot, no internet."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tg_fake_api import FakeBotApi
from tg_harness import RecordingDialogue

_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", None}


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that resolves or connects to anything but this machine."""
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and address[0] not in _LOCAL_HOSTS:
            raise AssertionError(f"test tried to reach {address}")
        return real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in _LOCAL_HOSTS:
            raise AssertionError(f"test tried to resolve {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta durations, as run_telegram does, so RetryAfter warns of nothing."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    """A fake Bot API server, stopped (with all its threads) at the end of the test."""
    fake = FakeBotApi().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh SQLite file for the channel's state."""
    return tmp_path / "bot.db"


@pytest.fixture
def dialogue() -> RecordingDialogue:
    """The stand-in core with its scripted answers."""
    return RecordingDialogue()
