"""月次締め: the 所属長 confirms each person's month, 人事担当 (総務課) closes it — the totals are computed and kept,
and from then on the database refuses any change to that person's month — and exports it for the 人事給与 system.
A closed month changes again only after an audited reopening.

CSV for 人事給与 (`csv_rows`): UTF-8 with BOM (Excel opens it as is), CRLF, one header line, one line per person
whose month is closed, in 課 and name order. Columns:

    1 職員番号            staff number (StaffCard), text
    2 氏名                family and given name
    3 所属                課
    4 対象年月            YYYY-MM
    5 勤務日数            days with a work period
    6 在庁時間（分）       minutes between clock-in and clock-out, all periods (休憩 included)
    7 時間外125（分）      時間外 on working days up to 60 hours in the month (支給割合 125/100)
    8 時間外150（分）      時間外 on working days beyond 60 hours in the month (150/100)
    9 休日勤務（分）       時間外 on days that are not working days (土日・祝日・年末年始・町の休日・シフト休)
   10 深夜（分）           of columns 7–9, the minutes between 22:00 and 5:00 (深夜加算 25/100)
   11 テレワーク日数       days with a period punched at テレワーク
   12…  休暇:<名称>（分）  one column per leave type of the town, in its order: approved leave of the month
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, DurationField, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling.calendar import holiday_name, is_year_end

from ..models import (
    ClosedDay,
    CloseState,
    Correction,
    LeaveRequest,
    LeaveType,
    MonthClose,
    Overtime,
    OvertimeState,
    Place,
    Shift,
    StaffCard,
    Status,
    WorkPeriod,
)
from . import rules

BAND_60H = 60 * 60


@dataclass
class Totals:
    work_days: int = 0
    worked_minutes: int = 0
    overtime_125: int = 0
    overtime_150: int = 0
    holiday_minutes: int = 0
    night_minutes: int = 0
    telework_days: int = 0
    leave: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"work_days": self.work_days, "worked_minutes": self.worked_minutes,
                "overtime_125": self.overtime_125, "overtime_150": self.overtime_150,
                "holiday_minutes": self.holiday_minutes, "night_minutes": self.night_minutes,
                "telework_days": self.telework_days, "leave": dict(self.leave)}


class _Calendar:
    """The month's closed days, read once for many people."""

    def __init__(self, month: date, staff_ids: list[int]) -> None:
        end = rules.next_month(month)
        self.closed = set(ClosedDay.objects.filter(day__gte=month, day__lt=end).values_list("day", flat=True))
        self.shifts = {(s, d): p is not None for s, d, p in Shift.objects.filter(
            staff_id__in=staff_ids, day__gte=month, day__lt=end).values_list("staff_id", "day", "pattern_id")}

    def is_working(self, staff_id: int, day: date) -> bool:
        if (staff_id, day) in self.shifts:
            return self.shifts[(staff_id, day)]
        return day.weekday() < 5 and not holiday_name(day) and not is_year_end(day) and day not in self.closed


def _night(start: datetime | None, end: datetime | None) -> int:
    """Minutes of [start, end) between 22:00 and 5:00 local time."""
    if start is None or end is None:
        return 0
    first, last = rules.local(start), rules.local(end)
    total, day = 0, first.date() - timedelta(days=1)
    while day <= last.date():
        window = (rules.at(day, time(22)), rules.at(day + timedelta(days=1), time(5)))
        overlap = (min(last, window[1]) - max(first, window[0])).total_seconds()
        total += max(int(overlap // 60), 0)
        day += timedelta(days=1)
    return total


def totals_for(staff_ids: list[int], month: date) -> dict[int, Totals]:
    """Each person's totals of `month`, summed by the database in a few queries whatever the number of people.
    Python only sees the rows that need it: overtime that may touch 22:00–5:00, and people on shifts (whose days
    off are their own)."""
    end = rules.next_month(month)
    calendar = _Calendar(month, staff_ids)
    found = {pk: Totals() for pk in staff_ids}
    for row in WorkPeriod.objects.filter(staff_id__in=staff_ids, day__gte=month, day__lt=end).values(
            "staff_id").annotate(days=Count("day", distinct=True),
                                 telework=Count("day", distinct=True, filter=Q(place=Place.TELEWORK)),
                                 worked=Sum(F("ended_at") - F("started_at"), output_field=DurationField(),
                                            filter=Q(ended_at__isnull=False))).order_by():
        totals = found[row["staff_id"]]
        totals.work_days, totals.telework_days = row["days"], row["telework"]
        totals.worked_minutes = int(row["worked"].total_seconds() // 60) if row["worked"] else 0
    recorded = Overtime.objects.filter(staff_id__in=staff_ids, day__gte=month, day__lt=end,
                                       state=OvertimeState.RECORDED)
    _overtime_bands(found, recorded, calendar, month, end)
    for staff_id, start, finish in recorded.filter(
            Q(actual_end__hour__gte=22) | Q(actual_start__hour__lt=5) | ~Q(actual_end__date=F("day"))).values_list(
            "staff_id", "actual_start", "actual_end"):
        found[staff_id].night_minutes += _night(start, finish)
    _leave(found, staff_ids, month, end, calendar)
    return found


def _overtime_bands(found: dict[int, Totals], recorded: QuerySet[Overtime], calendar: _Calendar, month: date,
                    end: date) -> None:
    """時間外 on working days split at 60 hours of the month (125 % below, 150 % above), and on days off."""
    days_off = [month + timedelta(days=n) for n in range((end - month).days)
                if not calendar.is_working(0, month + timedelta(days=n))]
    on_shifts = {staff_id for staff_id, _day in calendar.shifts}
    sums: dict[int, tuple[int, int]] = {
        row["staff_id"]: (row["working"] or 0, row["off"] or 0)
        for row in recorded.exclude(staff_id__in=on_shifts).values("staff_id").annotate(
            working=Sum("minutes", filter=~Q(day__in=days_off)), off=Sum("minutes", filter=Q(day__in=days_off)))
        .order_by()}
    for staff_id, day, minutes in recorded.filter(staff_id__in=on_shifts).values_list("staff_id", "day", "minutes"):
        working, off = sums.get(staff_id, (0, 0))
        if calendar.is_working(staff_id, day):
            sums[staff_id] = (working + (minutes or 0), off)
        else:
            sums[staff_id] = (working, off + (minutes or 0))
    for staff_id, (working, off) in sums.items():
        totals = found[staff_id]
        totals.overtime_125, totals.overtime_150 = min(working, BAND_60H), max(working - BAND_60H, 0)
        totals.holiday_minutes = off


def _leave(found: dict[int, Totals], staff_ids: list[int], month: date, end: date, calendar: _Calendar) -> None:
    rows = LeaveRequest.objects.filter(staff_id__in=staff_ids, status=Status.APPROVED, first_day__lt=end,
                                       last_day__gte=month).values_list(
        "staff_id", "leave_type__code", "first_day", "last_day", "minutes")
    for staff_id, code, first, last, minutes in rows:
        share = minutes
        if first < month or last >= end:  # a stretch of days across months: this month's working days' part
            every = [first + timedelta(days=n) for n in range((last - first).days + 1)]
            working = [day for day in every if calendar.is_working(staff_id, day) or not month <= day < end]
            inside = [day for day in working if month <= day < end]
            share = minutes * len(inside) // max(len(working), 1)
        leave = found[staff_id].leave
        leave[code] = leave.get(code, 0) + share


# --- confirm, close, reopen ---------------------------------------------------------------------------------

def _month(month: date, today: date | None = None) -> date:
    month = rules.month_of(month)
    if rules.month_not_over(month, today or timezone.localdate()):
        raise Refused(_("%(year)d年%(month)d月はまだ終わっていません。確認と締めは月の最終日からできます。") % {
            "year": month.year, "month": month.month})
    return month


@transaction.atomic
def confirm(head: Staff, staff: Staff, month: date, *, today: date | None = None) -> MonthClose:
    """所属長確認: the head has checked the person's month (periods, leave, overtime), from its last day on."""
    month = _month(month, today)
    if not rules.is_head_of(head, staff):
        raise Refused(_("この職員の所属長ではないため、確認できません。"))
    row = MonthClose.objects.select_for_update().filter(staff=staff, month=month).first()
    if row is not None and row.state == CloseState.CLOSED:
        raise Refused(_("この月はすでに締められています。"))
    if row is None:
        row = MonthClose(municipality=staff.municipality, staff=staff, month=month)
    row.state, row.confirmed_by, row.confirmed_at = CloseState.CONFIRMED, head, timezone.now()
    row.save()
    rules.audit("month.confirmed", head, row, month=month)
    return row


def blockers(staff_ids: list[int], month: date) -> dict[int, list[str]]:
    """What keeps each person's month from closing: a period not clocked out of, requests not yet decided (a few
    queries whatever the number of people)."""
    end = rules.next_month(month)
    found: dict[int, list[str]] = defaultdict(list)
    for staff_id in set(WorkPeriod.objects.filter(staff_id__in=staff_ids, day__gte=month, day__lt=end,
                                                  ended_at__isnull=True).values_list("staff_id", flat=True)):
        found[staff_id].append(_("退勤の打刻がない日があります。"))
    waiting = set(LeaveRequest.objects.filter(staff_id__in=staff_ids, status=Status.REQUESTED, first_day__lt=end,
                                              last_day__gte=month).values_list("staff_id", flat=True))
    waiting |= set(Overtime.objects.filter(staff_id__in=staff_ids, state=OvertimeState.REQUESTED, day__gte=month,
                                           day__lt=end).values_list("staff_id", flat=True))
    waiting |= set(Correction.objects.filter(staff_id__in=staff_ids, status=Status.REQUESTED, day__gte=month,
                                             day__lt=end).values_list("staff_id", flat=True))
    for staff_id in waiting:
        found[staff_id].append(_("承認待ちの申請があります。"))
    return found


@transaction.atomic
def close(actor: Staff, month: date, people: Iterable[Staff] | None = None, *,
          today: date | None = None) -> list[MonthClose]:
    """人事担当 closes the confirmed months of `people` (every confirmed person by default): totals are kept on the
    close row, and the month no longer changes. Refused for anyone not confirmed or with something open."""
    if not rules.is_personnel(actor):
        raise Refused(_("月次締めは総務課（人事担当）が行います。"))
    month = _month(month, today)
    rows = MonthClose.objects.select_for_update().select_related("staff").filter(month=month)
    if people is not None:
        rows = rows.filter(staff__in=list(people))
    rows_list = [row for row in rows if row.state != CloseState.CLOSED]
    problems = [_("%(name)s: 所属長の確認がまだです。") % {"name": row.staff} for row in rows_list
                if row.state != CloseState.CONFIRMED]
    found = blockers([row.staff_id for row in rows_list], month)
    for row in rows_list:
        problems += [f"{row.staff}: {reason}" for reason in found.get(row.staff_id, [])]
    if problems:
        raise Refused(problems)
    if not rows_list:
        raise Refused(_("締められる職員がいません（所属長の確認が済んだ職員がいません）。"))
    ids = [row.pk for row in rows_list]
    MonthClose.objects.filter(pk__in=ids).update(state=CloseState.CLOSED, closed_by=actor, closed_at=timezone.now())
    totals = totals_for([row.staff_id for row in rows_list], month)
    for row in rows_list:
        row.totals = totals[row.staff_id].as_dict()
        row.state = CloseState.CLOSED
    _save_totals(rows_list)
    rules.audit("month.closed", actor, rows_list[0], month=month, people=len(rows_list))
    return rows_list


def _save_totals(rows: list[MonthClose]) -> None:
    """Every close row's totals in one statement (bulk_update's CASE costs more to build than to run)."""
    if connection.vendor != "postgresql":
        MonthClose.objects.bulk_update(rows, ["totals"], batch_size=500)
        return
    values = ", ".join(["(%s, %s::jsonb)"] * len(rows))
    params: list[Any] = [item for row in rows for item in (row.pk, json.dumps(row.totals, ensure_ascii=False))]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {MonthClose._meta.db_table} AS c SET totals = v.totals FROM (VALUES {values}) "
                       "AS v(id, totals) WHERE c.id = v.id", params)


@transaction.atomic
def reopen(actor: Staff, row: MonthClose, reason: str) -> MonthClose:
    """締めの解除: 人事担当 reopens one person's closed month, with the reason recorded."""
    if not rules.is_personnel(actor):
        raise Refused(_("締めの解除は総務課（人事担当）が行います。"))
    if not reason.strip():
        raise Refused({"reason": _("締めを解除する理由を入力してください。")})
    row = MonthClose.objects.select_for_update().get(pk=row.pk)
    if row.state != CloseState.CLOSED:
        raise Refused(_("この月は締められていません。"))
    before = dict(row.totals)
    row.state = CloseState.REOPENED
    row.save(update_fields=["state"])
    rules.audit("month.reopened", actor, row, reason=reason.strip(), totals_before=before)
    return row


# --- the CSV for 人事給与 -----------------------------------------------------------------------------------

HEADER = ["職員番号", "氏名", "所属", "対象年月", "勤務日数", "在庁時間（分）", "時間外125（分）", "時間外150（分）",
          "休日勤務（分）", "深夜（分）", "テレワーク日数"]


def csv_rows(month: date) -> Iterator[list[Any]]:
    """The header, then one line per person whose `month` is closed (layout in this module's docstring)."""
    month = _month(month)
    types = list(LeaveType.objects.filter(is_active=True))
    yield HEADER + [f"休暇:{kind.name}（分）" for kind in types]
    rows = (MonthClose.objects.filter(month=month, state=CloseState.CLOSED).select_related("staff__department")
            .order_by("staff__department__sort_order", "staff__family_name", "staff__given_name"))
    numbers = dict(StaffCard.objects.values_list("staff_id", "number"))
    for row in rows:
        totals, leave = row.totals, row.totals.get("leave", {})
        yield [numbers.get(row.staff_id, ""), str(row.staff), row.staff.department.name, f"{month:%Y-%m}",
               totals.get("work_days", 0), totals.get("worked_minutes", 0), totals.get("overtime_125", 0),
               totals.get("overtime_150", 0), totals.get("holiday_minutes", 0), totals.get("night_minutes", 0),
               totals.get("telework_days", 0)] + [leave.get(kind.code, 0) for kind in types]
