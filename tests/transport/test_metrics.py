"""The デマンド交通 figures plans can bind (kernel.metrics): each registered, each counted within its town, and
nothing to measure when nothing ran."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests.transport.report_support import JULY, JUNE, make_day
from tests.transport.support import make_service
from yakuba.kernel import metrics
from yakuba.transport import metrics as transport_metrics  # noqa: F401  (registers them)
from yakuba.transport.models import Rider, Service
from yakuba.transport.services import report

pytestmark = pytest.mark.django_db
KEYS = ("transport.rides", "transport.riders", "transport.refusal_share", "transport.occupancy",
        "transport.riders_per_trip", "transport.empty_km_share", "transport.mean_wait_minutes",
        "transport.registered_riders", "transport.online_share")


def value(town, key, start=JUNE, end=JULY):
    with scope(municipality=town):
        found = metrics.get(key).value(start, end)
    return float(found) if found is not None else None


def test_they_are_registered():
    found = {metric.key: metric for metric in metrics.all_metrics()}
    assert set(KEYS) <= set(found)
    assert found["transport.rides"].kind == metrics.Kind.FLOW
    assert found["transport.registered_riders"].kind == metrics.Kind.STOCK
    assert all(found[key].app == "transport" for key in KEYS)


def test_the_values_of_a_day(town_a, town_b):
    make_day(town_a)
    make_day(town_b)
    assert value(town_a, "transport.rides") == 2
    assert value(town_a, "transport.riders") == 2
    assert value(town_a, "transport.refusal_share") == pytest.approx(16.7, abs=0.05)
    assert value(town_a, "transport.online_share") == pytest.approx(33.3, abs=0.05)
    assert value(town_a, "transport.mean_wait_minutes") == pytest.approx(12.5, abs=0.05)
    assert value(town_a, "transport.riders_per_trip") == 3
    with scope(municipality=town_a):
        driving = report.driving(Service.objects.get(), JUNE, JULY)
    assert value(town_a, "transport.occupancy") == pytest.approx(driving.occupancy, abs=0.05)
    assert value(town_a, "transport.empty_km_share") == pytest.approx(driving.empty_share, abs=0.05)
    assert 0 < value(town_a, "transport.empty_km_share") < 100


def test_registered_riders_as_they_stood_at_the_end(town_a):
    make_day(town_a)
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert value(town_a, "transport.registered_riders", JUNE, tomorrow) == 2
    assert value(town_a, "transport.registered_riders", JUNE, date(2000, 1, 1)) == 0
    with scope(municipality=town_a):
        assert Rider.objects.count() == 2


def test_nothing_to_measure(town_a, town_b):
    make_service(town_a)
    for key in ("transport.refusal_share", "transport.occupancy", "transport.empty_km_share",
                "transport.mean_wait_minutes", "transport.online_share", "transport.riders_per_trip"):
        assert value(town_a, key) is None, key
        assert value(town_b, key) is None, key  # a town without the service
    assert value(town_a, "transport.rides") == 0 and value(town_b, "transport.riders") == 0
