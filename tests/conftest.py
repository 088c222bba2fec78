"""Shared fixtures: the real answering pipeline on the real FAQ (embeddings cached on disk across runs)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from bot.answering import Answerer
from bot.app import BotParts, build_answerer, build_bot
from bot.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to a non-loopback address fails the test."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(host, str) and not (host.startswith("127.") or host in ("::1", "localhost", "")) \
                and self.family in (socket.AF_INET, socket.AF_INET6):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Project settings with state in a temporary folder (the embedding cache stays shared)."""
    return load_settings(data_dir=tmp_path_factory.mktemp("var"))


@pytest.fixture(scope="session")
def answerer(settings: Settings) -> Answerer:
    """The real answering pipeline over faq_data/, built once per test session."""
    return build_answerer(settings)


@pytest.fixture
def bot(settings: Settings, answerer: Answerer) -> Iterator[BotParts]:
    """A fresh dialogue (in-memory state) over the shared answerer."""
    yield build_bot(settings, persistent=False, answerer=answerer)
