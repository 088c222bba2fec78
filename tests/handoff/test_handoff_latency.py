"""Time to notification over 50 handoffs (one by one, then all at once); `pytest -s` prints the figures."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hf_common import WARSAW, Clock
from hf_harness import FakeForumApi, handoff_core
from hf_latency import summary, time_to_notification

from bot.answering import Answerer
from bot.settings import Settings
from handoff.service import HandoffService

ALL_LANGUAGES_ON_DUTY = datetime(2026, 3, 10, 15, 0, tzinfo=WARSAW)  # Tuesday afternoon: English too


@pytest.fixture
def fake() -> Iterator[FakeForumApi]:
    """The fake Bot API with forum topics."""
    api = FakeForumApi().start()
    try:
        yield api
    finally:
        api.stop()


@pytest.mark.parametrize("burst", [False, True], ids=["one-by-one", "50-at-once"])
async def test_time_to_notification(
    burst: bool,
    fake: FakeForumApi,
    service: HandoffService,
    clock: Clock,
    settings: Settings,
    answerer: Answerer,
    tmp_path: Path,
) -> None:
    clock.set(ALL_LANGUAGES_ON_DUTY)
    core = handoff_core(settings, answerer, service)
    latencies = await time_to_notification(fake, core, service, tmp_path / "bot.db", count=50, burst=burst)
    print(f"\ntime to notification ({'50 at once' if burst else 'one by one'}): {summary(latencies)}")
    assert len(latencies) == 50
    # All at once, the figure is the fake server's throughput (about 50 Bot API calls a second on a small
    # machine, 4 calls a handoff), not the handoff's; the bound only catches something going badly wrong.
    assert statistics.quantiles(latencies, n=20)[18] < (20.0 if burst else 1.0)
