"""Cheapest insertion: the baseline the OR-Tools plan is compared with, and the quick test of whether one more booking
fits into a planned day (used to warm-start `solver.insert` and to screen `solver.alternatives`).

`timetable` gives the earliest schedule of a fixed sequence of stops that keeps every pickup in its window, every
drop-off before its deadline and every ride within its cap, or None. Ride caps are met by starting a pickup later
(waiting at the stop with the door shut, not with the rider aboard): a cap `dropoff - pickup <= max_ride` is a
lower bound `pickup >= dropoff - max_ride`, so raising lower bounds and re-running the forward pass converges on the
least feasible schedule when there is one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

from .model import Kind, Plan, Problem, Request, Vehicle, Visit, route_seconds

Stop = tuple[Request, Kind]
MAX_PASSES = 50  # raising pickups for ride caps settles in one or two passes; the cap only stops a pathological case


def _loads_fit(vehicle: Vehicle, stops: Sequence[Stop]) -> list[int] | None:
    """People aboard after each stop, or None when seats, wheelchair spaces or the pickup-before-drop-off order fail."""
    aboard = {request.key for request, kind in stops if request.onboard and kind == "dropoff"}
    seats = sum(request.seats for request, _ in stops if request.key in aboard)
    chairs = sum(request.wheelchairs for request, _ in stops if request.key in aboard)
    people = seats + chairs
    loads = []
    for request, kind in stops:
        sign = 1 if kind == "pickup" else -1
        if kind == "pickup":
            if request.key in aboard or request.onboard:
                return None
            aboard.add(request.key)
        elif request.key not in aboard:
            return None
        else:
            aboard.discard(request.key)
        seats += sign * request.seats
        chairs += sign * request.wheelchairs
        people += sign * request.passengers
        if seats > vehicle.capacity or chairs > vehicle.wheelchair_spaces:
            return None
        loads.append(people)
    return loads if not aboard else None


def _deadline(request: Request, kind: Kind) -> int | None:
    if kind == "pickup":
        return request.latest_pickup
    limits = [request.latest_dropoff] if request.latest_dropoff is not None else []
    if request.onboard:
        limits.append(request.earliest_pickup + request.max_ride)
    return min(limits) if limits else None


def _forward(problem: Problem, vehicle: Vehicle, stops: Sequence[Stop], lower: list[int]) -> list[int] | None:
    """Earliest service starts given lower bounds, or None when a deadline or the vehicle's hours are missed."""
    travel, service = problem.travel, problem.service_seconds
    starts = []
    node, free = vehicle.origin, vehicle.ready
    for (request, kind), bound in zip(stops, lower, strict=True):
        here = request.pickup if kind == "pickup" else request.dropoff
        start = max(free + travel.seconds(node, here), bound)
        deadline = _deadline(request, kind)
        if deadline is not None and start > deadline:
            return None
        starts.append(start)
        node, free = here, start + service
    if free + travel.seconds(node, vehicle.end_node) > vehicle.end:
        return None
    return starts


def timetable(problem: Problem, vehicle: Vehicle, stops: Sequence[Stop]) -> list[Visit] | None:
    """The earliest feasible schedule of these stops in this order on this vehicle, or None."""
    loads = _loads_fit(vehicle, stops)
    if loads is None:
        return None
    lower = [request.earliest_pickup if kind == "pickup" else 0 for request, kind in stops]
    pickup_at = {request.key: position for position, (request, kind) in enumerate(stops) if kind == "pickup"}
    for _ in range(MAX_PASSES):
        starts = _forward(problem, vehicle, stops, lower)
        if starts is None:
            return None
        raised = False
        for position, (request, kind) in enumerate(stops):
            if kind == "dropoff" and request.key in pickup_at:
                p = pickup_at[request.key]
                if starts[position] - starts[p] > request.max_ride:
                    lower[p] = starts[position] - request.max_ride
                    raised = True
        if not raised:
            return _visits(problem, vehicle, stops, starts, loads)
    return None


def _visits(problem: Problem, vehicle: Vehicle, stops: Sequence[Stop], starts: list[int],
            loads: list[int]) -> list[Visit]:
    visits: list[Visit] = []
    node, free = vehicle.origin, vehicle.ready
    for (request, kind), start, load in zip(stops, starts, loads, strict=True):
        here = request.pickup if kind == "pickup" else request.dropoff
        arrival = free + problem.travel.seconds(node, here)
        if not visits:
            # the vehicle leaves its origin just in time for its first stop instead of waiting there
            arrival = max(arrival, start)
        visits.append(Visit(request.key, kind, here, arrival, start, start + problem.service_seconds, load))
        node, free = here, start + problem.service_seconds
    return visits


def _allowed(problem: Problem, request: Request) -> list[Vehicle]:
    return [vehicle for vehicle in problem.vehicles if request.vehicle is None or vehicle.key == request.vehicle]


def _reach(problem: Problem, vehicle: Vehicle, visits: list[Visit], position: int, node: int) -> int:
    """Earliest arrival at `node` when going there after the stop at `position - 1` (or from the origin)."""
    if position == 0:
        return vehicle.ready + problem.travel.seconds(vehicle.origin, node)
    before = visits[position - 1]
    return before.departure + problem.travel.seconds(before.node, node)


def _dropoffs(problem: Problem, vehicle: Vehicle, visits: list[Visit], request: Request, first: int) -> range:
    """Old-stop positions after which the drop-off may go. Inserting only delays stops, so once the drop-off could
    not start in time (deadline, or the ride cap even with the pickup at the end of its window), later positions
    cannot either."""
    deadline = _deadline(request, "dropoff")
    boarded_by = request.earliest_pickup if request.onboard else request.latest_pickup
    last = first
    while last <= len(visits):
        if last > first:
            soonest = _reach(problem, vehicle, visits, last, request.dropoff)
            if soonest - boarded_by > request.max_ride or (deadline is not None and soonest > deadline):
                break
        last += 1
    return range(first, last)


def _blocked(problem: Problem, stops: list[Stop], request: Request, position: int) -> bool:
    """Would a pickup put before old stop `position` push that stop past its deadline, whatever else happens?"""
    if position >= len(stops):
        return False
    following, kind = stops[position]
    node = following.pickup if kind == "pickup" else following.dropoff
    deadline = _deadline(following, kind)
    soonest = request.earliest_pickup + problem.service_seconds + problem.travel.seconds(request.pickup, node)
    return deadline is not None and soonest > deadline


def _candidates(problem: Problem, vehicle: Vehicle, stops: list[Stop], visits: list[Visit],
                request: Request) -> Iterator[list[Stop]]:
    """The ways to put the request's stops into the sequence (pickup before drop-off; onboard: the drop-off only)
    that are not ruled out by a cheap bound; `visits` is the current timetable of `stops`."""
    dropoff: Stop = (request, "dropoff")
    if request.onboard:
        for j in _dropoffs(problem, vehicle, visits, request, 0):
            yield stops[:j] + [dropoff] + stops[j:]
        return
    for i in range(len(stops) + 1):
        if _reach(problem, vehicle, visits, i, request.pickup) > request.latest_pickup:
            break  # later stops leave later still (for roughly metric travel times)
        if _blocked(problem, stops, request, i):
            continue
        for j in _dropoffs(problem, vehicle, visits, request, i):
            yield stops[:i] + [(request, "pickup")] + stops[i:j] + [dropoff] + stops[j:]


def _best_on(problem: Problem, vehicle: Vehicle, stops: list[Stop], visits: list[Visit],
             request: Request) -> tuple[int, list[Stop], list[Visit]] | None:
    base = route_seconds(problem, vehicle, visits)
    best: tuple[int, list[Stop], list[Visit]] | None = None
    for option in _candidates(problem, vehicle, stops, visits, request):
        new_visits = timetable(problem, vehicle, option)
        if new_visits is None:
            continue
        added = route_seconds(problem, vehicle, new_visits) - base
        if best is None or added < best[0]:
            best = (added, option, new_visits)
    return best


def _insert_into(problem: Problem, routes: dict[str, list[Stop]], visits: dict[str, list[Visit]],
                 request: Request, skip: frozenset[str] = frozenset()) -> bool:
    """Put the request where it adds the least vehicle time; False (nothing changed) when it fits nowhere."""
    best: tuple[int, str, list[Stop], list[Visit]] | None = None
    for vehicle in _allowed(problem, request):
        if vehicle.key in skip:
            continue
        found = _best_on(problem, vehicle, routes[vehicle.key], visits[vehicle.key], request)
        if found is not None and (best is None or found[0] < best[0]):
            best = (found[0], vehicle.key, found[1], found[2])
    if best is None:
        return False
    routes[best[1]], visits[best[1]] = best[2], best[3]
    return True


def _plan(problem: Problem, visits: dict[str, list[Visit]], unserved: list[str], status: str,
          started: float) -> Plan:
    total = sum(route_seconds(problem, problem.vehicle(key), route) for key, route in visits.items())
    return Plan({key: list(route) for key, route in visits.items()}, unserved, total, "greedy", status,
                time.perf_counter() - started)


def greedy(problem: Problem) -> Plan:
    """Cheapest insertion in order of earliest pickup (riders already aboard first: they must reach their stop)."""
    started = time.perf_counter()
    routes: dict[str, list[Stop]] = {vehicle.key: [] for vehicle in problem.vehicles}
    visits: dict[str, list[Visit]] = {vehicle.key: [] for vehicle in problem.vehicles}
    unserved = []
    for request in sorted(problem.requests, key=lambda r: (not r.onboard, r.earliest_pickup, r.key)):
        if not _insert_into(problem, routes, visits, request):
            unserved.append(request.key)
    return _plan(problem, visits, unserved, "feasible", started)


def stops_of(problem: Problem, plan: Plan, extra: Sequence[Request] = ()) -> dict[str, list[Stop]]:
    """The plan's routes as stop sequences, looking requests up in the problem (and in `extra`)."""
    known = {request.key: request for request in problem.requests}
    known.update({request.key: request for request in extra})
    routes: dict[str, list[Stop]] = {vehicle.key: [] for vehicle in problem.vehicles}
    for key, visits in plan.routes.items():
        routes[key] = [(known[visit.request], visit.kind) for visit in visits]
    return routes


def try_insert(problem: Problem, plan: Plan, request: Request) -> Plan | None:
    """The plan with the request added at its cheapest feasible place, other stops kept in order; None if none."""
    started = time.perf_counter()
    routes = stops_of(problem, plan, [request])
    visits: dict[str, list[Visit]] = {}
    stuck = set()
    for vehicle in problem.vehicles:
        # re-time the routes as this module would: a route that no longer fits (say a vehicle reported late) is
        # kept as it is and takes no new stop
        fresh = timetable(problem, vehicle, routes[vehicle.key])
        visits[vehicle.key] = fresh if fresh is not None else list(plan.routes.get(vehicle.key, []))
        if fresh is None:
            stuck.add(vehicle.key)
    if not _insert_into(problem, routes, visits, request, frozenset(stuck)):
        return None
    unserved = [key for key in plan.unserved if key != request.key]
    return _plan(problem, visits, unserved, "feasible", started)
