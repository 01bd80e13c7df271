"""The day's plan: turning rides into the solver's problem, placing a new booking without moving anyone's pickup out
of the window they were told, and writing the solver's routes back as Visit rows the drivers' tablets read.

A booking locks the day's DayPlan row first, so two operators placing the last seat at once are placed one after the
other: the second is planned against the first's ride and refused with alternatives if it no longer fits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ..models import PLANNED_STATUSES, DayPlan, Ride, RideStatus, Service, Stop, Vehicle, Visit, VisitKind
from ..routing import solver
from ..routing.model import Kind, Plan, Problem, Request
from ..routing.model import Vehicle as RoutedVehicle
from ..routing.model import Visit as RoutedVisit
from ..signals import plan_changed
from . import travel

logger = logging.getLogger(__name__)

PLACED, FULL, TIMEOUT = "placed", "full", "timeout"


def midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def seconds_of(moment: datetime, day: date) -> int:
    return int((moment - midnight(day)).total_seconds())


def moment_of(seconds: int, day: date) -> datetime:
    return midnight(day) + timedelta(seconds=seconds)


def max_ride(service: Service, direct: int) -> int:
    """The longest a passenger may ride: factor × the direct trip + the town's extra minutes."""
    return int(float(service.ride_factor) * direct) + service.ride_extra_minutes * 60


@dataclass
class Day:
    """A day's problem as the solver sees it, with the rows behind each key."""

    service: Service
    day: date
    stops: list[Stop]
    index: dict[int, int]
    vehicles: list[Vehicle]
    rides: dict[str, Ride]
    problem: Problem
    plan: Plan
    extra: list[str] = field(default_factory=list)


def _vehicle_day(service: Service, vehicle: Vehicle, day: date, index: dict[int, int],
                 position: dict[int, tuple[int, int]]) -> RoutedVehicle:
    home = index[vehicle.home_id]
    start = seconds_of(timezone.make_aware(datetime.combine(day, vehicle.starts)), day)
    end = seconds_of(timezone.make_aware(datetime.combine(day, vehicle.ends)), day)
    node, available = position.get(vehicle.pk, (home, start))
    return RoutedVehicle(key=str(vehicle.pk), capacity=vehicle.capacity, wheelchair_spaces=vehicle.wheelchair_spaces,
                         start_node=home, end_node=home, start=start, end=end,
                         position=node if node != home or available != start else None,
                         available_from=available if available != start else None)


def request_of(service: Service, ride: Ride, index: dict[int, int]) -> Request:
    """The solver's view of a ride: its window, its ride-time cap and, once aboard, its vehicle."""
    day = ride.day
    onboard = ride.status == RideStatus.BOARDED
    earliest = seconds_of(ride.boarded_at if onboard and ride.boarded_at else ride.window_start, day)
    return Request(key=str(ride.pk), pickup=index[ride.pickup_id], dropoff=index[ride.dropoff_id],
                   passengers=ride.passengers, wheelchairs=ride.wheelchairs, earliest_pickup=earliest,
                   latest_pickup=max(earliest, seconds_of(ride.window_end, day)),
                   latest_dropoff=seconds_of(ride.latest_arrival, day) if ride.latest_arrival else None,
                   max_ride=max_ride(service, ride.direct_seconds),
                   vehicle=str(ride.vehicle_id) if onboard and ride.vehicle_id else None, onboard=onboard)


def _positions(day: date, index: dict[int, int]) -> dict[int, tuple[int, int]]:
    """Where each vehicle is now (its last marked stop) on the current day: the plan continues from there."""
    if day != timezone.localdate():
        return {}
    now = seconds_of(timezone.now(), day)
    found: dict[int, tuple[int, int]] = {}
    marked = (Visit.objects.filter(day=day, done_at__isnull=False).select_related("ride")
              .order_by("vehicle_id", "done_at"))
    for visit in marked:
        stop_id = visit.ride.pickup_id if visit.kind == VisitKind.PICKUP else visit.ride.dropoff_id
        found[visit.vehicle_id] = (index[stop_id], max(now, seconds_of(visit.done_at or timezone.now(), day)))
    return found


def _current_plan(rides: dict[str, Ride], day: date, index: dict[int, int]) -> Plan:
    """The plan as the Visit rows hold it (unmarked visits of planned rides), for warm starts and insertion."""
    routes: dict[str, list[RoutedVisit]] = {}
    visits = (Visit.objects.filter(day=day, done_at__isnull=True, ride__status__in=PLANNED_STATUSES)
              .select_related("ride").order_by("vehicle_id", "seq"))
    for visit in visits:
        ride = visit.ride
        if str(ride.pk) not in rides:
            continue
        node = index[ride.pickup_id if visit.kind == VisitKind.PICKUP else ride.dropoff_id]
        at = seconds_of(visit.eta, day)
        kind: Kind = "pickup" if visit.kind == VisitKind.PICKUP else "dropoff"
        routes.setdefault(str(visit.vehicle_id), []).append(RoutedVisit(
            request=str(ride.pk), kind=kind, node=node, arrival=at, start=at, departure=at, load_after=0))
    return Plan(routes=routes, unserved=[], total_vehicle_seconds=0, solver="stored", status="stored", seconds=0.0)


def load_day(service: Service, day: date, *, extra: Iterable[Ride] = ()) -> Day:
    """The day's planned rides (and `extra` ones not yet planned) as a solver problem."""
    stops = travel.stops()
    index = travel.index_of(stops)
    vehicles = [v for v in Vehicle.objects.filter(active=True).order_by("pk") if day.weekday() in (v.days or [])]
    rides = {str(r.pk): r for r in Ride.objects.filter(day=day, status__in=PLANNED_STATUSES)
             .select_related("pickup", "dropoff")}
    extra_keys = []
    for ride in extra:
        rides[str(ride.pk)] = ride
        extra_keys.append(str(ride.pk))
    positions = _positions(day, index)
    problem = Problem(travel=travel.matrix(service),
                      requests=[request_of(service, ride, index) for ride in rides.values()],
                      vehicles=[_vehicle_day(service, v, day, index, positions) for v in vehicles],
                      service_seconds=service.dwell_seconds)
    plan = _current_plan({k: v for k, v in rides.items() if k not in extra_keys}, day, index)
    return Day(service=service, day=day, stops=stops, index=index, vehicles=vehicles, rides=rides,
               problem=problem, plan=plan, extra=extra_keys)


def lock_day(day: date) -> DayPlan:
    """The day's plan row, locked until the transaction ends (SELECT … FOR UPDATE on PostgreSQL)."""
    from django_scopes import get_scope

    municipality = get_scope()["municipality"]
    DayPlan.objects.get_or_create(municipality=municipality, day=day)
    return DayPlan.objects.select_for_update().get(day=day)


def place(service: Service, ride: Ride) -> tuple[str, Plan | None]:
    """Insert `ride` into its day's plan (the caller holds the day's lock): PLACED with the new plan, FULL when no
    vehicle can take it without breaking someone's window or ride-time cap, TIMEOUT when the solver found no answer
    in the town's time limit (the plan is left as it was)."""
    current = load_day(service, ride.day, extra=[ride])
    request = next(r for r in current.problem.requests if r.key == str(ride.pk))
    others = Problem(travel=current.problem.travel, vehicles=current.problem.vehicles,
                     requests=[r for r in current.problem.requests if r.key != request.key],
                     service_seconds=current.problem.service_seconds)
    outcome, plan = solver.place(others, current.plan, request, time_limit=float(service.solver_seconds))
    if plan is not None:
        write_plan(service, ride.day, plan, current.rides)
        return PLACED, plan
    return (TIMEOUT if outcome == "timeout" else FULL), None


def alternatives(service: Service, ride: Ride, *, limit: int = 3) -> list[datetime]:
    """The nearest pickup times at which the ride would fit, for a refusal's 「この時間なら乗れます」."""
    current = load_day(service, ride.day, extra=[ride])
    request = next(r for r in current.problem.requests if r.key == str(ride.pk))
    others = Problem(travel=current.problem.travel, vehicles=current.problem.vehicles,
                     requests=[r for r in current.problem.requests if r.key != request.key],
                     service_seconds=current.problem.service_seconds)
    opens, closes = (seconds_of(timezone.make_aware(datetime.combine(ride.day, t)), ride.day)
                     for t in (service.opens, service.closes))
    found = solver.alternatives(others, current.plan, request, limit=limit,
                                time_limit=min(2.0, float(service.solver_seconds)))
    return [moment_of(a.request.earliest_pickup, ride.day) for a in found
            if opens <= a.request.earliest_pickup <= closes]


def write_plan(service: Service, day: date, plan: Plan, rides: dict[str, Ride]) -> DayPlan:
    """Write the solver's routes: each ride's vehicle and times, its unmarked Visit rows in route order; the day's
    version grows and the tablets are told after commit."""
    vehicles = {str(v.pk): v for v in Vehicle.objects.all()}
    changed: set[int] = set()
    for vehicle_key, visits in plan.routes.items():
        vehicle = vehicles[vehicle_key]
        # Marked stops keep their places at the head of the route; the plan's stops follow them.
        done = Visit.objects.filter(vehicle=vehicle, day=day, done_at__isnull=False).order_by("-seq").first()
        for seq, routed in enumerate(visits, start=(done.seq + 1) if done else 1):
            ride = rides[routed.request]
            at = moment_of(routed.start, day)
            if routed.kind == "pickup":
                ride.planned_pickup = at
            else:
                ride.planned_dropoff = at
            if ride.vehicle_id != vehicle.pk:
                changed.update(v for v in (ride.vehicle_id, vehicle.pk) if v)
            ride.vehicle = vehicle
            row, created = Visit.objects.get_or_create(
                ride=ride, kind=routed.kind,
                defaults={"municipality": ride.municipality, "vehicle": vehicle, "day": day, "seq": seq, "eta": at})
            if not created and row.done_at is None and (row.vehicle_id, row.seq, row.eta) != (vehicle.pk, seq, at):
                row.vehicle, row.seq, row.eta = vehicle, seq, at
                row.save(update_fields=["vehicle", "seq", "eta"])
                changed.add(vehicle.pk)
            elif created:
                changed.add(vehicle.pk)
    for ride in {r.pk: r for r in rides.values()}.values():
        if ride.vehicle_id is not None:
            ride.save(update_fields=["vehicle", "planned_pickup", "planned_dropoff"])
    return bump(day, plan, changed)


def bump(day: date, plan: Plan | None, vehicle_ids: set[int]) -> DayPlan:
    """The day's plan changed: its version grows, and after commit the drivers' tablets hear of it."""
    row = DayPlan.objects.select_for_update().get(day=day)
    row.version += 1
    if plan is not None:
        row.solver, row.status = plan.solver[:20], plan.status[:20]
        row.vehicle_seconds = max(0, plan.total_vehicle_seconds)
        row.solved_at = timezone.now()
    row.save()
    municipality_id, version = row.municipality_id, row.version
    transaction.on_commit(lambda: plan_changed.send(sender=DayPlan, municipality_id=municipality_id, day=day,
                                                    version=version, vehicle_ids=sorted(vehicle_ids)))
    return row


def route(vehicle: Vehicle, day: date) -> list[Visit]:
    """A vehicle's stops of the day in order, with the ride, its rider and stops joined."""
    return list(Visit.objects.filter(vehicle=vehicle, day=day)
                .select_related("ride__rider__resident", "ride__pickup", "ride__dropoff").order_by("seq", "pk"))
