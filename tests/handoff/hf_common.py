"""What the handoff tests share: the advisors' group, the people, a duty schedule, a clock the test moves."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")
GROUP = -1001234567890  # the advisors' forum supergroup
OLENA, ANNA, STRANGER = 111, 222, 333  # two advisors in the schedule, one member who is not

SCHEDULE = """
timezone: Europe/Warsaw
holidays_close: true
advisors:
  olena: {telegram_id: 111, display_name: Olena, languages: [uk, ru, pl]}
  anna: {telegram_id: 222, display_name: Anna, languages: [pl, en]}
windows:
  - {days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00", languages: [uk, ru], advisors: [olena]}
  - {days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00", languages: [pl], advisors: [anna, olena]}
  - {days: [tue, thu], start: "14:00", end: "18:00", languages: [en], advisors: [anna]}
"""

ON_DUTY = datetime(2026, 3, 10, 10, 0, tzinfo=WARSAW)  # Tuesday morning: uk, ru, pl served
OFF_DUTY = datetime(2026, 3, 14, 22, 0, tzinfo=WARSAW)  # Saturday night
NEXT_WINDOW = datetime(2026, 3, 16, 9, 0, tzinfo=WARSAW)  # Monday 9:00, the next uk/ru/pl window


class Clock:
    """A timezone-aware clock that only moves when the test says so."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        """Jump to `now`."""
        self.now = now

    def advance(self, **delta: float) -> None:
        """Move forward by a timedelta's worth (minutes=10, seconds=30…)."""
        self.now += timedelta(**delta)
