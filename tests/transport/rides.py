"""Rides made directly (as booking leaves them), for the tests of telling riders and of fares, which do not need the
solver: a confirmed ride on a vehicle with its pickup window."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scope

from yakuba.kernel.tenancy.models import Municipality
from yakuba.transport.models import Ride, Rider, RideStatus, Stop, Vehicle

_numbers = itertools.count(1)


def make_ride(town: Municipality, rider: Rider, *, day: date, at: time = time(10), pickup: str = "east1",
              dropoff: str = "byoin", status: str = RideStatus.CONFIRMED, **fields: Any) -> Ride:
    with scope(municipality=town):
        start = timezone.make_aware(datetime.combine(day, at))
        values: dict[str, Any] = {
            "municipality": town, "number": f"{day.year}-{next(_numbers):05d}", "rider": rider, "day": day,
            "pickup": Stop.objects.get(code=pickup), "dropoff": Stop.objects.get(code=dropoff),
            "requested_at": start, "window_start": start, "window_end": start + timedelta(minutes=15),
            "status": status, "fare_yen": 300}
        if status in (RideStatus.CONFIRMED, RideStatus.BOARDED, RideStatus.DONE):
            values |= {"vehicle": Vehicle.objects.get(name="1号車"), "planned_pickup": start + timedelta(minutes=5),
                       "planned_dropoff": start + timedelta(minutes=20)}
        if status == RideStatus.REFUSED:
            values["refusal"] = "full"
        return Ride.objects.create(**{**values, **fields})
