"""Two operators book the last room in the only car at the same moment (PostgreSQL, two threads): the day's plan row
is locked while each booking is placed, so one ride is confirmed and the other refused with the times that fit."""

from __future__ import annotations

from datetime import time

import pytest
from django_scopes import scope

from tests import factories
from tests.support.race import race
from tests.transport import support
from yakuba.transport.models import DayPlan, Ride, RideStatus, Vehicle, Visit
from yakuba.transport.services import booking, dispatch

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_operators_book_the_last_room_at_once_and_one_wins(town_a):
    support.make_service(town_a)
    with scope(municipality=town_a):
        Vehicle.objects.exclude(name="1号車").update(active=False)
    staff = [support.operator(town_a), support.operator(town_a)]
    riders = [support.make_rider(town_a, factories.make_resident(town_a, phone=f"0274-82-000{n}")) for n in (1, 2)]
    day = support.next_weekday()
    alternatives: list[list[object]] = []

    def book(n: int) -> None:
        wish = booking.Wish(pickup=support.stop(town_a, "east2"), dropoff=support.stop(town_a, "yakuba"), day=day,
                            at=time(10, 0), passengers=4)
        outcome = booking.book(riders[n], wish, channel="phone", staff=staff[n])
        alternatives.append(list(outcome.alternatives))

    assert race(town_a, [lambda: book(0), lambda: book(1)]) == {"ok": 2}
    with scope(municipality=town_a):
        rides = list(Ride.objects.filter(day=day).order_by("status"))
        assert sorted(r.status for r in rides) == [RideStatus.CONFIRMED, RideStatus.REFUSED]
        refused = next(r for r in rides if r.status == RideStatus.REFUSED)
        confirmed = next(r for r in rides if r.status == RideStatus.CONFIRMED)
        assert refused.refusal == "full" and not Visit.objects.filter(ride=refused).exists()
        assert Visit.objects.filter(ride=confirmed).count() == 2
        assert sorted(len(a) for a in alternatives)[-1] >= 1  # the refused caller is offered other times
        assert DayPlan.objects.get(day=day).version == 1  # planned once, by the winner
        # The winner's pickup is inside the window it was told, and its ride within the cap.
        assert confirmed.window_start <= confirmed.planned_pickup <= confirmed.window_end
        cap = dispatch.max_ride(booking.access.service(), confirmed.direct_seconds)
        assert (confirmed.planned_dropoff - confirmed.planned_pickup).total_seconds() <= cap
