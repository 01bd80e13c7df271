"""An independent check of a plan against its problem: it recomputes every time along each route from the travel
matrix and shares no code with the solvers, so a bug in one of them shows up here instead of on the road."""

from __future__ import annotations

from collections import Counter

from .model import Plan, Problem, Request, Vehicle, Visit


def violations(problem: Problem, plan: Plan) -> list[str]:
    """Every broken rule, one line each; an empty list means the plan can be driven as written."""
    found: list[str] = []
    requests = {request.key: request for request in problem.requests}
    vehicles = {vehicle.key: vehicle for vehicle in problem.vehicles}
    for key, visits in plan.routes.items():
        vehicle = vehicles.get(key)
        if vehicle is None:
            if visits:
                found.append(f"route for unknown vehicle {key}")
            continue
        found += _route(problem, vehicle, visits, requests)
    found += _accounting(problem, plan, requests)
    return found


def _accounting(problem: Problem, plan: Plan, requests: dict[str, Request]) -> list[str]:
    """Each request served exactly once (whole, on one vehicle) or listed as unserved, never both, never neither."""
    found = []
    counts: Counter[tuple[str, str]] = Counter()
    where: dict[str, set[str]] = {}
    for vehicle, visits in plan.routes.items():
        for visit in visits:
            counts[visit.request, visit.kind] += 1
            where.setdefault(visit.request, set()).add(vehicle)
    unserved = Counter(plan.unserved)
    for key in set(where) | set(unserved):
        if key not in requests:
            found.append(f"{key}: not a request of this problem")
    for key, request in requests.items():
        pickups, dropoffs = counts[key, "pickup"], counts[key, "dropoff"]
        served = dropoffs > 0 or pickups > 0
        if served and unserved[key]:
            found.append(f"{key}: both served and unserved")
        elif not served and unserved[key] != 1:
            found.append(f"{key}: neither served nor listed as unserved" if not unserved[key]
                         else f"{key}: listed as unserved {unserved[key]} times")
        if served:
            found += _served_once(request, pickups, dropoffs, where[key])
    return found


def _served_once(request: Request, pickups: int, dropoffs: int, vehicles: set[str]) -> list[str]:
    found = []
    expected_pickups = 0 if request.onboard else 1
    if pickups != expected_pickups or dropoffs != 1:
        found.append(f"{request.key}: {pickups} pickups and {dropoffs} drop-offs (expected {expected_pickups} and 1)")
    if len(vehicles) > 1:
        found.append(f"{request.key}: split over vehicles {sorted(vehicles)}")
    if request.vehicle is not None and vehicles != {request.vehicle}:
        found.append(f"{request.key}: must ride {request.vehicle}, is on {sorted(vehicles)}")
    return found


def _route(problem: Problem, vehicle: Vehicle, visits: list[Visit], requests: dict[str, Request]) -> list[str]:
    found = _times(problem, vehicle, visits) + _loads(vehicle, visits, requests)
    picked: dict[str, Visit] = {}
    for visit in visits:
        request = requests.get(visit.request)
        if request is None:
            continue
        expected_node = request.pickup if visit.kind == "pickup" else request.dropoff
        if visit.node != expected_node:
            found.append(f"{request.key}: {visit.kind} at node {visit.node}, booked at {expected_node}")
        if visit.kind == "pickup":
            picked[request.key] = visit
            found += _pickup_rules(request, visit)
        else:
            found += _dropoff_rules(request, visit, picked.get(request.key))
    return found


def _pickup_rules(request: Request, visit: Visit) -> list[str]:
    if request.earliest_pickup <= visit.start <= request.latest_pickup:
        return []
    return [f"{request.key}: pickup at {visit.start} outside [{request.earliest_pickup}, {request.latest_pickup}]"]


def _dropoff_rules(request: Request, visit: Visit, pickup: Visit | None) -> list[str]:
    found = []
    if request.latest_dropoff is not None and visit.start > request.latest_dropoff:
        found.append(f"{request.key}: drop-off at {visit.start} after {request.latest_dropoff}")
    if request.onboard:
        boarded: int | None = request.earliest_pickup
    else:
        boarded = pickup.start if pickup is not None else None
        if pickup is None:
            found.append(f"{request.key}: drop-off before (or without) its pickup on this vehicle")
    if boarded is not None and visit.start - boarded > request.max_ride:
        found.append(f"{request.key}: ride of {visit.start - boarded} s over the cap of {request.max_ride} s")
    return found


def _times(problem: Problem, vehicle: Vehicle, visits: list[Visit]) -> list[str]:
    """Arrivals reachable from the previous departure, service after arrival, the vehicle's hours kept."""
    found = []
    node, free = vehicle.origin, vehicle.start if vehicle.available_from is None else max(vehicle.start,
                                                                                          vehicle.available_from)
    for visit in visits:
        soonest = free + problem.travel.seconds(node, visit.node)
        if visit.arrival < soonest:
            found.append(f"{vehicle.key}: arrives at node {visit.node} at {visit.arrival}, cannot before {soonest}")
        if visit.start < visit.arrival or visit.departure < visit.start + problem.service_seconds:
            found.append(f"{vehicle.key}: {visit.request} {visit.kind} times out of order or service too short")
        node, free = visit.node, visit.departure
    if visits:
        back = free + problem.travel.seconds(node, vehicle.end_node)
        if back > vehicle.end:
            found.append(f"{vehicle.key}: back at {back}, after the end of its hours at {vehicle.end}")
    return found


def _loads(vehicle: Vehicle, visits: list[Visit], requests: dict[str, Request]) -> list[str]:
    found = []
    aboard = [requests[v.request] for v in visits if v.kind == "dropoff" and v.request in requests
              and requests[v.request].onboard]
    seats = sum(r.passengers - r.wheelchairs for r in aboard)
    chairs = sum(r.wheelchairs for r in aboard)
    for visit in visits:
        request = requests.get(visit.request)
        if request is None:
            continue
        sign = 1 if visit.kind == "pickup" else -1
        seats += sign * (request.passengers - request.wheelchairs)
        chairs += sign * request.wheelchairs
        if seats > vehicle.capacity:
            found.append(f"{vehicle.key}: {seats} seats taken after {visit.request} {visit.kind}, "
                         f"has {vehicle.capacity}")
        if chairs > vehicle.wheelchair_spaces:
            found.append(f"{vehicle.key}: {chairs} wheelchairs after {visit.request} {visit.kind}, "
                         f"has {vehicle.wheelchair_spaces} spaces")
        if visit.load_after != seats + chairs:
            found.append(f"{vehicle.key}: load after {visit.request} {visit.kind} is {seats + chairs}, "
                         f"plan says {visit.load_after}")
    return found
