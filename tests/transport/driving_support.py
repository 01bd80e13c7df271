"""Rides on a vehicle's route for the drivers' tablet tests, built with the ORM (not the booking service): two
riders on 1号車, their pickups and drop-offs interleaved, each ride CONFIRMED with its planned times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.urls import include, path
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.transport.support import make_rider, make_service, operator
from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.tenancy.models import Municipality
from yakuba.transport.models import DayPlan, Ride, Rider, RideStatus, Stop, Vehicle, Visit, VisitKind

_numbers = iter(range(1, 10_000))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def make_ride(town: Municipality, rider: Rider, vehicle: Vehicle | None, day: date, pickup: str, dropoff: str,
              pickup_at: datetime, *, seqs: tuple[int, int] | None = None, ride_minutes: int = 15,
              **fields: Any) -> Ride:
    """A ride, and when `seqs` is given its two visits on the vehicle's route at those positions."""
    with scope(municipality=town):
        values = {"number": f"D-{next(_numbers):04d}", "rider": rider, "day": day,
                  "pickup": Stop.objects.get(code=pickup), "dropoff": Stop.objects.get(code=dropoff),
                  "requested_at": pickup_at, "window_start": pickup_at - timedelta(minutes=5),
                  "window_end": pickup_at + timedelta(minutes=10), "vehicle": vehicle,
                  "planned_pickup": pickup_at if vehicle else None,
                  "planned_dropoff": pickup_at + timedelta(minutes=ride_minutes) if vehicle else None,
                  "status": RideStatus.CONFIRMED, "fare_yen": 300, **fields}
        ride = Ride.objects.create(municipality=town, **values)
        if seqs is not None and vehicle is not None:
            for kind, seq, eta in ((VisitKind.PICKUP, seqs[0], pickup_at),
                                   (VisitKind.DROPOFF, seqs[1], pickup_at + timedelta(minutes=ride_minutes))):
                Visit.objects.create(municipality=town, ride=ride, kind=kind, vehicle=vehicle, day=day, seq=seq,
                                     eta=eta)
    return ride


@dataclass
class Route:
    town: Municipality
    vehicle: Vehicle
    other_vehicle: Vehicle
    driver: Staff
    other_driver: Staff
    operator: Staff
    day: date
    first: Ride  # 山田花子 東公民館 → 町立病院 (pickup 1st, drop-off 3rd), 2 passengers, 減免, needs
    second: Ride  # 佐藤一郎 西公民館 → 町立病院 (pickup 2nd, drop-off 4th), wheelchair

    def visit(self, ride: Ride, kind: str) -> Visit:
        with scope(municipality=self.town):
            return Visit.objects.select_related("vehicle", "ride").get(ride=ride, kind=kind)


def make_route(town: Municipality, day: date | None = None, *, version: int = 1) -> Route:
    day = day or timezone.localdate()
    make_service(town)
    driver = factories.make_staff(town, department="運行係")
    other_driver = factories.make_staff(town, department="運行係")
    with scope(municipality=town):
        vehicle, other = Vehicle.objects.get(name="1号車"), Vehicle.objects.get(name="2号車")
        vehicle.driver, other.driver = driver, other_driver
        vehicle.save(update_fields=["driver"])
        other.save(update_fields=["driver"])
        DayPlan.objects.update_or_create(municipality=town, day=day, defaults={"version": version})
    hanako = make_rider(town, needs="杖を使う")
    ichiro = make_rider(town, factories.make_resident(town, family_name="佐藤", given_name="一郎"), wheelchair=True)
    first = make_ride(town, hanako, vehicle, day, "east1", "byoin", at(day, 9, 0), seqs=(1, 3), passengers=2,
                      fare_yen=450, reduction="elderly", note="荷物が多い")
    second = make_ride(town, ichiro, vehicle, day, "west1", "byoin", at(day, 9, 10), seqs=(2, 4), wheelchairs=1)
    return Route(town=town, vehicle=vehicle, other_vehicle=other, driver=driver, other_driver=other_driver,
                 operator=operator(town), day=day, first=first, second=second)


def route_url(route: Route, vehicle: Vehicle | None = None, suffix: str = "") -> str:
    vehicle = vehicle or route.vehicle
    return factories.town_url(route.town, f"/staff/transport/drive/{vehicle.pk}/{route.day.isoformat()}/{suffix}")


def _urls() -> list[Any]:
    """The project's URLs with the tablet's and the plan board's (until the lead collects them in
    transport/urls.py, the tests mount them here)."""
    from yakuba import urls as project
    from yakuba.transport.views import driver, plan

    staff = [*driver.staff_urlpatterns, *plan.staff_urlpatterns, *project.staff_urlpatterns]
    return [path("staff/", include((staff, "staff"))), *project.urlpatterns]


urlpatterns = _urls()
