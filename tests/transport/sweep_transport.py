"""What the shared sweeps need of デマンド交通: a service run by 総務課 (where the sweeps' staff work) with a ride in
its plan, the objects per staff route (role sweep), and the rows of town B (isolation sweep)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.transport import support
from yakuba.kernel.tenancy.models import Municipality


def _rows(town: Municipality, marker: str, resident: Any) -> dict[str, Any]:
    from yakuba.transport.models import (
        DayPlan,
        FixedRoute,
        FixedRouteStop,
        Ride,
        RideStatus,
        Stop,
        TravelTime,
        Vehicle,
        Visit,
        Zone,
    )

    support.make_service(town, department="総務課")
    rider = support.make_rider(town, resident, needs=f"{marker}の配慮")
    day = support.next_weekday()
    with scope(municipality=town):
        zone = Zone.objects.get(name="東地区")
        stop = Stop.objects.get(code="east1")
        stop.note = f"{marker}の乗降ポイント"
        stop.save()
        other = Stop.objects.get(code="byoin")
        vehicle = Vehicle.objects.get(name="1号車")
        TravelTime.objects.get_or_create(municipality=town, origin=stop, destination=other,
                                         defaults={"seconds": 600, "meters": 4000})
        start = timezone.make_aware(datetime.combine(day, time(9, 0)))
        ride = Ride.objects.create(
            municipality=town, number=f"{day.year}-S0001", rider=rider, day=day, pickup=stop, dropoff=other,
            requested_at=start, window_start=start, window_end=start + timedelta(minutes=15), direct_seconds=600,
            vehicle=vehicle, planned_pickup=start, planned_dropoff=start + timedelta(minutes=12),
            status=RideStatus.CONFIRMED, fare_yen=300, note=f"{marker}の予約")
        for seq, (kind, at) in enumerate((("pickup", start), ("dropoff", start + timedelta(minutes=12))), start=1):
            Visit.objects.create(municipality=town, ride=ride, kind=kind, vehicle=vehicle, day=day, seq=seq, eta=at)
        DayPlan.objects.get_or_create(municipality=town, day=day, defaults={"version": 1})
        route = FixedRoute.objects.create(municipality=town, name=f"{marker}の路線", departures=["08:00"])
        FixedRouteStop.objects.create(municipality=town, route=route, stop=stop, seq=1, minutes=0)
        FixedRouteStop.objects.create(municipality=town, route=route, stop=other, seq=2, minutes=10)
    return {"zone": zone, "stop": stop, "vehicle": vehicle, "ride": ride, "route": route, "day": day,
            "resident": resident}


def route_objects(town: Municipality, resident: Any) -> dict[str, Any]:
    """Arguments of every デマンド交通 staff URL for the role sweep."""
    made = _rows(town, "下仁田", resident)
    ride, day, vehicle = made["ride"], made["day"].isoformat(), made["vehicle"]
    return {
        "staff:transport-call-book": made["resident"].pk,
        **{f"staff:transport-{n}": ride.pk for n in ("ride", "ride-cancel", "ride-place")},
        "staff:transport-plan": {"day": day},
        **{f"staff:transport-drive-{n}": {"vehicle_id": vehicle.pk, "day": day} for n in ("route", "version", "mark")},
        "staff:transport-setup-zone": made["zone"].pk,
        **{f"staff:transport-setup-{n}": made["stop"].pk for n in ("stop", "stop-delete")},
        "staff:transport-setup-vehicle": vehicle.pk,
        "staff:transport-setup-route": made["route"].pk,
    }


B_MARKERS = ["甘楽専用の配慮", "甘楽専用の乗降ポイント", "甘楽専用の予約", "甘楽専用の路線", "甘楽 乗客"]


def rows_of_town_b(town_b: Municipality, staff_b: Any, town_a: Municipality) -> None:
    """Every デマンド交通 model with a row of town B, each carrying a marker a leak would show; and a service in
    town A, so that town A's staff get past 「この町ではデマンド交通を運行していません」 to the lookups the sweep
    watches."""
    _rows(town_b, "甘楽専用", factories.make_resident(town_b, family_name="甘楽", given_name="乗客"))
    support.make_service(town_a, department="総務課")
