"""Duty hours ("dyżury"): the schedule file, and pure functions of a timezone-aware `now` over it.

Windows are wall-clock times in the schedule's time zone: a 14:00 window starts at 14:00 local time
on both sides of the daylight-saving changes. On a given date the rules are, in order:
a closure closes everything; an extra day is open (it names its date explicitly, so it wins over a
public holiday); the weekly windows are open unless `holidays_close` and the date is a Polish public
holiday.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from handoff.errors import HandoffError

Lang = Literal["uk", "ru", "pl", "en"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HORIZON_DAYS = 60
POLISH_ZONE = ZoneInfo("Europe/Warsaw")


class _LocatedError(ValueError):
    """A validation problem that knows its key path below the model that raised it."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _parse_wall_time(value: Any) -> Any:
    if isinstance(value, time):
        return value
    if isinstance(value, str) and (m := re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)):
        hour, minute = int(m.group(1)), int(m.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
        raise ValueError(f'"{value}" is not a time of day; use 00:00 to 23:59')
    raise ValueError(f'write the time as hours:minutes in quotes, e.g. "14:00" (got {value!r})')


WallTime = Annotated[time, BeforeValidator(_parse_wall_time)]
LangField = Annotated[Lang, BeforeValidator(_lower)]
WeekdayField = Annotated[Weekday, BeforeValidator(_lower)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Advisor(_Model):
    """A person who answers chats; the key in `advisors` is how windows refer to them."""

    telegram_id: int
    display_name: str = Field(min_length=1)
    languages: list[LangField] = Field(min_length=1)


class _Slot(_Model):
    """Hours on one day, the languages served and the advisors on duty."""

    start: WallTime
    end: WallTime
    languages: list[LangField] = Field(min_length=1)
    advisors: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _end_after_start(self) -> _Slot:
        if self.end <= self.start:
            raise _LocatedError(("end",), f"the end ({self.end:%H:%M}) must be later than the start "
                                f"({self.start:%H:%M}); a window cannot cross midnight, split it in two")
        return self


class WeeklyWindow(_Slot):
    """A duty window repeated every week on the given days."""

    days: list[WeekdayField] = Field(min_length=1)


class ExtraDay(_Slot):
    """A one-off duty window on a specific date."""

    day: date = Field(alias="date")


class DateRange(_Model):
    """A closure: one date, or the dates from `from` to `to` inclusive."""

    first: date = Field(alias="from")
    last: date = Field(alias="to")

    @model_validator(mode="before")
    @classmethod
    def _single_date(cls, value: Any) -> Any:
        if isinstance(value, date | str) and not isinstance(value, datetime):
            return {"from": value, "to": value}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.last < self.first:
            raise _LocatedError(("to",), f"'to' ({self.last}) is before 'from' ({self.first})")
        return self

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


class DutySchedule(_Model):
    """The whole schedule file: time zone, weekly windows, advisors, closures and extra days."""

    timezone: str = "Europe/Warsaw"
    windows: list[WeeklyWindow] = Field(default_factory=list)
    advisors: dict[str, Advisor] = Field(default_factory=dict)
    closures: list[DateRange] = Field(default_factory=list)
    extra_days: list[ExtraDay] = Field(default_factory=list)
    holidays_close: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use a name such as Europe/Warsaw") from None
        return value

    @model_validator(mode="after")
    def _advisors_known_and_speaking(self) -> DutySchedule:
        slots: list[tuple[str, int, _Slot]] = [("windows", i, w) for i, w in enumerate(self.windows)]
        slots += [("extra_days", i, e) for i, e in enumerate(self.extra_days)]
        for section, i, slot in slots:
            for j, key in enumerate(slot.advisors):
                if key not in self.advisors:
                    known = ", ".join(sorted(self.advisors)) or "none"
                    raise _LocatedError((section, i, "advisors", j),
                                        f"unknown advisor {key!r}; the advisors section has: {known}")
            if not slot.advisors:
                continue
            spoken = {lang for key in slot.advisors for lang in self.advisors[key].languages}
            for k, lang in enumerate(slot.languages):
                if lang not in spoken:
                    raise _LocatedError((section, i, "languages", k), f"none of this window's advisors "
                                        f"({', '.join(slot.advisors)}) speaks {lang!r}")
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The schedule's time zone."""
        return ZoneInfo(self.timezone)


# ---------------------------------------------------------------- loading


class _ScheduleLoader(yaml.SafeLoader):
    """SafeLoader that keeps clock times such as 14:00 as text.

    YAML 1.1 reads an unquoted 14:00 as the base-60 number 840, which would turn every
    unquoted window time into nonsense.
    """


_ScheduleLoader.yaml_implicit_resolvers = {
    first: [("tag:yaml.org,2002:str", re.compile(r"^\d{1,2}:\d{2}$")), *resolvers]
    if first in "0123456789" else list(resolvers)
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _line_of(root: yaml.Node | None, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the deepest node along `loc` that exists in the file."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if str(k.value) == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _describe_loc(loc: tuple[str | int, ...]) -> str:
    return " → ".join(f"item {part + 1}" if isinstance(part, int) else part for part in loc) or "top level"


_PLAIN_MESSAGES = {
    "missing": "this key is required but missing",
    "extra_forbidden": "unknown key (check the spelling)",
    "too_short": "must list at least one value",
}


def _plain_message(error: Any) -> str:
    if error["type"] in _PLAIN_MESSAGES:
        return _PLAIN_MESSAGES[error["type"]]
    return str(error["msg"]).removeprefix("Value error, ")


def _located(error: Any) -> tuple[tuple[str | int, ...], str]:
    loc = tuple(error["loc"])
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, _LocatedError):
        loc += cause.loc
    return loc, _plain_message(error)


def _validation_message(path: Path, root: yaml.Node | None, exc: ValidationError) -> str:
    problems: list[tuple[int, str]] = []
    for error in exc.errors():
        loc, message = _located(error)
        line = _line_of(root, loc)
        where = f"line {line}, " if line else ""
        problems.append((line or 0, f"{path}, {where}{_describe_loc(loc)}: {message}"))
    return "the duty schedule has problems:\n  " + "\n  ".join(text for _, text in sorted(problems))


def _read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HandoffError(f"cannot read the duty schedule {path}: {exc.strerror or exc}") from exc
    loader = _ScheduleLoader(text)
    try:
        root = loader.get_single_node()
        return (loader.construct_document(root) if root is not None else None), root
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}" if mark else ""
        raise HandoffError(f"{path}{where}: not valid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise HandoffError(f"{path}: not valid YAML: {exc}") from exc
    finally:
        loader.dispose()


def load_schedule(path: Path | str) -> DutySchedule:
    """Read and validate a duty schedule file; raise HandoffError naming the file, line and key."""
    path = Path(path)
    data, root = _read_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise HandoffError(f"{path}, line 1: expected key: value pairs (timezone, windows, advisors, ...)")
    try:
        return DutySchedule.model_validate(data)
    except ValidationError as exc:
        raise HandoffError(_validation_message(path, root, exc)) from exc


# ---------------------------------------------------------------- duty-hours arithmetic


@dataclass(frozen=True)
class _Interval:
    start: datetime  # UTC
    end: datetime  # UTC


@lru_cache(maxsize=64)
def polish_holidays(year: int) -> frozenset[date]:
    """Polish public holidays in `year`."""
    days = set(holidays.country_holidays("PL", years=year))
    # Christmas Eve is a public holiday from 2025 on (law of 2024); holidays releases before
    # early 2025 do not know it, and pyproject allows them.
    if year >= 2025:
        days.add(date(year, 12, 24))
    return frozenset(days)


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required, e.g. datetime.now(ZoneInfo('Europe/Warsaw'))")


def _utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def _slots_on(day: date, schedule: DutySchedule) -> list[_Slot]:
    if any(day in closure for closure in schedule.closures):
        return []
    slots: list[_Slot] = [extra for extra in schedule.extra_days if extra.day == day]
    if not (schedule.holidays_close and day in polish_holidays(day.year)):
        weekday = WEEKDAYS[day.weekday()]
        slots += [window for window in schedule.windows if weekday in window.days]
    return slots


def _intervals_on(day: date, schedule: DutySchedule, lang: str) -> list[_Interval]:
    """The windows serving `lang` on `day`, as UTC intervals, with overlapping or touching ones merged."""
    zone = schedule.zone
    raw = sorted((_utc(day, s.start, zone), _utc(day, s.end, zone))
                 for s in _slots_on(day, schedule) if lang in s.languages)
    merged: list[_Interval] = []
    for start, end in raw:
        if merged and start <= merged[-1].end:
            merged[-1] = _Interval(merged[-1].start, max(merged[-1].end, end))
        else:
            merged.append(_Interval(start, end))
    return merged


def _active(now: datetime, schedule: DutySchedule, lang: str) -> _Interval | None:
    _require_aware(now)
    today = now.astimezone(schedule.zone).date()
    instant = now.astimezone(UTC)
    return next((i for i in _intervals_on(today, schedule, lang) if i.start <= instant < i.end), None)


def is_on_duty(now: datetime, schedule: DutySchedule, lang: str) -> bool:
    """Whether a window serving `lang` is open at `now`."""
    return _active(now, schedule, lang) is not None


def advisors_on_duty(now: datetime, schedule: DutySchedule, lang: str) -> list[str]:
    """Keys of the advisors speaking `lang` in the windows serving `lang` that are open at `now`."""
    _require_aware(now)
    zone = schedule.zone
    today = now.astimezone(zone).date()
    instant = now.astimezone(UTC)
    keys: list[str] = []
    for slot in _slots_on(today, schedule):
        if lang in slot.languages and _utc(today, slot.start, zone) <= instant < _utc(today, slot.end, zone):
            keys += [k for k in slot.advisors if lang in schedule.advisors[k].languages and k not in keys]
    return keys


def current_window_end(now: datetime, schedule: DutySchedule, lang: str) -> datetime | None:
    """When the duty serving `lang` that is open at `now` ends (adjoining windows count as one); else None."""
    interval = _active(now, schedule, lang)
    return interval.end.astimezone(schedule.zone) if interval else None


def next_duty_start(now: datetime, schedule: DutySchedule, lang: str) -> datetime | None:
    """The first start of duty serving `lang` at or after `now`, in the schedule's zone; None beyond 60 days."""
    _require_aware(now)
    zone = schedule.zone
    today = now.astimezone(zone).date()
    instant = now.astimezone(UTC)
    for offset in range(HORIZON_DAYS + 1):
        for interval in _intervals_on(today + timedelta(days=offset), schedule, lang):
            if interval.start >= instant:
                return interval.start.astimezone(zone)
    return None


# ---------------------------------------------------------------- wording

_WEEKDAY_NAMES: dict[str, tuple[str, ...]] = {
    "uk": ("понеділок", "вівторок", "середа", "четвер", "п’ятниця", "субота", "неділя"),
    "ru": ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
    "pl": ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}

# Genitive in uk/ru/pl: "25 листопада", "25 ноября", "25 listopada".
_MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "uk": ("січня", "лютого", "березня", "квітня", "травня", "червня",
           "липня", "серпня", "вересня", "жовтня", "листопада", "грудня"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня",
           "июля", "августа", "сентября", "октября", "ноября", "декабря"),
    "pl": ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca",
           "lipca", "sierpnia", "września", "października", "listopada", "grudnia"),
    "en": ("January", "February", "March", "April", "May", "June",
           "July", "August", "September", "October", "November", "December"),
}

_AT: dict[str, str] = {"uk": "о", "ru": "в", "pl": "o", "en": "at"}
_POLISH_TIME: dict[str, str] = {
    "uk": "за польським часом",
    "ru": "по польскому времени",
    "pl": "czasu polskiego",
    "en": "Polish time",
}


def format_next_duty(dt: datetime, lang: str) -> str:
    """Day, date and time of `dt` in Polish time, worded in `lang` (uk, ru, pl or en)."""
    _require_aware(dt)
    if lang not in _AT:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(_AT)}")
    local = dt.astimezone(POLISH_ZONE)
    at = _AT[lang]
    if lang == "uk" and local.hour == 11:
        at = "об"  # "об одинадцятій": before a vowel
    weekday = _WEEKDAY_NAMES[lang][local.weekday()]
    month = _MONTH_NAMES[lang][local.month - 1]
    clock = f"{local.hour}:{local.minute:02d}"
    return f"{weekday}, {local.day} {month}, {at} {clock} ({_POLISH_TIME[lang]})"
