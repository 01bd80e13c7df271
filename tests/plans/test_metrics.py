"""The metric registry the plans bind indicators to: every app's figures move with real use, per town, per window."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope

from tests import factories
from yakuba.kernel import metrics
from yakuba.kernel.metrics import Metric

pytestmark = pytest.mark.django_db

EXPECTED = {
    "applications.counter_visits", "applications.counter_visits_per_month", "applications.departments_online",
    "applications.online_procedures", "applications.online_submissions", "applications.submissions",
    "notices.deliveries", "notices.emergency_confirmation_rate", "notices.emergency_published", "notices.published",
    "notices.subscribers", "reservations.occupancy", "reservations.online_share", "reservations.reservations",
}


def _value(town, key, start, end):
    with scope(municipality=town):
        return metrics.get(key).value(start, end)


def test_every_app_registers_its_figures_with_a_label_and_unit():
    registered = {m.key: m for m in metrics.all_metrics()}
    assert EXPECTED <= set(registered)
    for key in EXPECTED:
        assert registered[key].label and registered[key].unit and registered[key].app == key.split(".")[0]


def test_a_key_cannot_be_registered_twice_with_another_function():
    existing = metrics.get("notices.published")
    with pytest.raises(ValueError):
        metrics.register(Metric(existing.key, "x", "件", lambda start, end: 0))
    assert metrics.register(existing) is existing  # re-registering the same one (a module reloaded) is harmless


def test_month_helpers():
    assert metrics.months(date(2026, 4, 1), date(2026, 11, 24)) == [(2026, m) for m in range(4, 12)]
    assert metrics.months(date(2026, 12, 1), date(2027, 2, 1)) == [(2026, 12), (2027, 1)]
    assert metrics.share(1, 4) == 25 and metrics.share(1, 0) is None


def test_application_figures(town_a, town_b):
    today = timezone.localdate()
    start, end = today.replace(day=1), today + timedelta(days=1)
    assert _value(town_a, "applications.online_procedures", start, end) is None
    procedure = factories.make_procedure(town_a, department="住民税務課")
    factories.make_procedure(town_a, published=False, department="住民税務課")
    factories.make_department(town_a, "総務課")
    factories.make_procedure(town_b)
    assert _value(town_a, "applications.online_procedures", start, end) == Decimal("50.0")
    assert _value(town_a, "applications.departments_online", start, end) == Decimal("50.0")  # 1 of 2 課
    resident = factories.make_resident(town_a)
    factories.make_submission(procedure, resident)
    factories.make_submission(procedure, resident)
    assert _value(town_a, "applications.submissions", start, end) == 2
    assert _value(town_a, "applications.online_submissions", start, end) == Decimal("100.0")
    assert _value(town_a, "applications.submissions", start - timedelta(days=40), start) == 0  # outside the window


def test_reservation_figures(town_a):
    room = factories.make_room(town_a)
    resident = factories.make_resident(town_a)
    starts = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=3), datetime.min.time())
                                 ) + timedelta(hours=10)
    factories.make_reservation(room, resident, starts, hours=3)
    day = starts.date()
    assert _value(town_a, "reservations.reservations", day, day + timedelta(days=1)) == 1
    assert _value(town_a, "reservations.online_share", day, day + timedelta(days=1)) == Decimal("100.0")
    occupancy = _value(town_a, "reservations.occupancy", day, day + timedelta(days=1))
    assert Decimal("0") < occupancy < Decimal("2")  # 3 h of a month open 12 h a day


def test_notice_figures(town_a, town_b):
    today = timezone.localdate()
    start, end = today - timedelta(days=1), today + timedelta(days=1)
    factories.make_subscriber(town_a, email="a@example.jp", line_user="U-a")  # one person, two channels
    factories.make_subscriber(town_a, email="b@example.jp")
    factories.make_subscriber(town_b, email="c@example.jp")
    assert _value(town_a, "notices.subscribers", start, end) == 2
    assert _value(town_a, "notices.subscribers", start - timedelta(days=30), start - timedelta(days=29)) == 0
    factories.make_notice(town_a, category="bousai")
    factories.make_notice(town_a)
    factories.make_notice(town_a, published=False)
    assert _value(town_a, "notices.published", start, end) == 2
    assert _value(town_a, "notices.emergency_published", start, end) == 1
    assert _value(town_a, "notices.deliveries", start, end) == 0
    assert _value(town_a, "notices.emergency_confirmation_rate", start, end) is None  # nothing sent yet
