"""Demo data of 勤怠管理 (`yakuba demo`), in every demo town: the patterns (標準 8:30–17:15 and two 時差出勤),
the leave types (年休, 夏季, 病気, 忌引), a 年休 grant and a staff card for every demo staff member, the entrance
tablet (its link is stable, derived like the demo TOTP keys), and the weeks before today: punches of the 総務課
clerk and the second department's clerk, some days at テレワーク (plan 000's KPI), a half day of 年休, an hour of
overtime, and overtime of the 総務課 clerk (soumu@…) that stands near 45 hours this month, so the warning shows.

Idempotent: a second load writes nothing new (rows are found by person and day).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality

from ..models import (
    Device,
    LeaveGrant,
    LeaveRequest,
    LeaveType,
    Overtime,
    OvertimeState,
    Place,
    StaffCard,
    Status,
    Unit,
    WorkPattern,
    WorkPeriod,
)
from ..services import rules

PATTERNS = (("標準", time(8, 30), time(17, 15), True), ("時差出勤A", time(7, 30), time(16, 15), False),
            ("時差出勤B", time(9, 30), time(18, 15), False))
LEAVE_TYPES = (("annual", "年次有給休暇", True, None), ("summer", "夏季休暇", False, 5),
               ("sick", "病気休暇", False, None), ("bereavement", "忌引休暇", False, None))
DAYS_BACK = 30
NEAR_LIMIT_MINUTES = 38 * 60  # the 総務課 clerk's overtime this month: past 80 % of 45 hours


def device_token(town: Town) -> str:
    """The demo tablet's secret, stable across reloads (the README links it)."""
    return hashlib.sha256(f"yakuba-demo-kiosk:{town.slug}".encode()).hexdigest()[:32]


def load(municipality: Municipality, town: Town) -> None:
    """Called by `yakuba demo` for each town inside its scope and transaction."""
    for name, starts, ends, default in PATTERNS:
        WorkPattern.objects.get_or_create(municipality=municipality, name=name, defaults={
            "starts": starts, "ends": ends, "break_minutes": 60, "is_default": default})
    for order, (code, name, annual, days) in enumerate(LEAVE_TYPES):
        LeaveType.objects.get_or_create(municipality=municipality, code=code, defaults={
            "name": name, "annual": annual, "days_per_year": days, "sort_order": order})
    today = timezone.localdate()
    people = list(Staff.objects.filter(user__email__endswith=f"@{town.slug}.demo").order_by("pk"))
    for number, person in enumerate(people, 1):
        LeaveGrant.objects.get_or_create(staff=person, valid_from=date(today.year, 1, 1), defaults={
            "municipality": municipality, "valid_until": date(today.year + 1, 1, 1), "days": Decimal(20),
            "carried_days": Decimal(5)})
        StaffCard.objects.get_or_create(staff=person, defaults={"municipality": municipality,
                                                                "number": f"{number:06d}"})
    Device.objects.get_or_create(municipality=municipality, token=device_token(town),
                                 defaults={"name": "本庁舎玄関"})
    by_mail = {person.user.email.split("@")[0]: person for person in people}
    clerk, second = by_mail.get("soumu"), by_mail.get("juumin")
    if clerk is None or second is None:
        return
    _weeks(municipality, clerk, today, telework_every=4)
    _weeks(municipality, second, today, telework_every=3)
    _leave_and_overtime(municipality, second, today)
    _near_limit(municipality, clerk, today)


def _at(day: date, moment: time) -> datetime:
    return rules.at(day, moment)


def _past_working_days(person: Staff, today: date) -> list[date]:
    return rules.working_days(person, today - timedelta(days=DAYS_BACK), today - timedelta(days=1))


def _weeks(municipality: Municipality, person: Staff, today: date, *, telework_every: int) -> None:
    for index, day in enumerate(_past_working_days(person, today)):
        if rules.month_is_closed(person, day):
            continue
        place = Place.TELEWORK if index % telework_every == 0 else Place.OFFICE
        WorkPeriod.objects.get_or_create(staff=person, day=day, defaults={
            "municipality": municipality, "started_at": _at(day, time(8, 25)), "ended_at": _at(day, time(17, 20)),
            "place": place})


def _leave_and_overtime(municipality: Municipality, person: Staff, today: date) -> None:
    days = _past_working_days(person, today)
    if len(days) < 3:
        return
    annual = LeaveType.objects.get(code="annual")
    LeaveRequest.objects.get_or_create(staff=person, first_day=days[-3], defaults={
        "municipality": municipality, "leave_type": annual, "unit": Unit.PM, "last_day": days[-3],
        "minutes": rules.day_minutes(person, days[-3]) // 2, "status": Status.APPROVED})
    day = days[-2]
    WorkPeriod.objects.filter(staff=person, day=day).update(ended_at=_at(day, time(18, 20)))
    Overtime.objects.get_or_create(staff=person, day=day, defaults={
        "municipality": municipality, "planned_start": _at(day, time(17, 15)), "planned_end": _at(day, time(18, 15)),
        "work": "窓口の集計", "state": OvertimeState.RECORDED, "actual_start": _at(day, time(17, 15)),
        "actual_end": _at(day, time(18, 15)), "minutes": 60, "ordered_at": _at(day, time(12))})


def _near_limit(municipality: Municipality, person: Staff, today: date) -> None:
    """Overtime of the month up to NEAR_LIMIT_MINUTES: recorded on this month's past days (with their punches
    stretched to cover it), ordered for the days left."""
    first = today.replace(day=1)
    month_days = rules.working_days(person, first, rules.next_month(first) - timedelta(days=1))
    this_month = Overtime.objects.filter(staff=person, day__gte=first, day__lt=rules.next_month(first))
    left = NEAR_LIMIT_MINUTES - sum(row.minutes or row.planned_minutes for row in this_month)
    for day in month_days:
        if left <= 0 or Overtime.objects.filter(staff=person, day=day).exists():
            continue
        hours = min(3 * 60, left)
        start, end = _at(day, time(17, 15)), _at(day, time(17, 15)) + timedelta(minutes=hours)
        if day < today:
            WorkPeriod.objects.update_or_create(staff=person, day=day, defaults={
                "municipality": municipality, "started_at": _at(day, time(8, 25)), "ended_at": end + timedelta(
                    minutes=5), "place": Place.OFFICE})
            Overtime.objects.create(municipality=municipality, staff=person, day=day, planned_start=start,
                                    planned_end=end, work="決算資料の作成", state=OvertimeState.RECORDED,
                                    actual_start=start, actual_end=end, minutes=hours, ordered_at=start)
        elif day > today:
            Overtime.objects.create(municipality=municipality, staff=person, day=day, planned_start=start,
                                    planned_end=end, work="決算資料の作成", state=OvertimeState.ORDERED,
                                    ordered_at=timezone.now())
        else:
            continue
        left -= hours
