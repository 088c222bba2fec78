"""Fixtures for the Messenger channel tests: the fake Graph API, a stand-in core, no proxies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fb_fake_graph import FakeGraphApi
from fb_harness import RecordingDialogue


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls to 127.0.0.1 must not go through a proxy from the environment."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def fake_graph() -> Iterator[FakeGraphApi]:
    """A fake Graph API, stopped (with its threads) at the end of the test."""
    fake = FakeGraphApi().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def dialogue() -> RecordingDialogue:
    """The stand-in core with its scripted answers."""
    return RecordingDialogue()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh SQLite file for the channel's state."""
    return tmp_path / "messenger.db"
