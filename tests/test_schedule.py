"""Duty hours: fixed clocks across windows, languages, DST weekends, Polish holidays and schedule files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest

from handoff import schedule as schedule_module
from handoff.errors import HandoffError
from handoff.schedule import (
    DutySchedule,
    advisors_on_duty,
    current_window_end,
    format_next_duty,
    is_on_duty,
    load_schedule,
    next_duty_start,
    polish_holidays,
)

WAW = ZoneInfo("Europe/Warsaw")
EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "duty.example.yaml"
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def at(*parts: int) -> datetime:
    """A Warsaw wall-clock instant."""
    return datetime(*parts, tzinfo=WAW)  # type: ignore[misc]


def make(**overrides: Any) -> DutySchedule:
    """The reference schedule: uk/ru weekdays 9-17 (olena), pl weekdays 9-17 (anna), en Tue/Thu 14-18 (anna)."""
    data: dict[str, Any] = {
        "advisors": {
            "olena": {"telegram_id": 111111111, "display_name": "Olena", "languages": ["uk", "ru"]},
            "anna": {"telegram_id": 222222222, "display_name": "Anna", "languages": ["pl", "en"]},
        },
        "windows": [
            {"days": WEEKDAYS, "start": "09:00", "end": "17:00", "languages": ["uk", "ru"], "advisors": ["olena"]},
            {"days": WEEKDAYS, "start": "09:00", "end": "17:00", "languages": ["pl"], "advisors": ["anna"]},
            {"days": ["tue", "thu"], "start": "14:00", "end": "18:00", "languages": ["en"], "advisors": ["anna"]},
        ],
    }
    data.update(overrides)
    return DutySchedule.model_validate(data)


def monday_14(**overrides: Any) -> DutySchedule:
    """One window: Mondays 14:00-18:00 in English."""
    return make(windows=[{"days": ["mon"], "start": "14:00", "end": "18:00", "languages": ["en"]}], **overrides)


# ---------------------------------------------------------------- windows and languages


def test_inside_and_outside_a_window() -> None:
    s = make()
    assert is_on_duty(at(2026, 3, 3, 10, 0), s, "uk")
    assert is_on_duty(at(2026, 3, 3, 9, 0), s, "uk")  # the start is inside
    assert not is_on_duty(at(2026, 3, 3, 17, 0), s, "uk")  # the end is outside
    assert not is_on_duty(at(2026, 3, 3, 8, 59), s, "uk")
    assert not is_on_duty(at(2026, 3, 7, 10, 0), s, "uk")  # Saturday


def test_per_language() -> None:
    s = make()
    monday_15, tuesday_15, tuesday_10 = at(2026, 3, 2, 15, 0), at(2026, 3, 3, 15, 0), at(2026, 3, 3, 10, 0)
    assert not is_on_duty(monday_15, s, "en")
    assert is_on_duty(tuesday_15, s, "en")
    assert not is_on_duty(tuesday_10, s, "en")
    assert is_on_duty(tuesday_10, s, "ru") and is_on_duty(tuesday_10, s, "pl")
    assert not is_on_duty(tuesday_10, s, "de")
    assert advisors_on_duty(tuesday_10, s, "uk") == ["olena"]
    assert advisors_on_duty(tuesday_10, s, "en") == []
    assert advisors_on_duty(tuesday_15, s, "en") == ["anna"]


def test_advisors_on_duty_lists_only_those_speaking_the_language() -> None:
    s = make(
        advisors={
            "olena": {"telegram_id": 1, "display_name": "Olena", "languages": ["uk", "pl"]},
            "ivan": {"telegram_id": 2, "display_name": "Ivan", "languages": ["ru", "pl"]},
        },
        windows=[{"days": WEEKDAYS, "start": "09:00", "end": "17:00", "languages": ["uk", "ru", "pl"],
                  "advisors": ["olena", "ivan"]}],
    )
    now = at(2026, 3, 3, 10, 0)
    assert advisors_on_duty(now, s, "uk") == ["olena"]
    assert advisors_on_duty(now, s, "ru") == ["ivan"]
    assert advisors_on_duty(now, s, "pl") == ["olena", "ivan"]
    assert advisors_on_duty(at(2026, 3, 3, 18, 0), s, "pl") == []


def test_current_window_end() -> None:
    s = make()
    assert current_window_end(at(2026, 3, 3, 15, 0), s, "en") == at(2026, 3, 3, 18, 0)
    assert current_window_end(at(2026, 3, 3, 15, 0), s, "uk") == at(2026, 3, 3, 17, 0)
    assert current_window_end(at(2026, 3, 3, 13, 0), s, "en") is None


def test_adjoining_windows_count_as_one_duty() -> None:
    s = make(windows=[
        {"days": ["mon"], "start": "09:00", "end": "13:00", "languages": ["pl"]},
        {"days": ["mon"], "start": "13:00", "end": "17:00", "languages": ["pl"]},
    ])
    assert current_window_end(at(2026, 3, 2, 10, 0), s, "pl") == at(2026, 3, 2, 17, 0)
    assert next_duty_start(at(2026, 3, 2, 10, 0), s, "pl") == at(2026, 3, 9, 9, 0)


def test_next_duty_start_same_day_later_and_next_week() -> None:
    s = make()
    assert next_duty_start(at(2026, 3, 3, 7, 30), s, "uk") == at(2026, 3, 3, 9, 0)
    assert next_duty_start(at(2026, 3, 3, 9, 0), s, "uk") == at(2026, 3, 3, 9, 0)
    assert next_duty_start(at(2026, 3, 6, 17, 0), s, "uk") == at(2026, 3, 9, 9, 0)  # Friday evening -> Monday
    assert next_duty_start(at(2026, 3, 3, 18, 0), s, "en") == at(2026, 3, 5, 14, 0)


def test_next_duty_start_accepts_any_zone_and_answers_in_the_schedule_zone() -> None:
    s = make()
    result = next_duty_start(datetime(2026, 3, 3, 5, 0, tzinfo=UTC), s, "uk")
    assert result == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert result is not None and result.tzinfo == WAW and result.hour == 9


# ---------------------------------------------------------------- daylight saving time


def test_march_dst_change_monday_window_still_starts_at_14_local() -> None:
    s = monday_14()  # clocks go forward on Sunday 2026-03-29
    assert not is_on_duty(datetime(2026, 3, 30, 11, 30, tzinfo=UTC), s, "en")  # 13:30 CEST
    assert is_on_duty(datetime(2026, 3, 30, 12, 0, tzinfo=UTC), s, "en")  # 14:00 CEST
    assert current_window_end(at(2026, 3, 30, 15, 0), s, "en") == datetime(2026, 3, 30, 16, 0, tzinfo=UTC)


def test_march_dst_change_next_duty_start_across_the_change() -> None:
    s = monday_14()
    before = next_duty_start(at(2026, 3, 28, 12, 0), s, "en")  # Saturday, still CET
    assert before == datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
    assert before is not None and (before.hour, before.minute) == (14, 0)
    assert before.utcoffset() == timedelta(hours=2)
    # A week earlier the same window was at 13:00 UTC.
    assert next_duty_start(at(2026, 3, 21, 12, 0), s, "en") == datetime(2026, 3, 23, 13, 0, tzinfo=UTC)


def test_october_dst_change_monday_window_still_starts_at_14_local() -> None:
    s = monday_14()  # clocks go back on Sunday 2026-10-25
    assert not is_on_duty(datetime(2026, 10, 26, 12, 30, tzinfo=UTC), s, "en")  # 13:30 CET
    assert is_on_duty(datetime(2026, 10, 26, 13, 0, tzinfo=UTC), s, "en")  # 14:00 CET
    before = next_duty_start(at(2026, 10, 24, 12, 0), s, "en")  # Saturday, still CEST
    assert before == datetime(2026, 10, 26, 13, 0, tzinfo=UTC)
    assert before is not None and (before.hour, before.minute) == (14, 0)
    assert before.utcoffset() == timedelta(hours=1)
    assert next_duty_start(at(2026, 10, 17, 12, 0), s, "en") == datetime(2026, 10, 19, 12, 0, tzinfo=UTC)


def test_window_on_the_night_of_the_october_change_uses_wall_clock_times() -> None:
    s = make(windows=[{"days": ["sun"], "start": "01:00", "end": "05:00", "languages": ["en"]}])
    # 01:00 CEST = 23:00 UTC on Saturday; 05:00 CET = 04:00 UTC: five real hours.
    assert is_on_duty(datetime(2026, 10, 24, 23, 30, tzinfo=UTC), s, "en")
    assert current_window_end(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), s, "en") == datetime(
        2026, 10, 25, 4, 0, tzinfo=UTC)


# ---------------------------------------------------------------- Polish holidays


def test_installed_holidays_knows_christmas_eve_from_2025() -> None:
    pl = holidays.country_holidays("PL", years=[2024, 2025, 2026])
    assert date(2025, 12, 24) in pl and date(2026, 12, 24) in pl
    assert date(2024, 12, 24) not in pl


def test_christmas_eve_added_when_holidays_package_does_not_know_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schedule_module.holidays, "country_holidays", lambda *a, **k: {})
    polish_holidays.cache_clear()
    try:
        assert date(2027, 12, 24) in polish_holidays(2027)
        assert date(2024, 12, 24) not in polish_holidays(2024)
    finally:
        polish_holidays.cache_clear()


@pytest.mark.parametrize(
    ("holiday", "next_open"),
    [
        (at(2025, 11, 11, 10, 0), at(2025, 11, 12, 9, 0)),  # Independence Day, Tuesday
        (at(2026, 11, 11, 10, 0), at(2026, 11, 12, 9, 0)),  # Independence Day, Wednesday
        (at(2026, 4, 6, 10, 0), at(2026, 4, 7, 9, 0)),  # Easter Monday
        (at(2025, 12, 24, 10, 0), at(2025, 12, 29, 9, 0)),  # Wed 24 -> 25, 26, weekend -> Mon 29
        (at(2026, 12, 24, 10, 0), at(2026, 12, 28, 9, 0)),  # Thu 24 -> 25, weekend -> Mon 28
    ],
)
def test_polish_holidays_close_the_point(holiday: datetime, next_open: datetime) -> None:
    s = make()
    assert not is_on_duty(holiday, s, "uk")
    assert advisors_on_duty(holiday, s, "uk") == []
    assert current_window_end(holiday, s, "uk") is None
    assert next_duty_start(holiday.replace(hour=7), s, "uk") == next_open


def test_next_duty_start_skips_holidays_from_the_evening_before() -> None:
    assert next_duty_start(at(2025, 12, 23, 18, 0), make(), "pl") == at(2025, 12, 29, 9, 0)
    assert next_duty_start(at(2026, 4, 3, 18, 0), make(), "pl") == at(2026, 4, 7, 9, 0)  # Good Friday evening


def test_christmas_eve_2024_was_a_working_day() -> None:
    assert is_on_duty(at(2024, 12, 24, 10, 0), make(), "uk")


def test_holidays_close_false_keeps_the_point_open() -> None:
    s = make(holidays_close=False)
    assert is_on_duty(at(2026, 11, 11, 10, 0), s, "uk")
    assert is_on_duty(at(2025, 12, 24, 10, 0), s, "uk")


# ---------------------------------------------------------------- closures and extra days


def test_closure_single_date_and_range() -> None:
    s = make(closures=[date(2026, 3, 3), {"from": date(2026, 3, 9), "to": date(2026, 3, 13)}])
    assert not is_on_duty(at(2026, 3, 3, 10, 0), s, "uk")
    assert is_on_duty(at(2026, 3, 4, 10, 0), s, "uk")
    assert not is_on_duty(at(2026, 3, 13, 10, 0), s, "uk")
    assert next_duty_start(at(2026, 3, 6, 18, 0), s, "uk") == at(2026, 3, 16, 9, 0)


def test_extra_day_opens_a_saturday() -> None:
    s = make(extra_days=[{"date": "2026-03-07", "start": "10:00", "end": "14:00", "languages": ["uk"],
                          "advisors": ["olena"]}])
    saturday = at(2026, 3, 7, 11, 0)
    assert is_on_duty(saturday, s, "uk")
    assert not is_on_duty(saturday, s, "ru")
    assert advisors_on_duty(saturday, s, "uk") == ["olena"]
    assert current_window_end(saturday, s, "uk") == at(2026, 3, 7, 14, 0)
    assert next_duty_start(at(2026, 3, 6, 18, 0), s, "uk") == at(2026, 3, 7, 10, 0)


def test_extra_day_wins_over_a_holiday_but_not_over_a_closure() -> None:
    extra = {"date": "2026-11-11", "start": "10:00", "end": "12:00", "languages": ["pl"]}
    assert is_on_duty(at(2026, 11, 11, 11, 0), make(extra_days=[extra]), "pl")
    assert not is_on_duty(at(2026, 11, 11, 15, 0), make(extra_days=[extra]), "pl")  # weekly window stays closed
    closed = make(extra_days=[extra], closures=["2026-11-11"])
    assert not is_on_duty(at(2026, 11, 11, 11, 0), closed, "pl")


# ---------------------------------------------------------------- edges


@pytest.mark.parametrize("function", [is_on_duty, advisors_on_duty, next_duty_start, current_window_end])
def test_naive_datetime_raises(function: Any) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        function(datetime(2026, 3, 3, 10, 0), make(), "uk")  # noqa: DTZ001


def test_format_next_duty_rejects_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_next_duty(datetime(2026, 3, 3, 10, 0), "pl")  # noqa: DTZ001


def test_next_duty_start_none_when_nothing_is_scheduled() -> None:
    assert next_duty_start(at(2026, 3, 3, 10, 0), DutySchedule(), "uk") is None
    assert next_duty_start(at(2026, 3, 3, 10, 0), make(), "de") is None


def test_next_duty_start_none_beyond_60_days() -> None:
    s = make(windows=[], extra_days=[{"date": "2026-06-01", "start": "10:00", "end": "12:00", "languages": ["uk"]}])
    assert next_duty_start(at(2026, 3, 1, 10, 0), s, "uk") is None
    assert next_duty_start(at(2026, 4, 10, 10, 0), s, "uk") == at(2026, 6, 1, 10, 0)
    long_closure = make(closures=[{"from": "2026-03-01", "to": "2026-06-30"}])
    assert next_duty_start(at(2026, 3, 1, 10, 0), long_closure, "uk") is None


# ---------------------------------------------------------------- schedule files


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "duty.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads() -> None:
    s = load_schedule(EXAMPLE)
    assert s.timezone == "Europe/Warsaw" and s.holidays_close
    assert is_on_duty(at(2026, 3, 3, 15, 0), s, "en")
    assert advisors_on_duty(at(2026, 3, 3, 10, 0), s, "uk") == ["olena"]
    assert not is_on_duty(at(2026, 5, 4, 10, 0), s, "pl")  # the closure


def test_unquoted_times_are_read_as_clock_times(tmp_path: Path) -> None:
    path = write(tmp_path, "windows:\n  - days: [mon]\n    start: 9:00\n    end: 14:30\n    languages: [pl]\n")
    window = load_schedule(path).windows[0]
    assert (window.start.hour, window.start.minute, window.end.hour, window.end.minute) == (9, 0, 14, 30)


BROKEN_END = """\
timezone: Europe/Warsaw
windows:
  - days: [mon]
    start: "09:00"
    end: "17:00"
    languages: [pl]
  - days: [tue]
    start: "14:00"
    end: "12:00"
    languages: [en]
"""


def test_broken_file_names_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, BROKEN_END)
    with pytest.raises(HandoffError) as err:
        load_schedule(path)
    message = str(err.value)
    assert str(path) in message
    assert "line 9" in message
    assert "windows → item 2 → end" in message
    assert "later than the start" in message


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ("windows:\n  - days: [mon]\n    start: '09:00'\n    end: '17:00'\n    langauges: [pl]\n",
         5, "langauges", "unknown key"),
        ("windows:\n  - days: [mon]\n    start: '09:00'\n    end: '17:00'\n", 2, "languages", "missing"),
        ("windows:\n  - days: [monday]\n    start: '09:00'\n    end: '17:00'\n    languages: [pl]\n",
         2, "days → item 1", "'mon'"),
        ("windows:\n  - days: [mon]\n    start: 'noon'\n    end: '17:00'\n    languages: [pl]\n",
         3, "start", "hours:minutes"),
        ("timezone: Europe/Warszawa\n", 1, "timezone", "unknown time zone"),
        ("advisors:\n  olena:\n    telegram_id: abc\n    display_name: Olena\n    languages: [uk]\n",
         3, "advisors → olena → telegram_id", "integer"),
        ("closures:\n  - from: 2026-05-10\n    to: 2026-05-01\n", 3, "closures → item 1 → to", "before"),
        ("advisors: {}\nwindows:\n  - days: [mon]\n    start: '09:00'\n    end: '17:00'\n"
         "    languages: [pl]\n    advisors: [olena]\n", 7, "advisors → item 1", "unknown advisor 'olena'"),
        ("advisors:\n  anna: {telegram_id: 1, display_name: Anna, languages: [pl]}\n"
         "windows:\n  - days: [mon]\n    start: '09:00'\n    end: '17:00'\n"
         "    languages: [pl, en]\n    advisors: [anna]\n", 7, "languages → item 2", "speaks 'en'"),
    ],
)
def test_schedule_errors_in_plain_words(tmp_path: Path, text: str, line: int, key: str, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(HandoffError) as err:
        load_schedule(path)
    message = str(err.value)
    assert str(path) in message
    assert f"line {line}," in message
    assert key in message
    assert words in message


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "windows:\n  - days: [mon\n    start: '09:00'\n")
    with pytest.raises(HandoffError, match=r"duty\.yaml, line \d+: not valid YAML"):
        load_schedule(path)


def test_missing_file_and_wrong_top_level(tmp_path: Path) -> None:
    with pytest.raises(HandoffError, match="cannot read the duty schedule"):
        load_schedule(tmp_path / "nope.yaml")
    with pytest.raises(HandoffError, match="expected key: value pairs"):
        load_schedule(write(tmp_path, "- mon\n- tue\n"))


def test_empty_file_is_an_empty_schedule(tmp_path: Path) -> None:
    s = load_schedule(write(tmp_path, "# nothing yet\n"))
    assert s.windows == [] and next_duty_start(at(2026, 3, 3, 10, 0), s, "uk") is None


# ---------------------------------------------------------------- wording


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("uk", "вівторок, 25 листопада, о 14:00 (за польським часом)"),
        ("ru", "вторник, 25 ноября, в 14:00 (по польскому времени)"),
        ("pl", "wtorek, 25 listopada, o 14:00 (czasu polskiego)"),
        ("en", "Tuesday, 25 November, at 14:00 (Polish time)"),
    ],
)
def test_format_next_duty(lang: str, expected: str) -> None:
    assert format_next_duty(at(2025, 11, 25, 14, 0), lang) == expected
    assert format_next_duty(datetime(2025, 11, 25, 13, 0, tzinfo=UTC), lang) == expected  # shown in Polish time


def test_format_next_duty_genitive_months_and_other_days() -> None:
    friday = at(2026, 5, 15, 9, 30)
    assert format_next_duty(friday, "uk") == "п’ятниця, 15 травня, о 9:30 (за польським часом)"
    assert format_next_duty(friday, "ru") == "пятница, 15 мая, в 9:30 (по польскому времени)"
    assert format_next_duty(friday, "pl") == "piątek, 15 maja, o 9:30 (czasu polskiego)"
    sunday = at(2026, 3, 1, 11, 0)
    assert format_next_duty(sunday, "uk") == "неділя, 1 березня, об 11:00 (за польським часом)"
    assert format_next_duty(sunday, "pl") == "niedziela, 1 marca, o 11:00 (czasu polskiego)"


def test_format_next_duty_unknown_language() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        format_next_duty(at(2025, 11, 25, 14, 0), "de")
