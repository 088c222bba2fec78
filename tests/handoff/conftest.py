"""Fixtures for the handoff tests: a duty schedule, a clock the test moves, a service on a temporary file."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

for _helpers in ("telegram", "messenger"):  # the fake Bot API and Graph API servers and their harnesses
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / _helpers))

from hf_common import GROUP, ON_DUTY, SCHEDULE, Clock  # noqa: E402

from handoff.schedule import DutySchedule, load_schedule  # noqa: E402
from handoff.service import HandoffService  # noqa: E402
from handoff.tickets import TicketStore  # noqa: E402


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta durations, as run_telegram does."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
def schedule(tmp_path: Path) -> DutySchedule:
    """Olena (uk, ru, pl) and Anna (pl, en) on weekday duty; English on Tuesday and Thursday afternoons."""
    path = tmp_path / "duty.yaml"
    path.write_text(SCHEDULE, encoding="utf-8")
    return load_schedule(path)


@pytest.fixture
def clock() -> Clock:
    """Tuesday 10:00 in Warsaw, on duty for uk, ru and pl."""
    return Clock(ON_DUTY)


@pytest.fixture
def service(tmp_path: Path, schedule: DutySchedule, clock: Clock) -> Iterator[HandoffService]:
    """A handoff service on a temporary database file."""
    store = TicketStore(tmp_path / "handoff.db")
    yield HandoffService(store, schedule, GROUP, clock)
    store.close()
