"""Figures of 勤怠管理 the DX plans measure: テレワーク延べ実施日数 (plan 000's KPI, 30 days), 時間外 per 課, and
年休取得率. Read inside the town's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _
from django_scopes import get_scope

from yakuba.kernel import metrics
from yakuba.kernel.metrics import Kind, Metric

from .models import LeaveGrant, LeaveRequest, Overtime, OvertimeState, Place, Status, WorkPeriod
from .services import rules


def _town(rows: Any) -> Any:
    municipality = get_scope().get("municipality")
    return rows.filter(municipality=municipality) if municipality is not None else rows


def telework_days(start: date, end: date) -> int:
    """延べ実施日数: the (person, day) pairs with work punched at テレワーク in [start, end)."""
    rows = _town(WorkPeriod.objects.filter(place=Place.TELEWORK, day__gte=start, day__lt=end))
    return int(rows.values("staff_id", "day").distinct().count())


def overtime_by_department(start: date, end: date) -> list[dict[str, Any]]:
    """Recorded 時間外 per 課 in [start, end): [{department, hours, people}], most first."""
    rows = (_town(Overtime.objects.filter(state=OvertimeState.RECORDED, day__gte=start, day__lt=end))
            .values("staff__department__name").annotate(minutes=Sum("minutes"), people=Count("staff", distinct=True))
            .order_by("-minutes"))
    return [{"department": row["staff__department__name"], "hours": round((row["minutes"] or 0) / 60, 1),
             "people": row["people"]} for row in rows]


def _overtime_hours(start: date, end: date) -> float:
    minutes = _town(Overtime.objects.filter(state=OvertimeState.RECORDED, day__gte=start, day__lt=end)).aggregate(
        n=Sum("minutes"))["n"] or 0
    return minutes / 60


def leave_rate(start: date, end: date) -> float | None:
    """年休取得率: days of 年休 taken in the leave years overlapping [start, end) ÷ days granted in them."""
    grants = list(_town(LeaveGrant.objects.filter(valid_from__lt=end, valid_until__gt=start)).select_related("staff"))
    if not grants:
        return None
    granted = taken = 0.0
    for grant in grants:
        day_minutes = rules.day_minutes(grant.staff, grant.valid_from)
        granted += float(grant.days)
        used = LeaveRequest.objects.filter(staff=grant.staff, leave_type__annual=True, status=Status.APPROVED,
                                           first_day__gte=grant.valid_from, first_day__lt=grant.valid_until)
        taken += (used.aggregate(n=Sum("minutes"))["n"] or 0) / day_minutes
    return metrics.share(taken, granted)


metrics.register(Metric("attendance.telework_days", _("テレワーク延べ実施日数"), "日", telework_days,
                        description=_("勤務場所を「テレワーク」として打刻した職員・日の延べ数"), app="attendance"))
metrics.register(Metric("attendance.overtime_hours", _("時間外勤務の時間（実績）"), "時間", _overtime_hours,
                        description=_("報告された時間外勤務の実績の合計（課ごとの内訳は勤怠の全庁画面）"),
                        app="attendance"))
metrics.register(Metric("attendance.leave_rate", _("年次有給休暇の取得率"), "%", leave_rate, kind=Kind.RATE,
                        description=_("取得した年休の日数 ÷ 付与した日数（繰越を除く）"), app="attendance"))
