"""What the database itself guarantees: one open work period per person, the checks on times and amounts, and
that a closed month does not change (a trigger, on SQLite and on PostgreSQL alike: run this module with
YAKUBA_TEST_DATABASE_URL for the PostgreSQL side)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django_scopes import scope

from tests.attendance.support import MONDAY, at, make_office
from yakuba.attendance.models import (
    CloseState,
    LeaveRequest,
    MonthClose,
    Overtime,
    OvertimeState,
    Unit,
    WorkPeriod,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(town_a):
    office = make_office(town_a)
    with scope(municipality=town_a):
        yield office


def _period(office, day=MONDAY, **fields):
    values = {"started_at": at(day, 8, 30), "ended_at": at(day, 17, 15), **fields}
    return WorkPeriod.objects.create(municipality=office.town, staff=office.clerk, day=day, **values)


def _refused(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_one_open_period_per_person(office):
    _period(office, ended_at=None)
    _refused(lambda: _period(office, MONDAY + timedelta(days=1), ended_at=None))
    _period(office, MONDAY + timedelta(days=1))  # a closed one is fine


def test_a_period_ends_after_it_starts(office):
    _refused(lambda: _period(office, ended_at=at(MONDAY, 8)))


def test_leave_takes_a_positive_amount_and_part_days_are_one_day(office):
    base = {"municipality": office.town, "staff": office.clerk, "leave_type": office.annual,
            "first_day": MONDAY, "last_day": MONDAY}
    _refused(lambda: LeaveRequest.objects.create(**base, minutes=0))
    _refused(lambda: LeaveRequest.objects.create(**{**base, "last_day": MONDAY + timedelta(days=1)},
                                                 unit=Unit.AM, minutes=232))
    _refused(lambda: LeaveRequest.objects.create(**base, unit=Unit.HOURS, minutes=60))  # no times


def test_recorded_overtime_has_its_minutes(office):
    _refused(lambda: Overtime.objects.create(municipality=office.town, staff=office.clerk, day=MONDAY,
                                             planned_start=at(MONDAY, 18), planned_end=at(MONDAY, 19),
                                             work="集計", state=OvertimeState.RECORDED))


def test_a_closed_month_refuses_insert_update_and_delete(office):
    period = _period(office)
    overtime = Overtime.objects.create(municipality=office.town, staff=office.clerk, day=MONDAY,
                                       planned_start=at(MONDAY, 18), planned_end=at(MONDAY, 19), work="集計")
    leave = LeaveRequest.objects.create(municipality=office.town, staff=office.clerk, leave_type=office.annual,
                                        first_day=MONDAY + timedelta(days=2), last_day=MONDAY + timedelta(days=2),
                                        minutes=465)
    close = MonthClose.objects.create(municipality=office.town, staff=office.clerk, month=MONDAY.replace(day=1),
                                      state=CloseState.CLOSED)
    _refused(lambda: _period(office, MONDAY + timedelta(days=1)))
    _refused(lambda: WorkPeriod.objects.filter(pk=period.pk).update(ended_at=at(MONDAY, 18)))
    _refused(lambda: WorkPeriod.objects.filter(pk=period.pk).delete())
    _refused(lambda: Overtime.objects.filter(pk=overtime.pk).update(work="変更"))
    _refused(lambda: LeaveRequest.objects.filter(pk=leave.pk).update(status="cancelled"))
    # moving a row of an open month into the closed one is refused too
    july = _period(office, MONDAY + timedelta(days=30))
    _refused(lambda: WorkPeriod.objects.filter(pk=july.pk).update(day=MONDAY))
    # another person's month, and the same person's next month, are open
    WorkPeriod.objects.create(municipality=office.town, staff=office.head, day=MONDAY, started_at=at(MONDAY, 8),
                              ended_at=at(MONDAY, 9))
    WorkPeriod.objects.filter(pk=july.pk).update(ended_at=at(MONDAY + timedelta(days=30), 18))
    # reopened: it changes again
    MonthClose.objects.filter(pk=close.pk).update(state=CloseState.REOPENED)
    WorkPeriod.objects.filter(pk=period.pk).update(ended_at=at(MONDAY, 18))


def test_leave_across_months_is_refused_when_either_month_is_closed(office):
    MonthClose.objects.create(municipality=office.town, staff=office.clerk, month=MONDAY.replace(month=7, day=1),
                              state=CloseState.CLOSED)
    _refused(lambda: LeaveRequest.objects.create(
        municipality=office.town, staff=office.clerk, leave_type=office.annual, first_day=MONDAY.replace(day=30),
        last_day=MONDAY.replace(month=7, day=1), minutes=930))
