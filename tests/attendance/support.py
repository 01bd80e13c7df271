"""Small builders for 勤怠 tests: a 課 with a clerk and its 所属長, the standard pattern, 年休 and leave types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django_scopes import scope

from tests import factories
from yakuba.attendance.models import LeaveType, WorkPattern
from yakuba.attendance.services import leave, setup
from yakuba.kernel.accounts.models import Role, Staff

TOKYO = ZoneInfo("Asia/Tokyo")
# A week of working days in a month with no public holiday inside it: 2026-06-01 is a Monday.
MONDAY = date(2026, 6, 1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TOKYO)


@dataclass
class Office:
    town: object
    clerk: Staff
    head: Staff
    personnel: Staff
    other: Staff  # a clerk of another 課
    annual: LeaveType
    summer: LeaveType


def make_office(town, *, department: str = "住民課", grant_days: int = 20) -> Office:
    clerk = factories.make_staff(town, department=department)
    head = factories.make_staff(town, department=department, role=Role.APPROVER)
    personnel = factories.make_staff(town, department="総務課", role=Role.APPROVER)
    other = factories.make_staff(town, department="建設課")
    with scope(municipality=town):
        WorkPattern.objects.get_or_create(municipality=town, name="標準", defaults={
            "starts": time(8, 30), "ends": time(17, 15), "break_minutes": 60, "is_default": True})
        annual, _ = LeaveType.objects.get_or_create(municipality=town, code="annual",
                                                    defaults={"name": "年次有給休暇", "annual": True})
        summer, _ = LeaveType.objects.get_or_create(municipality=town, code="summer", defaults={
            "name": "夏季休暇", "days_per_year": Decimal(5), "sort_order": 1})
        for person in (clerk, head, other):
            leave.grant_annual(None, person, valid_from=date(2026, 1, 1), days=grant_days)
            setup.issue_card(None, person, str(1000 + person.pk))
    return Office(town, clerk, head, personnel, other, annual, summer)
