"""On PostgreSQL, at the same moment: two clock-ins of one person make one open period (the other is refused),
and the closed-month trigger refuses a write from another connection."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import IntegrityError, connection, transaction
from django_scopes import scope

from tests.attendance.support import MONDAY, at, make_office
from tests.support.race import race
from yakuba.attendance.models import CloseState, MonthClose, WorkPeriod
from yakuba.attendance.services import clock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")


def test_two_clock_ins_at_once_make_one_open_period(town_a):
    office = make_office(town_a)
    outcomes = race(town_a, [lambda: clock.clock_in(office.clerk, now=at(MONDAY, 8, 30))] * 2)
    assert outcomes == Counter({"ok": 1, "Refused": 1})
    with scope(municipality=town_a):
        assert WorkPeriod.objects.filter(staff=office.clerk, ended_at__isnull=True).count() == 1


def test_the_trigger_refuses_a_closed_month_on_postgresql(town_a):
    office = make_office(town_a)
    with scope(municipality=town_a):
        MonthClose.objects.create(municipality=town_a, staff=office.clerk, month=MONDAY.replace(day=1),
                                  state=CloseState.CLOSED)
        with pytest.raises(IntegrityError, match="attendance_month_closed"), transaction.atomic():
            WorkPeriod.objects.create(municipality=town_a, staff=office.clerk, day=MONDAY,
                                      started_at=at(MONDAY, 8, 30), ended_at=at(MONDAY, 17))
