"""Booking a ride: the rules a wish is checked against, placing it in the day's plan (two riders sharing one car),
refusing a full time with the nearest times that fit, queueing when the solver runs out of time, cancelling."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.transport import support
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.transport.models import DayPlan, Ride, RideStatus, Vehicle, Visit
from yakuba.transport.routing import solver
from yakuba.transport.services import booking, dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    town = factories.make_town()
    support.make_service(town)
    return town


def wish(town, pickup="east1", dropoff="byoin", at=time(9, 0), day=None, **fields):
    return booking.Wish(pickup=support.stop(town, pickup), dropoff=support.stop(town, dropoff),
                        day=day or support.next_weekday(), at=at, **fields)


def test_a_ride_is_placed_with_its_window_vehicle_and_visits(town):
    rider = support.make_rider(town)
    with scope(municipality=town):
        outcome = booking.book(rider, wish(town))
        ride = outcome.ride
        assert ride.status == RideStatus.CONFIRMED
        assert timezone.localtime(ride.window_start).time() == time(9, 0)
        assert timezone.localtime(ride.window_end).time() == time(9, 15)
        assert ride.vehicle is not None and ride.planned_pickup is not None
        assert ride.window_start <= ride.planned_pickup <= ride.window_end
        cap = dispatch.max_ride(booking.access.service(), ride.direct_seconds)
        assert ride.planned_dropoff - ride.planned_pickup <= timedelta(seconds=cap)
        kinds = list(Visit.objects.filter(ride=ride).order_by("seq").values_list("kind", flat=True))
        assert kinds == ["pickup", "dropoff"]
        assert ride.number.startswith(f"{ride.day.year}-")
        assert DayPlan.objects.get(day=ride.day).version == 1
        assert AuditEntry.objects.filter(action="transport.ride.confirmed").count() == 1


def test_two_riders_going_the_same_way_share_one_vehicle(town):
    first, second = support.make_rider(town), support.make_rider(town)
    with scope(municipality=town):
        a = booking.book(first, wish(town, "east2", "byoin", at=time(9, 0))).ride
        b = booking.book(second, wish(town, "east1", "byoin", at=time(9, 0))).ride
        assert a.status == b.status == RideStatus.CONFIRMED
        a.refresh_from_db()
        assert a.vehicle_id == b.vehicle_id  # one car picks up east2, then east1 on the way, to the hospital
        route = [(v.ride_id, v.kind) for v in dispatch.route(a.vehicle, a.day)]
        assert sorted(route) == sorted([(a.pk, "pickup"), (a.pk, "dropoff"), (b.pk, "pickup"), (b.pk, "dropoff")])
        assert [kind for _pk, kind in route][:2] == ["pickup", "pickup"]  # both aboard before the hospital


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"dropoff": "east1"}, "dropoff", "同じです"),
    ({"pickup": "east1", "dropoff": "west1"}, "dropoff", "運行区域の外"),
    ({"at": time(6, 30)}, "at", "運行時間"),
    ({"at": time(16, 55)}, "at", "運行時間"),
    ({"passengers": 9}, "passengers", "4人まで"),
    ({"passengers": 2, "wheelchairs": 3}, "wheelchairs", "多くなっています"),
    ({"passengers": 2, "wheelchairs": 2}, "wheelchairs", "1人まで"),
    ({"at": time(9, 0), "arrive_before": time(9, 5)}, "arrive_before", "近すぎます"),
])
def test_bad_wishes_are_refused_on_their_field_and_nothing_is_saved(town, fields, field, message):
    rider = support.make_rider(town)
    pickup, dropoff = fields.pop("pickup", "east1"), fields.pop("dropoff", "byoin")
    with scope(municipality=town):
        with pytest.raises(Refused) as refused:
            booking.book(rider, wish(town, pickup, dropoff, **fields))
        assert message in refused.value.errors[field]
        assert not Ride.objects.exists()


def test_days_without_service_and_too_far_ahead_or_too_late_are_refused(town):
    rider = support.make_rider(town)
    saturday = support.next_weekday()
    while saturday.weekday() != 5:
        saturday += timedelta(days=1)
    with scope(municipality=town):
        with pytest.raises(Refused, match="運行していません"):
            booking.book(rider, wish(town, day=saturday))
        with pytest.raises(Refused, match="7日先まで"):
            booking.book(rider, wish(town, day=support.next_weekday(days_ahead=9)))
        day = support.next_weekday()
        soon = timezone.make_aware(datetime.combine(day, time(8, 30)))
        with pytest.raises(Refused, match="60分前まで"):
            booking.book(rider, wish(town, day=day, at=time(9, 0)), now=soon)


def test_a_full_time_is_refused_with_the_nearest_times_that_fit_and_the_refusal_is_kept(town):
    with scope(municipality=town):
        Vehicle.objects.exclude(name="1号車").update(active=False)
    riders = [support.make_rider(town) for _ in range(3)]
    with scope(municipality=town):
        # Two trips the opposite way at the same time fill the only car's hour.
        booking.book(riders[0], wish(town, "west2", "yakuba", at=time(10, 0), passengers=4))
        booking.book(riders[1], wish(town, "east2", "yakuba", at=time(10, 0), passengers=4))
        outcome = booking.book(riders[2], wish(town, "east2", "yakuba", at=time(10, 5), passengers=4))
        ride = outcome.ride
        assert ride.status == RideStatus.REFUSED and ride.refusal == "full"
        assert outcome.alternatives, "the nearest times that fit are offered"
        assert all(abs((a - ride.window_start).total_seconds()) <= 3600 for a in outcome.alternatives)
        assert not Visit.objects.filter(ride=ride).exists()
        taken = booking.book(riders[2], wish(town, "east2", "yakuba",
                                              at=timezone.localtime(outcome.alternatives[0]).time(), passengers=4))
        assert taken.ride.status == RideStatus.CONFIRMED


def test_a_solver_timeout_queues_the_ride_for_a_person_and_keeps_the_plan(town, monkeypatch):
    first, second = support.make_rider(town), support.make_rider(town)
    with scope(municipality=town):
        kept = booking.book(first, wish(town, at=time(9, 0))).ride
        version = DayPlan.objects.get(day=kept.day).version
        # The solver's own answer when its time limit passes with no plan at all.
        monkeypatch.setattr(solver, "place", lambda *args, **kwargs: ("timeout", None))
        ride = booking.book(second, wish(town, "west1", "yakuba", at=time(9, 0))).ride
        assert ride.status == RideStatus.QUEUED and not Visit.objects.filter(ride=ride).exists()
        assert DayPlan.objects.get(day=kept.day).version == version
        assert booking.queued_count() == 1
        monkeypatch.undo()
        staff = support.operator(town)
        placed = booking.place_queued(ride, staff=staff)
        assert placed.ride.status == RideStatus.CONFIRMED
        with pytest.raises(Refused, match="すでに処理"):
            booking.place_queued(ride, staff=staff)


def test_cancelling_frees_the_seat_and_bumps_the_plan(town):
    rider = support.make_rider(town)
    with scope(municipality=town):
        ride = booking.book(rider, wish(town)).ride
        version = DayPlan.objects.get(day=ride.day).version
        booking.cancel(ride, resident=rider.resident)
        ride.refresh_from_db()
        assert ride.status == RideStatus.CANCELLED and not Visit.objects.filter(ride=ride).exists()
        assert DayPlan.objects.get(day=ride.day).version == version + 1
        with pytest.raises(Refused, match="取り消せません"):
            booking.cancel(ride, resident=rider.resident)
        other = support.make_rider(town)
        ride2 = booking.book(rider, wish(town, at=time(11, 0))).ride
        with pytest.raises(Refused):
            booking.cancel(ride2, resident=other.resident)


def test_the_same_rider_cannot_book_two_rides_at_once(town):
    rider = support.make_rider(town)
    with scope(municipality=town):
        booking.book(rider, wish(town, at=time(9, 0)))
        with pytest.raises(Refused, match="別のご予約"):
            booking.book(rider, wish(town, "yakuba", "super", at=time(9, 10)))


def test_usual_stops_put_home_first_then_the_most_used(town):
    rider = support.make_rider(town)
    with scope(municipality=town):
        rider.home_stop = support.stop(town, "east1")
        rider.save()
        booking.book(rider, wish(town, "east1", "byoin", at=time(9, 0)))
        booking.book(rider, wish(town, "byoin", "east1", at=time(13, 0)))
        usual = [s.code for s in booking.usual_stops(rider)]
        assert usual[:2] == ["east1", "byoin"]
