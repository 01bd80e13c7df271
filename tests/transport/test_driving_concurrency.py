"""Two tablets mark the same stop at the same moment (PostgreSQL, two threads): one mark wins, the other is refused
with when it was marked, and the ride moves once."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.support.race import race
from tests.transport.driving_support import make_route
from yakuba.kernel.audit.models import AuditEntry
from yakuba.transport.models import RideStatus, Visit, VisitKind
from yakuba.transport.services import driving

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_tablets_mark_one_pickup_at_once_and_one_wins(town_a):
    route = make_route(town_a)
    pickup = route.visit(route.first, VisitKind.PICKUP)
    outcomes = race(town_a, [  # each thread with its own copy of the row, as two tablets have
        lambda: driving.mark(route.driver, route.visit(route.first, VisitKind.PICKUP), "boarded"),
        lambda: driving.mark(route.operator, route.visit(route.first, VisitKind.PICKUP), "absent")])
    assert outcomes == {"ok": 1, "Refused": 1}
    with scope(municipality=town_a):
        pickup.refresh_from_db()
        route.first.refresh_from_db()
        marks = AuditEntry.objects.filter(action__startswith="transport.visit.").count()
        dropoff = Visit.objects.get(ride=route.first, kind=VisitKind.DROPOFF)
    assert marks == 1
    if pickup.outcome == "boarded":
        assert route.first.status == RideStatus.BOARDED and dropoff.done_at is None
    else:
        assert route.first.status == RideStatus.NO_SHOW and dropoff.outcome == "absent"


def test_a_double_tap_on_two_tablets_boards_once(town_a):
    route = make_route(town_a)
    for _round in range(3):
        outcomes = race(town_a, [lambda: driving.mark(route.driver, route.visit(route.second, VisitKind.PICKUP),
                                                      "boarded") for _ in range(3)])
        assert outcomes["ok"] <= 1 and outcomes["ok"] + outcomes["Refused"] == 3
    with scope(municipality=town_a):
        assert AuditEntry.objects.filter(action="transport.visit.boarded").count() == 1
        route.second.refresh_from_db()
        assert route.second.status == RideStatus.BOARDED
