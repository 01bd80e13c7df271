"""The figures plans can bind: テレワーク延べ実施日数, 時間外 (per 課 and in total), 年休取得率, each of its town."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django_scopes import scope

from tests.attendance.support import MONDAY, at, make_office
from yakuba.attendance import metrics as attendance_metrics
from yakuba.attendance.models import Place, Unit
from yakuba.attendance.services import clock, leave, overtime
from yakuba.kernel import metrics

pytestmark = pytest.mark.django_db
JUNE, JULY = date(2026, 6, 1), date(2026, 7, 1)


def _day(person, day, place=Place.OFFICE, end=(17, 15)):
    clock.clock_in(person, place, now=at(day, 8, 30))
    clock.clock_out(person, now=at(day, *end))


def test_the_three_metrics_are_registered():
    keys = {metric.key for metric in metrics.all_metrics()}
    assert {"attendance.telework_days", "attendance.overtime_hours", "attendance.leave_rate"} <= keys


def test_telework_days_count_person_days_of_this_town_only(town_a, town_b):
    office = make_office(town_a)
    other = make_office(town_b)
    with scope(municipality=town_a):
        _day(office.clerk, MONDAY, Place.TELEWORK)
        _day(office.head, MONDAY, Place.TELEWORK)
        _day(office.clerk, MONDAY + timedelta(days=1), Place.OFFICE)
    with scope(municipality=town_b):
        _day(other.clerk, MONDAY, Place.TELEWORK)
    with scope(municipality=town_a):
        assert metrics.get("attendance.telework_days").value(JUNE, JULY) == 2
        assert metrics.get("attendance.telework_days").value(JULY, date(2026, 8, 1)) == 0


def test_overtime_per_department_and_leave_rate(town_a):
    office = make_office(town_a)
    with scope(municipality=town_a):
        _day(office.clerk, MONDAY, end=(19, 30))
        ordered = overtime.order(office.head, office.clerk, day=MONDAY, start=at(MONDAY, 17, 15),
                                 end=at(MONDAY, 19, 15), work="集計")
        overtime.record(office.clerk, ordered, day=MONDAY, start=at(MONDAY, 17, 15), end=at(MONDAY, 19, 15))
        assert attendance_metrics.overtime_by_department(JUNE, JULY) == [
            {"department": "住民課", "hours": 2.0, "people": 1}]
        assert metrics.get("attendance.overtime_hours").value(JUNE, JULY) == 2
        for n in range(2):
            asked = leave.request_leave(office.clerk, leave.Ask(office.annual, Unit.DAY, MONDAY + timedelta(days=n)))
            leave.decide_leave(office.head, asked, approve=True)
        # 2 days taken of 3 × 20 granted (clerk, head, the other 課's clerk)
        assert float(metrics.get("attendance.leave_rate").value(JUNE, JULY)) == pytest.approx(3.3, abs=0.05)
