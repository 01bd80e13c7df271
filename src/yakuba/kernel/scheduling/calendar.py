"""Calendar rules for bookings: opening hours, closed days, the booking window, slots and free capacity."""

from __future__ import annotations

import calendar as stdlib_calendar
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jpholiday
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

TOKYO = ZoneInfo("Asia/Tokyo")
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order, as in to_dict()

Interval = tuple[time, time]  # (open, close) on one day; close is after open, so no interval crosses midnight
Hours = tuple[Interval, ...]  # a day's intervals in order, with a real break between them; () = closed
Slot = tuple[datetime, datetime]  # half-open [start, end), Asia/Tokyo
Busy = tuple[datetime, datetime, int]  # (start, end, seats) of an active booking

# Literal strings, so makemessages finds them; the context keeps 月 (Monday) apart from 月 (month).
WEEKDAY_SHORT = (
    pgettext_lazy("short weekday", "月"), pgettext_lazy("short weekday", "火"), pgettext_lazy("short weekday", "水"),
    pgettext_lazy("short weekday", "木"), pgettext_lazy("short weekday", "金"), pgettext_lazy("short weekday", "土"),
    pgettext_lazy("short weekday", "日"),
)

CLOSED_WEEK: tuple[Hours, ...] = ((),) * 7
# JSON key (whole minutes) -> Rules field (timedelta).
MINUTE_FIELDS = {
    "min_notice_minutes": "min_notice", "min_length_minutes": "min_length", "max_length_minutes": "max_length",
    "slot_minutes": "slot", "cancel_deadline_minutes": "cancel_deadline", "buffer_minutes": "buffer",
}
JSON_KEYS = frozenset({"hours", "closed_on_holidays", "year_end_closure", "closed_dates", "open_dates",
                       "window_days", *MINUTE_FIELDS})
TIME_RE = re.compile(r"(\d{1,2}):(\d{2})")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
ONE_DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


class RulesError(ValueError):
    """The rules are not valid; the message names the field at fault."""


@dataclass(frozen=True)
class Rules:
    """How one resource may be booked. A weekday without intervals is closed (so the defaults open nothing).

    `open_dates` gives the hours of single dates and wins over every closure (a holiday opened for an event,
    a Monday opened in place of a holiday). Lengths and starts are on the `slot` grid counted from the
    opening of the interval they fall in. `buffer` keeps that much time free around bookings of an exclusive
    resource (a counter desk); seat-based resources ignore it.
    """

    hours: tuple[Hours, ...] = CLOSED_WEEK  # index 0 = Monday
    closed_on_holidays: bool = True  # 国民の祝日, 振替休日 and 国民の休日, as jpholiday knows them
    year_end_closure: bool = True  # 年末年始 12/29–1/3
    closed_dates: frozenset[date] = frozenset()  # the town's own 休館日
    open_dates: tuple[tuple[date, Hours], ...] = ()  # sorted by date
    window_days: int = 60  # bookable up to today + window_days (inclusive)
    min_notice: timedelta = timedelta(hours=1)
    min_length: timedelta = timedelta(minutes=30)
    max_length: timedelta = timedelta(hours=4)
    slot: timedelta = timedelta(minutes=30)
    cancel_deadline: timedelta = timedelta(days=1)  # before the start
    buffer: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hours", tuple(tuple(day) for day in self.hours))
        object.__setattr__(self, "closed_dates", frozenset(self.closed_dates))
        object.__setattr__(self, "open_dates", tuple(sorted((day, tuple(hours)) for day, hours in self.open_dates)))
        _check_week(self.hours)
        _check_dates(self.closed_dates, self.open_dates)
        _check_scalars(self)
        _check_lengths(self)

    def hours_on(self, day: date) -> Hours:
        """The day's intervals ignoring closures: the `open_dates` entry, else the weekday's hours."""
        for special, hours in self.open_dates:
            if special == day:
                return hours
        return self.hours[day.weekday()]

    @classmethod
    def from_dict(cls, data: Any) -> Rules:
        """Parse the JSON that `to_dict()` writes; missing keys take the defaults. Raises RulesError."""
        if not isinstance(data, dict):
            raise RulesError("rules: expected an object")
        unknown = sorted(str(key) for key in data if key not in JSON_KEYS)
        if unknown:
            raise RulesError(f"rules: unknown keys {', '.join(unknown)}")
        defaults = cls()
        values: dict[str, Any] = {
            "hours": _parse_week(data.get("hours", {})),
            "closed_dates": frozenset(_parse_date(value, f"closed_dates[{index}]")
                                      for index, value in enumerate(_list(data, "closed_dates"))),
            "open_dates": _parse_open_dates(data.get("open_dates", {})),
            "window_days": _int(data, "window_days", defaults.window_days),
        }
        for key in ("closed_on_holidays", "year_end_closure"):
            values[key] = _bool(data, key, getattr(defaults, key))
        for key, name in MINUTE_FIELDS.items():
            values[name] = timedelta(minutes=_int(data, key, _minutes(getattr(defaults, name))))
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON for a JSONField: times "HH:MM", dates ISO, durations in whole minutes; every key written."""
        data: dict[str, Any] = {
            "hours": {key: _hours_json(hours) for key, hours in zip(WEEKDAY_KEYS, self.hours, strict=True)},
            "closed_on_holidays": self.closed_on_holidays,
            "year_end_closure": self.year_end_closure,
            "closed_dates": sorted(day.isoformat() for day in self.closed_dates),
            "open_dates": {day.isoformat(): _hours_json(hours) for day, hours in self.open_dates},
            "window_days": self.window_days,
        }
        for key, name in MINUTE_FIELDS.items():
            data[key] = _minutes(getattr(self, name))
        return data


# --- closed days and opening hours -------------------------------------------------------------------------

@functools.lru_cache(maxsize=32)
def _holidays(year: int) -> dict[date, str]:
    return dict(jpholiday.year_holidays(year))


def holiday_name(day: date) -> str | None:
    """The public holiday's name (e.g. 文化の日, 憲法記念日 振替休日), or None on an ordinary day."""
    return _holidays(day.year).get(day)


def is_year_end(day: date) -> bool:
    """12月29日〜1月3日, the 年末年始 most town offices close for."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_office_day(day: date) -> bool:
    """A 開庁日 of a town office: a weekday that is neither a public holiday nor in the 年末年始."""
    return day.weekday() < 5 and not holiday_name(day) and not is_year_end(day)


def add_office_days(day: date, days: int) -> date:
    """The date `days` 開庁日 after `day` (the day itself not counted, 初日不算入), e.g. a 標準処理期間's end."""
    current = day
    left = max(days, 0)
    while left:
        current += ONE_DAY
        if is_office_day(current):
            left -= 1
    return current


def is_closed(rules: Rules, day: date) -> str | None:
    """None if the resource opens that day, else why not (in Japanese, for the resident)."""
    _require_date(day)
    if any(special == day for special, _hours in rules.open_dates):
        return None
    if day in rules.closed_dates:
        return _("休館日です")
    if rules.year_end_closure and is_year_end(day):
        return _("年末年始（12月29日〜1月3日）は休館です")
    name = holiday_name(day) if rules.closed_on_holidays else None
    if name:
        return _("祝日（%(name)s）のため休館です") % {"name": name}
    if not rules.hours[day.weekday()]:
        return _("この曜日は休館です")
    return None


def opening_hours(rules: Rules, day: date) -> Hours:
    """The intervals the resource is open on `day`; () when it is closed."""
    return () if is_closed(rules, day) else rules.hours_on(day)


def last_bookable_day(rules: Rules, now: datetime, window_days: int | None = None) -> date:
    """The last day that may be booked today; `window_days` overrides the rules' (registered groups)."""
    days = rules.window_days if window_days is None else window_days
    return _tokyo(now, "now").date() + timedelta(days=days)


# --- one request ---------------------------------------------------------------------------------------------

def check_request(rules: Rules, start: datetime, end: datetime, *, now: datetime,
                  window_days: int | None = None) -> list[str]:
    """Every reason the calendar refuses booking [start, end) at `now`; [] when it allows it.

    Overlaps with other bookings are not looked at here: the scheduling service and the database own those.
    """
    start, end, now = _tokyo(start, "start"), _tokyo(end, "end"), _tokyo(now, "now")
    reasons = _timing_reasons(rules, start, now, window_days)
    if end <= start:
        reasons.append(_("終了時刻は開始時刻より後にしてください"))
        return reasons
    day = start.date()
    closed = is_closed(rules, day)
    if closed:
        reasons.append(closed)
    spans_midnight = end > _at(day + ONE_DAY, time(0))
    if spans_midnight:
        reasons.append(_("日をまたぐ予約はできません"))
    reasons.extend(_place_reasons(rules, day, start, end, check_hours=not (closed or spans_midnight)))
    length = end - start
    if length < rules.min_length:
        reasons.append(_("利用時間は%(length)s以上にしてください") % {"length": duration_text(rules.min_length)})
    if length > rules.max_length:
        reasons.append(_("利用時間は%(length)s以内にしてください") % {"length": duration_text(rules.max_length)})
    return reasons


def _timing_reasons(rules: Rules, start: datetime, now: datetime, window_days: int | None) -> list[str]:
    reasons = []
    if start < now:
        reasons.append(_("過去の日時は予約できません"))
    elif start < now + rules.min_notice:
        reasons.append(_("予約は開始の%(notice)s前までにしてください") % {"notice": duration_text(rules.min_notice)})
    last = last_bookable_day(rules, now, window_days)
    if start.date() > last:
        reasons.append(_("予約は%(month)d月%(day)d日の分まで受け付けています") % {"month": last.month, "day": last.day})
    return reasons


def _place_reasons(rules: Rules, day: date, start: datetime, end: datetime, *, check_hours: bool) -> list[str]:
    """Outside the day's hours, or off the slot grid. Only the length's grid is checked when hours are moot."""
    if check_hours:
        hours = rules.hours_on(day)
        interval = next(((_at(day, a), _at(day, b)) for a, b in hours if _at(day, a) <= start and end <= _at(day, b)),
                        None)
        if interval is None:
            return [_("この日の利用時間は%(hours)sです") % {"hours": hours_text(hours)}]
        if (start - interval[0]) % rules.slot or (end - start) % rules.slot:
            return [_("開始・終了の時刻は%(first)sから%(slot)s刻みで指定してください")
                    % {"first": _hm(interval[0]), "slot": duration_text(rules.slot)}]
        return []
    if (end - start) % rules.slot:
        return [_("利用時間の長さは%(slot)s単位で指定してください") % {"slot": duration_text(rules.slot)}]
    return []


def can_cancel(rules: Rules, start: datetime, *, now: datetime) -> str | None:
    """None if the booking starting at `start` may still be cancelled at `now`, else why not, with the deadline."""
    start, now = _tokyo(start, "start"), _tokyo(now, "now")
    if now > start:
        return _("開始時刻を過ぎた予約は取り消せません")
    deadline = start - rules.cancel_deadline
    if now > deadline:
        return _("取消しの期限（%(deadline)s）を過ぎています") % {"deadline": moment_text(deadline)}
    return None


# --- slots and free capacity ----------------------------------------------------------------------------------

def lengths(rules: Rules) -> list[timedelta]:
    """The lengths a resident may choose, shortest first."""
    count = (rules.max_length - rules.min_length) // rules.slot
    return [rules.min_length + rules.slot * step for step in range(count + 1)]


def slots(rules: Rules, day: date, *, length: timedelta | None = None) -> list[Slot]:
    """Candidate (start, end) pairs on `day`: starts every `slot` from each opening, `length` long.

    `length` defaults to the shortest bookable length (`min_length`, which is at least one slot), so every
    candidate is one `check_request` accepts. [] on a closed day.
    """
    length = _valid_length(rules, length)
    result: list[Slot] = []
    for opens, closes in opening_hours(rules, day):
        start, close = _at(day, opens), _at(day, closes)
        while start + length <= close:
            result.append((start, start + length))
            start += rules.slot
    return result


def free_slots(rules: Rules, day: date, busy: Iterable[Busy], *, capacity: int = 1,
               length: timedelta | None = None, seats: int = 1, now: datetime | None = None,
               window_days: int | None = None) -> list[Slot]:
    """The candidate slots of `day` where the busy seats at every moment plus `seats` fit in `capacity`.

    `busy` holds (start, end, seats) of the active bookings (any that touch the day; others are skipped).
    With capacity 1 each busy entry is widened by `rules.buffer` on both sides. Given `now`, slots too soon
    or beyond the booking window are left out too, as `check_request` would refuse them.
    Cost: one sort of the day's busy entries and one sweep, O(B log B + S).
    """
    if capacity < 1 or seats < 1:
        raise ValueError("capacity and seats must be at least 1")
    candidates = slots(rules, day, length=length)
    if now is not None:
        candidates = _not_too_soon(rules, day, candidates, now, window_days)
    if not candidates or seats > capacity:
        return []
    pad = rules.buffer if capacity == 1 else timedelta(0)
    first, last = candidates[0][0], candidates[-1][1]
    entries = [(start - pad, end + pad, taken) for start, end, taken in busy
               if start - pad < last and end + pad > first and end > start and taken > 0]
    return _sweep(candidates, _overfull(entries, capacity - seats))


def _not_too_soon(rules: Rules, day: date, candidates: list[Slot], now: datetime,
                  window_days: int | None) -> list[Slot]:
    if day > last_bookable_day(rules, now, window_days):
        return []
    earliest = now + rules.min_notice
    return [candidate for candidate in candidates if candidate[0] >= earliest]


def _overfull(entries: list[Busy], room: int) -> list[Slot]:
    """The sorted, disjoint periods where the busy seats exceed `room`."""
    deltas: dict[datetime, int] = {}
    for start, end, taken in entries:
        deltas[start] = deltas.get(start, 0) + taken
        deltas[end] = deltas.get(end, 0) - taken
    times = sorted(deltas)
    periods: list[Slot] = []
    level = 0
    for moment, following in zip(times, times[1:], strict=False):
        level += deltas[moment]
        if level <= room:
            continue
        if periods and periods[-1][1] == moment:
            periods[-1] = (periods[-1][0], following)
        else:
            periods.append((moment, following))
    return periods


def _sweep(candidates: list[Slot], periods: list[Slot]) -> list[Slot]:
    """Candidates (starts ascending) that meet none of the periods (sorted, disjoint), in one pass of each."""
    free = []
    index = 0
    for start, end in candidates:
        while index < len(periods) and periods[index][1] <= start:
            index += 1
        if index == len(periods) or periods[index][0] >= end:
            free.append((start, end))
    return free


def availability(rules: Rules, start_day: date, days: int, busy: Iterable[Busy], *, capacity: int = 1,
                 length: timedelta | None = None, seats: int = 1, now: datetime | None = None,
                 window_days: int | None = None) -> dict[date, int]:
    """Free slot count per day for `days` days from `start_day` (0 on closed days), for a month calendar."""
    return {day: len(free) for day, free in free_slots_by_day(
        rules, start_day, days, busy, capacity=capacity, length=length, seats=seats, now=now,
        window_days=window_days).items()}


def free_slots_by_day(rules: Rules, start_day: date, days: int, busy: Iterable[Busy], *, capacity: int = 1,
                      length: timedelta | None = None, seats: int = 1, now: datetime | None = None,
                      window_days: int | None = None) -> dict[date, list[Slot]]:
    """`free_slots` of each of `days` days from `start_day` ([] on closed days).

    The busy entries are shared out to the days they touch once, so each day sorts only its own.
    """
    _require_date(start_day)
    pad = rules.buffer if capacity == 1 else timedelta(0)
    first, last = start_day, start_day + timedelta(days=days - 1)
    per_day: dict[date, list[Busy]] = {start_day + timedelta(days=offset): [] for offset in range(days)}
    for entry in busy:
        touched = max((entry[0] - pad).astimezone(TOKYO).date(), first)
        until = min((entry[1] + pad).astimezone(TOKYO).date(), last)
        while touched <= until:
            per_day[touched].append(entry)
            touched += ONE_DAY
    return {day: free_slots(rules, day, entries, capacity=capacity, length=length, seats=seats, now=now,
                            window_days=window_days)
            for day, entries in per_day.items()}


def free_spans(free: Iterable[Slot]) -> list[Slot]:
    """Free slots merged into the stretches of time they cover (9:00〜12:00, 13:00〜17:00): what a resident
    means by "when is it free", where the slot count only says how many start times there are."""
    spans: list[Slot] = []
    for start, end in sorted(free):
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def spans_text(spans: Iterable[Slot]) -> str:
    """9:00〜12:00、13:00〜17:00 (Asia/Tokyo)."""
    return "、".join(f"{_hm(start.astimezone(TOKYO))}〜{_hm(end.astimezone(TOKYO))}" for start, end in spans)


# --- month views -----------------------------------------------------------------------------------------------

def month_days(year: int, month: int) -> list[date]:
    """Every date of the month, in order."""
    count = stdlib_calendar.monthrange(year, month)[1]
    return [date(year, month, number) for number in range(1, count + 1)]


def month_weeks(year: int, month: int, *, first_weekday: int = 6) -> list[list[date | None]]:
    """The month as rows of 7 for a calendar table (Sunday first by default, as Japanese calendars are);
    days of the neighbouring months are None."""
    weeks = stdlib_calendar.Calendar(first_weekday).monthdatescalendar(year, month)
    return [[day if day.month == month else None for day in week] for week in weeks]


# --- wording ---------------------------------------------------------------------------------------------------

def duration_text(value: timedelta) -> str:
    """1日2時間30分 style; whole minutes."""
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d日", "%(count)d日", days) % {"count": days})
    if hours:
        parts.append(ngettext("%(count)d時間", "%(count)d時間", hours) % {"count": hours})
    if minutes or not parts:
        parts.append(ngettext("%(count)d分", "%(count)d分", minutes) % {"count": minutes})
    return "".join(parts)


def hours_text(hours: Hours) -> str:
    """9:00〜12:00、13:00〜21:00"""
    return "、".join(f"{_hm(opens)}〜{_hm(closes)}" for opens, closes in hours)


def moment_text(moment: datetime) -> str:
    """11月2日（月）9:00, in Asia/Tokyo."""
    moment = moment.astimezone(TOKYO)
    weekday = str(WEEKDAY_SHORT[moment.weekday()])
    return _("%(month)d月%(day)d日（%(weekday)s）%(time)s") % {
        "month": moment.month, "day": moment.day, "weekday": weekday, "time": _hm(moment)}


def _hm(value: time | datetime) -> str:
    return f"{value.hour}:{value.minute:02d}"


# --- helpers ---------------------------------------------------------------------------------------------------

def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, TOKYO)


def _tokyo(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value.astimezone(TOKYO)


def _require_date(day: date) -> None:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError("expected a date, not a datetime")


def _valid_length(rules: Rules, length: timedelta | None) -> timedelta:
    if length is None:
        return rules.min_length
    if not rules.min_length <= length <= rules.max_length or length % rules.slot:
        raise ValueError(f"length {length} is not one of the bookable lengths")
    return length


def _minutes(value: timedelta) -> int:
    return int(value // MINUTE)


def _check_interval(interval: Any, where: str) -> Interval:
    if not (isinstance(interval, tuple) and len(interval) == 2 and all(isinstance(t, time) for t in interval)):
        raise RulesError(f"{where}: expected an (open, close) pair of times")
    opens, closes = interval
    if any(t.tzinfo is not None or t.second or t.microsecond for t in interval):
        raise RulesError(f"{where}: times must be naive and in whole minutes")
    if opens >= closes:
        raise RulesError(f"{where}: closes at {_hm(closes)}, not after it opens at {_hm(opens)}")
    return opens, closes


def _check_hours(hours: Hours, where: str) -> None:
    previous: time | None = None
    for index, interval in enumerate(hours):
        opens, closes = _check_interval(interval, f"{where}[{index}]")
        if previous is not None and opens <= previous:
            raise RulesError(f"{where}[{index}]: intervals must be in order with a break between them"
                             " (write touching intervals as one)")
        previous = closes


def _check_week(week: tuple[Hours, ...]) -> None:
    if len(week) != 7:
        raise RulesError(f"hours: expected 7 weekdays (Monday first), got {len(week)}")
    for key, hours in zip(WEEKDAY_KEYS, week, strict=True):
        _check_hours(hours, f"hours.{key}")


def _check_dates(closed: frozenset[date], special: tuple[tuple[date, Hours], ...]) -> None:
    for day in (*closed, *(day for day, _hours in special)):
        if isinstance(day, datetime) or not isinstance(day, date):
            raise RulesError(f"closed_dates/open_dates: {day!r} is not a date")
    days = [day for day, _hours in special]
    if len(set(days)) != len(days):
        raise RulesError("open_dates: a date is given twice")
    for day, hours in special:
        if not hours:
            raise RulesError(f"open_dates.{day.isoformat()}: give the hours (use closed_dates to close a day)")
        _check_hours(hours, f"open_dates.{day.isoformat()}")
        if day in closed:
            raise RulesError(f"open_dates.{day.isoformat()}: the date is also in closed_dates")


def _check_scalars(rules: Rules) -> None:
    for name in ("closed_on_holidays", "year_end_closure"):
        if not isinstance(getattr(rules, name), bool):
            raise RulesError(f"{name}: expected true or false")
    if isinstance(rules.window_days, bool) or not isinstance(rules.window_days, int) or rules.window_days < 0:
        raise RulesError("window_days: expected a whole number of days, 0 or more")
    for name in MINUTE_FIELDS.values():
        value = getattr(rules, name)
        if not isinstance(value, timedelta) or value % MINUTE or value < timedelta(0):
            raise RulesError(f"{name}: expected a duration of whole minutes, 0 or more")


def _check_lengths(rules: Rules) -> None:
    slot = rules.slot
    if not timedelta(0) < slot <= ONE_DAY:
        raise RulesError("slot: must be more than 0 and at most a day")
    if rules.min_length < slot or rules.min_length % slot:
        raise RulesError(f"min_length: must be a whole number of slots ({_minutes(slot)} min), at least one")
    if rules.max_length < rules.min_length or rules.max_length % slot:
        raise RulesError(f"max_length: must be a whole number of slots ({_minutes(slot)} min), "
                         "at least min_length")


def _parse_time(value: Any, where: str) -> time:
    match = TIME_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise RulesError(f"{where}: {value!r} is not a time HH:MM (00:00–23:59)")
    return time(int(match[1]), int(match[2]))


def _parse_hours(value: Any, where: str) -> Hours:
    if not isinstance(value, list):
        raise RulesError(f"{where}: expected a list of [open, close] pairs")
    hours = []
    for index, pair in enumerate(value):
        if not (isinstance(pair, list) and len(pair) == 2):
            raise RulesError(f"{where}[{index}]: expected [\"HH:MM\", \"HH:MM\"]")
        hours.append((_parse_time(pair[0], f"{where}[{index}]"), _parse_time(pair[1], f"{where}[{index}]")))
    return tuple(hours)


def _parse_week(value: Any) -> tuple[Hours, ...]:
    if not isinstance(value, dict):
        raise RulesError("hours: expected an object keyed mon…sun")
    unknown = sorted(str(key) for key in value if key not in WEEKDAY_KEYS)
    if unknown:
        raise RulesError(f"hours: unknown weekdays {', '.join(unknown)} (use {', '.join(WEEKDAY_KEYS)})")
    return tuple(_parse_hours(value.get(key, []), f"hours.{key}") for key in WEEKDAY_KEYS)


def _parse_date(value: Any, where: str) -> date:
    try:
        if isinstance(value, str) and DATE_RE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:  # 2026-02-30
        pass
    raise RulesError(f"{where}: {value!r} is not a date YYYY-MM-DD")


def _parse_open_dates(value: Any) -> tuple[tuple[date, Hours], ...]:
    if not isinstance(value, dict):
        raise RulesError("open_dates: expected an object of \"YYYY-MM-DD\": [[open, close], …]")
    return tuple((_parse_date(key, "open_dates"), _parse_hours(hours, f"open_dates.{key}"))
                 for key, hours in value.items())


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise RulesError(f"{key}: expected a list")
    return value


def _bool(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise RulesError(f"{key}: expected true or false")
    return value


def _int(data: dict[str, Any], key: str, default: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RulesError(f"{key}: expected a whole number, 0 or more")
    return value


def _hours_json(hours: Hours) -> list[list[str]]:
    return [[f"{opens:%H:%M}", f"{closes:%H:%M}"] for opens, closes in hours]
