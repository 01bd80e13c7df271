"""Ride records of a June day made by hand for the 現状分析 tests: two cars, six bookings that ended every way a
booking can, with the visits the drivers made."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.transport.support import make_rider, make_service, stop
from yakuba.kernel.tenancy.models import Municipality
from yakuba.transport.models import Ride, Rider, Service, Vehicle, Visit

DAY = date(2026, 6, 2)  # a Tuesday
JUNE, JULY = date(2026, 6, 1), date(2026, 7, 1)
_numbers = itertools.count(1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def make_ride(town: Municipality, rider: Rider, pickup: str, dropoff: str, *, day: date = DAY, hour: int = 9,
              minute: int = 0, status: str = "done", vehicle: Vehicle | None = None, boarded: int | None = None,
              ride_minutes: int | None = None, **fields: Any) -> Ride:
    """A ride with its 15-minute window at hour:minute; `boarded` minutes after the window opens, dropped
    `ride_minutes` after boarding."""
    start = at(day, hour, minute)
    values: dict[str, Any] = {"requested_at": start, "window_start": start, "window_end": start + timedelta(minutes=15),
                              "direct_seconds": 900, "status": status, "vehicle": vehicle}
    if vehicle is not None:
        values["planned_pickup"] = start + timedelta(minutes=5)
    if boarded is not None:
        values["boarded_at"] = start + timedelta(minutes=boarded)
        if ride_minutes is not None:
            values["dropped_at"] = values["boarded_at"] + timedelta(minutes=ride_minutes)
    with scope(municipality=town):
        return Ride.objects.create(municipality=town, number=f"R{next(_numbers):05d}", rider=rider, day=day,
                                   pickup=stop(town, pickup), dropoff=stop(town, dropoff), **{**values, **fields})


def visits(town: Municipality, vehicle: Vehicle, *order: tuple[Ride, str]) -> None:
    """The vehicle's visits of the day, in this order ("pickup" / "dropoff")."""
    with scope(municipality=town):
        for seq, (ride, kind) in enumerate(order, start=1):
            Visit.objects.create(municipality=town, ride=ride, kind=kind, vehicle=vehicle, day=ride.day, seq=seq,
                                 eta=ride.window_start + timedelta(minutes=seq))


@dataclass
class Day:
    service: Service
    done_a: Ride
    done_b: Ride
    refused: Ride
    cancelled: Ride
    no_show: Ride
    booked: Ride


def make_day(town: Municipality) -> Day:
    """1号車 (from 役場前) picks up A at 東公民館 (1 person) and B at 東集落センター (2 people, 5 minutes late) and sets
    both down at 町立病院; 2号車 goes to 西公民館 for C, who is not there. One booking refused (full), one cancelled,
    one still booked. Channels: A phone, B web (高齢者減免), refused LINE, the rest phone."""
    service = make_service(town)
    with scope(municipality=town):
        car1, car2 = Vehicle.objects.order_by("name")
    first = make_rider(town)
    second = make_rider(town, factories.make_resident(town, given_name="次郎", phone="0274-82-0002"))
    a = make_ride(town, first, "east1", "byoin", vehicle=car1, boarded=5, ride_minutes=20, channel="phone",
                  fare_yen=300)
    b = make_ride(town, second, "east2", "byoin", vehicle=car1, boarded=20, ride_minutes=8, passengers=2,
                  direct_seconds=1200, channel="web", reduction="elderly", fare_yen=150)
    refused = make_ride(town, first, "east1", "super", hour=10, status="refused", refusal="full", channel="line")
    cancelled = make_ride(town, second, "west2", "byoin", hour=11, status="cancelled", channel="phone")
    no_show = make_ride(town, first, "west1", "yakuba", hour=13, status="no_show", vehicle=car2, channel="phone")
    booked = make_ride(town, second, "byoin", "east1", day=DAY + timedelta(days=7), hour=14, status="confirmed",
                       vehicle=car1, channel="phone")
    visits(town, car1, (a, "pickup"), (b, "pickup"), (a, "dropoff"), (b, "dropoff"))
    visits(town, car2, (no_show, "pickup"), (no_show, "dropoff"))
    visits(town, car1, (booked, "pickup"), (booked, "dropoff"))
    return Day(service, a, b, refused, cancelled, no_show, booked)
