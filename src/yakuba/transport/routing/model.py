"""The dispatch problem and its answer, as plain dataclasses (no Django: the solver and the bench stay fast).

Times are integer seconds from the service day's midnight; stops are node indices into the travel matrix.
Seats and wheelchair spaces are separate: a request's `wheelchairs` riders travel in their chairs in the wheelchair
spaces and take no seat, so it needs `passengers - wheelchairs` seats and `wheelchairs` spaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .travel import TravelTimes

Kind = Literal["pickup", "dropoff"]


def max_ride_for(direct_seconds: int, factor: float = 1.5, extra: int = 600) -> int:
    """The usual cap on time aboard: a share more than the direct trip, plus a fixed allowance for short trips."""
    return int(direct_seconds * factor) + extra


@dataclass(frozen=True, kw_only=True)
class Request:
    """One booking. `vehicle` pins it to a vehicle; `onboard` means already picked up (on `vehicle`): only its
    drop-off is left, and `earliest_pickup` then holds the actual boarding time that ride time counts from."""

    key: str
    pickup: int
    dropoff: int
    passengers: int = 1
    wheelchairs: int = 0
    earliest_pickup: int
    latest_pickup: int
    latest_dropoff: int | None = None
    max_ride: int
    vehicle: str | None = None
    onboard: bool = False

    def __post_init__(self) -> None:
        if self.passengers < 1 or not 0 <= self.wheelchairs <= self.passengers:
            raise ValueError(f"{self.key}: passengers must be ≥ 1 and wheelchairs between 0 and passengers")
        if self.latest_pickup < self.earliest_pickup:
            raise ValueError(f"{self.key}: the pickup window ends before it starts")
        if self.onboard and self.vehicle is None:
            raise ValueError(f"{self.key}: a rider on board must name the vehicle")

    @property
    def seats(self) -> int:
        return self.passengers - self.wheelchairs


@dataclass(frozen=True, kw_only=True)
class Vehicle:
    """A vehicle's day: it leaves `start_node` no earlier than `start` and is back at `end_node` by `end`. During
    the day `position`/`available_from` say where it is now and from when (re-planning the rest of the day)."""

    key: str
    capacity: int
    wheelchair_spaces: int
    start_node: int
    end_node: int
    start: int
    end: int
    position: int | None = None
    available_from: int | None = None

    @property
    def origin(self) -> int:
        return self.start_node if self.position is None else self.position

    @property
    def ready(self) -> int:
        return self.start if self.available_from is None else max(self.start, self.available_from)


@dataclass(frozen=True)
class Problem:
    travel: TravelTimes
    requests: list[Request]
    vehicles: list[Vehicle]
    service_seconds: int = 60  # dwell per stop visit (boarding, fastening a wheelchair, paying)

    def request(self, key: str) -> Request:
        for request in self.requests:
            if request.key == key:
                return request
        raise KeyError(key)

    def vehicle(self, key: str) -> Vehicle:
        for vehicle in self.vehicles:
            if vehicle.key == key:
                return vehicle
        raise KeyError(key)


@dataclass(frozen=True)
class Visit:
    """One stop of a route: `arrival` at the stop, service `start` (after any wait), `departure`; `load_after` is the
    number of people aboard when it leaves."""

    request: str
    kind: Kind
    node: int
    arrival: int
    start: int
    departure: int
    load_after: int


@dataclass
class Plan:
    routes: dict[str, list[Visit]]
    unserved: list[str]
    total_vehicle_seconds: int
    solver: str
    status: str
    seconds: float
    notes: list[str] = field(default_factory=list)

    def vehicle_of(self, key: str) -> str | None:
        for vehicle, visits in self.routes.items():
            if any(visit.request == key for visit in visits):
                return vehicle
        return None

    def visit(self, key: str, kind: Kind) -> Visit | None:
        for visits in self.routes.values():
            for visit in visits:
                if visit.request == key and visit.kind == kind:
                    return visit
        return None

    @property
    def served(self) -> list[str]:
        return [visit.request for visits in self.routes.values() for visit in visits if visit.kind == "dropoff"]


def route_seconds(problem: Problem, vehicle: Vehicle, visits: list[Visit]) -> int:
    """Time the vehicle is out: from leaving its origin just in time for the first stop to being back at its end."""
    if not visits:
        return 0
    travel = problem.travel
    leave = max(vehicle.ready, visits[0].arrival - travel.seconds(vehicle.origin, visits[0].node))
    back = visits[-1].departure + travel.seconds(visits[-1].node, vehicle.end_node)
    return back - leave
