"""時間外勤務: asked for by the staff member or ordered by the 所属長 (命令), its 実績 recorded after and matched
to the punches, within the limits towns adopt from 人事院規則15-14: 月45時間・年360時間; for departments designated
他律的業務, under 100時間 a month, 720時間 a year and at most 80時間 on average over any 2–6 months. At 80 % of a limit
the staff member and the 所属長 are told by mail; beyond a limit a reason is required and kept for the yearly review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.ops.queue import enqueue_once_on_commit
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling.fiscal import bounds, fiscal_year

from ..models import DepartmentOption, Overtime, OvertimeState, WorkPeriod
from . import rules

HOUR = 60
NORMAL = {"month": 45 * HOUR, "year": 360 * HOUR}
DEMANDING = {"month": 100 * HOUR, "year": 720 * HOUR, "average": 80 * HOUR}
WARN_SHARE = 0.8
COUNTED = (OvertimeState.ORDERED, OvertimeState.RECORDED)


@dataclass(frozen=True)
class Level:
    """Where one limit stands: `used` minutes against `cap` (for an average: the highest 2–6-month average)."""

    key: str  # month, year, average
    label: str
    used: int
    cap: int
    strict: bool = False  # 他律的 month: under 100 hours, so reaching the cap is beyond it

    @property
    def beyond(self) -> bool:
        return self.used >= self.cap if self.strict else self.used > self.cap

    @property
    def near(self) -> bool:
        return self.used >= self.cap * WARN_SHARE

    @property
    def text(self) -> str:
        return _("%(label)s %(used)s／上限 %(cap)s") % {"label": self.label, "used": hours_text(self.used),
                                                        "cap": hours_text(self.cap)}


def hours_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return _("%(h)d時間%(m)02d分") % {"h": hours, "m": rest} if rest else _("%(h)d時間") % {"h": hours}


def is_demanding(staff: Staff) -> bool:
    return DepartmentOption.objects.filter(department_id=staff.department_id, demanding=True).exists()


def _minutes_between(staff: Staff, start: date, end: date, *, besides: int | None = None) -> int:
    """Overtime of [start, end): recorded minutes, or the planned ones of an order not yet recorded."""
    rows = Overtime.objects.filter(staff=staff, day__gte=start, day__lt=end, state__in=COUNTED).exclude(pk=besides or 0)
    recorded = rows.filter(state=OvertimeState.RECORDED).aggregate(n=Sum("minutes"))["n"] or 0
    planned = sum(row.planned_minutes for row in rows.filter(state=OvertimeState.ORDERED))
    return recorded + planned


def levels(staff: Staff, day: date, *, adding: int = 0, besides: int | None = None) -> list[Level]:
    """The limits of `staff` as they stand for the month and 年度 of `day`, with `adding` more minutes."""
    month = rules.month_of(day)
    month_used = _minutes_between(staff, month, rules.next_month(month), besides=besides) + adding
    year_start, year_end = bounds(fiscal_year(day))
    year_used = _minutes_between(staff, year_start, year_end, besides=besides) + adding
    if not is_demanding(staff):
        return [Level("month", _("今月の時間外"), month_used, NORMAL["month"]),
                Level("year", _("今年度の時間外"), year_used, NORMAL["year"])]
    found = [Level("month", _("今月の時間外"), month_used, DEMANDING["month"], strict=True),
             Level("year", _("今年度の時間外"), year_used, DEMANDING["year"])]
    totals, start = [month_used], month
    for _months in range(5):
        end, start = start, rules.month_of(start.replace(day=1) - timedelta(days=1))
        totals.append(_minutes_between(staff, start, end, besides=besides))
    average = max(sum(totals[:n]) // n for n in range(2, 7))
    found.append(Level("average", _("2〜6か月の平均"), average, DEMANDING["average"]))
    return found


def _check_limits(staff: Staff, day: date, minutes: int, reason: str, *, besides: int | None = None) -> list[Level]:
    found = levels(staff, day, adding=minutes, besides=besides)
    beyond = [level for level in found if level.beyond]
    if beyond and not reason.strip():
        raise Refused({"excess_reason": _("上限を超えます（%(levels)s）。超える理由を入力してください。") % {
            "levels": "、".join(level.text for level in beyond)}})
    near = [level for level in found if level.near]
    if near:
        from ..tasks import warn_near_limit

        enqueue_once_on_commit(warn_near_limit, staff.pk, day.isoformat())
    return found


def _times(day: date, start: datetime, end: datetime, field: str) -> None:
    if end <= start:
        raise Refused({field: _("終了の時刻は開始より後にしてください。")})
    if rules.local(start).date() != day:
        raise Refused({field: _("開始の時刻は勤務日のものにしてください。")})


@transaction.atomic
def request(staff: Staff, *, day: date, start: datetime, end: datetime, work: str) -> Overtime:
    """時間外勤務を申し出る (the 所属長 then orders it, or not)."""
    _times(day, start, end, "end")
    if not work.strip():
        raise Refused({"work": _("業務の内容を入力してください。")})
    staff = rules.lock(staff)
    rules.refuse_closed(staff, day)
    overtime = Overtime.objects.create(municipality=staff.municipality, staff=staff, day=day, planned_start=start,
                                       planned_end=end, work=work.strip())
    rules.audit("overtime.requested", staff, overtime, day=day, start=start, end=end)
    return overtime


@transaction.atomic
def order(head: Staff, staff: Staff, *, day: date, start: datetime, end: datetime, work: str,
          excess_reason: str = "") -> Overtime:
    """時間外勤務を命令する (the 所属長, in advance)."""
    rules.require_head(head, staff)
    _times(day, start, end, "end")
    staff = rules.lock(staff)
    rules.refuse_closed(staff, day)
    overtime = Overtime(municipality=staff.municipality, staff=staff, day=day, planned_start=start, planned_end=end,
                        work=work.strip() or _("時間外勤務"), state=OvertimeState.ORDERED, ordered_by=head,
                        ordered_at=timezone.now(), excess_reason=excess_reason.strip())
    _check_limits(staff, day, overtime.planned_minutes, excess_reason)
    overtime.save()
    rules.audit("overtime.ordered", head, overtime, minutes=overtime.planned_minutes)
    return overtime


@transaction.atomic
def decide(head: Staff, overtime: Overtime, *, approve: bool, excess_reason: str = "") -> Overtime:
    """The 所属長 orders what was asked for (命令) or declines it."""
    overtime = Overtime.objects.select_for_update().select_related("staff").get(pk=overtime.pk)
    rules.require_head(head, overtime.staff)
    if overtime.state != OvertimeState.REQUESTED:
        raise Refused(_("この申請はすでに処理されています。"))
    rules.refuse_closed(overtime.staff, overtime.day)
    if approve:
        _check_limits(overtime.staff, overtime.day, overtime.planned_minutes, excess_reason, besides=overtime.pk)
    overtime.state = OvertimeState.ORDERED if approve else OvertimeState.REJECTED
    overtime.ordered_by, overtime.ordered_at = head, timezone.now()
    overtime.excess_reason = excess_reason.strip() or overtime.excess_reason
    overtime.save(update_fields=["state", "ordered_by", "ordered_at", "excess_reason"])
    rules.audit("overtime.ordered" if approve else "overtime.declined", head, overtime)
    return overtime


@transaction.atomic
def record(staff: Staff, overtime: Overtime | None, *, day: date, start: datetime, end: datetime, work: str = "",
           excess_reason: str = "") -> Overtime:
    """時間外勤務の実績を報告する. Where the town requires a 命令 (the default), only an ordered overtime can be
    recorded. The actual time must lie inside a work period of the day that has been clocked out of."""
    _times(day, start, end, "end")
    staff = rules.lock(staff)
    if overtime is not None:
        overtime = Overtime.objects.select_for_update().get(pk=overtime.pk)
        if overtime.staff_id != staff.pk:
            raise Refused(_("自分の時間外勤務だけ実績を報告できます。"))
        if overtime.state not in (OvertimeState.ORDERED, OvertimeState.REQUESTED):
            raise Refused(_("この時間外勤務の実績は報告できません（%(state)s）。") % {
                "state": overtime.get_state_display()})
    if rules.option(staff.municipality, "overtime_order_required") and (
            overtime is None or overtime.state != OvertimeState.ORDERED):
        raise Refused(_("時間外勤務の命令がありません。所属長の命令を受けてから実績を報告してください。"))
    rules.refuse_closed(staff, day)
    covered = WorkPeriod.objects.filter(staff=staff, started_at__lte=start, ended_at__gte=end).exists()
    if not covered:
        raise Refused(_("出勤・退勤の打刻と合いません。退勤の打刻のあと、打刻の時間の中で報告してください。"))
    minutes = int((end - start).total_seconds() // 60)
    _check_limits(staff, day, minutes, excess_reason, besides=overtime.pk if overtime else None)
    if overtime is None:
        overtime = Overtime(municipality=staff.municipality, staff=staff, day=day, planned_start=start,
                            planned_end=end, work=work.strip() or _("時間外勤務"))
    overtime.day, overtime.actual_start, overtime.actual_end, overtime.minutes = day, start, end, minutes
    overtime.state = OvertimeState.RECORDED
    overtime.excess_reason = excess_reason.strip() or overtime.excess_reason
    overtime.save()
    rules.audit("overtime.recorded", staff, overtime, minutes=minutes, excess_reason=overtime.excess_reason)
    return overtime


def near_limit(people: list[Staff], day: date) -> list[tuple[Staff, list[Level]]]:
    """Who among `people` is at 80 % of a limit or beyond, with the limits that are."""
    found = []
    for person in people:
        close = [level for level in levels(person, day) if level.near]
        if close:
            found.append((person, close))
    return found

