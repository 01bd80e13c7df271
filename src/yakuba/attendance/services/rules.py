"""What the verbs share: the town's options (municipality.settings["attendance"]), who is 所属長 of whom and who is
人事担当 (総務課), the working calendar of one staff member, and the checks every write makes first."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling.calendar import TOKYO, holiday_name, is_year_end
from yakuba.kernel.tenancy.models import Municipality

from ..models import Assignment, ClosedDay, CloseState, MonthClose, Shift, WorkPattern

DEFAULTS: dict[str, Any] = {
    # The department whose 所属長 (and staff with the 所属長 role there) close months: 総務課 (人事担当).
    "personnel_department": "総務課",
    # 時間外勤務 must be ordered (命令) before its 実績 may be recorded.
    "overtime_order_required": True,
    # 年休 carried over to the next leave year, at most (days).
    "carry_over_limit_days": 20,
    # 時間単位の年休, at most this many days' worth a leave year (労基法39条4項: 5日).
    "hourly_leave_cap_days": 5,
    # 所定勤務時間 of a day when no pattern is assigned (7時間45分).
    "day_minutes": 465,
}


def option(municipality: Municipality, key: str) -> Any:
    """The town's choice for `key`, or the default above."""
    value = ((municipality.settings or {}).get("attendance") or {}).get(key)
    return DEFAULTS[key] if value is None else value


def is_personnel(staff: Staff | None) -> bool:
    """人事担当: 情報担当 (ADMIN), or a 所属長 of the town's personnel department (default 総務課). They see the whole
    town, close months, export the CSV and reopen a closed month."""
    if staff is None or not staff.is_active:
        return False
    if staff.role >= Role.ADMIN:
        return True
    return staff.role >= Role.APPROVER and staff.department.name == option(staff.municipality, "personnel_department")


def is_head_of(actor: Staff, staff: Staff) -> bool:
    """Whether `actor` is 所属長 of `staff` (or 情報担当) — never of themselves."""
    if actor.pk == staff.pk or not actor.is_active:
        return False
    if actor.role >= Role.ADMIN:
        return True
    return actor.role >= Role.APPROVER and actor.department_id == staff.department_id


def require_head(actor: Staff, staff: Staff) -> None:
    if actor.pk == staff.pk:
        raise Refused(_("自分の申請を自分で承認することはできません。"))
    if not is_head_of(actor, staff):
        raise Refused(_("この職員の所属長ではないため、承認できません。"))


def supervised(actor: Staff) -> QuerySet[Staff]:
    """The staff `actor` decides for: 人事担当 the whole town, a 所属長 the department, anyone else nobody."""
    rows = Staff.objects.filter(is_active=True).select_related("department", "user")
    if is_personnel(actor) or actor.role >= Role.ADMIN:
        return rows
    if actor.role >= Role.APPROVER:
        return rows.filter(department_id=actor.department_id)
    return rows.none()


def lock(staff: Staff) -> Staff:
    """Serialise writes about one staff member (a second clock-in waits for the first, then sees it)."""
    return Staff.objects.select_for_update().get(pk=staff.pk)


def audit(action: str, actor: Staff | None, obj: Any, **data: Any) -> None:
    municipality = getattr(obj, "municipality", None) or (actor.municipality if actor else None)
    record(f"attendance.{action}", municipality=municipality, actor=actor.user if actor else None, obj=obj,
           data={key: _plain(value) for key, value in data.items()})


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


# --- months -------------------------------------------------------------------------------------------------

def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_to_close(today: date) -> date:
    """The month a 所属長 confirms and 総務課 closes on `today`: this month on its last day, else the one before."""
    if next_month(today) - timedelta(days=1) == today:
        return month_of(today)
    return month_of(month_of(today) - timedelta(days=1))


def month_not_over(month: date, today: date) -> bool:
    """A month is confirmed and closed from its last day on, never while days of it are still to come."""
    return today < next_month(month) - timedelta(days=1)


def month_is_closed(staff: Staff, day: date) -> bool:
    return MonthClose.objects.filter(staff=staff, month=month_of(day), state=CloseState.CLOSED).exists()


def refuse_closed(staff: Staff, *days: date) -> None:
    """The month of any of `days` is closed for `staff`: say so before the database refuses it."""
    for day in days:
        if month_is_closed(staff, day):
            raise Refused(_("%(month)sは月次締めが済んでいるため変更できません。総務課に締めの解除を依頼してください。")
                          % {"month": f"{day.year}年{day.month}月"})


# --- the working calendar -----------------------------------------------------------------------------------

def local(moment: datetime) -> datetime:
    return timezone.localtime(moment, TOKYO)


def at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=TOKYO)


def pattern_for(staff: Staff, day: date) -> WorkPattern | None:
    """The pattern `staff` works on `day`: the day's shift (交替制), else the latest assignment, else the town's
    default pattern. None on a shift day off."""
    shift = Shift.objects.filter(staff=staff, day=day).select_related("pattern").first()
    if shift is not None:
        return shift.pattern
    assignment = (Assignment.objects.filter(staff=staff, valid_from__lte=day).select_related("pattern")
                  .order_by("-valid_from").first())
    if assignment is not None:
        return assignment.pattern
    return WorkPattern.objects.filter(is_default=True).first()


def day_minutes(staff: Staff, day: date | None = None) -> int:
    """所定勤務時間 of one day (what a day of 年休 takes from the balance)."""
    pattern = pattern_for(staff, day or timezone.localdate())
    return pattern.working_minutes if pattern else int(option(staff.municipality, "day_minutes"))


def closed_reason(staff: Staff, day: date) -> str | None:
    """Why `day` is not a working day for `staff` (土日, a public holiday, 年末年始, the town's closed day, a shift
    day off), or None on a working day. A shift day (交替制) follows the shift, not the office calendar."""
    shift = Shift.objects.filter(staff=staff, day=day).first()
    if shift is not None:
        return None if shift.pattern_id else _("シフトの休みの日")
    holiday = holiday_name(day)
    if holiday:
        return holiday
    if day.weekday() >= 5:
        return _("土曜日・日曜日")
    if is_year_end(day):
        return _("年末年始")
    closed = ClosedDay.objects.filter(day=day).first()
    return closed.name if closed else None


def working_days(staff: Staff, first: date, last: date) -> list[date]:
    days, current = [], first
    while current <= last:
        if closed_reason(staff, current) is None:
            days.append(current)
        current += timedelta(days=1)
    return days
