"""The day's dispatch as a pickup-and-delivery problem with time windows, solved with OR-Tools' routing library.

Each request is a pickup site and a drop-off site (two requests at the same stop are two sites: they have their
own windows); each vehicle has a start site (where it is now) and an end site (its depot). Transit from a site is its
service time plus the drive to the next, so a site's time cumul is the moment service starts there: pickup windows,
drop-off deadlines and the ride cap (drop-off start − pickup start ≤ max_ride) are all bounds on those cumuls.
The objective is the time vehicles are out (span cost) plus their driving time, which guides the insertion
heuristics (they look at arc costs); unservable requests are dropped against a large penalty and reported, never
lost. Visit times in the returned plan are re-derived with `greedy.timetable` (the earliest schedule of the route
the solver chose), so riders are told the earliest time that keeps every rule.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2  # no stubs: mypy treats it as Any

from .greedy import Stop, greedy, stops_of, timetable, try_insert
from .model import Kind, Plan, Problem, Request, Vehicle, Visit, route_seconds

DROP_PENALTY = 10_000_000  # far above the cost any single request can add (a vehicle's whole day is ~40,000 s)

_STATUS = {
    routing_enums_pb2.RoutingSearchStatus.ROUTING_OPTIMAL: "optimal",
    routing_enums_pb2.RoutingSearchStatus.ROUTING_SUCCESS: "feasible",
    routing_enums_pb2.RoutingSearchStatus.ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED: "feasible",
    routing_enums_pb2.RoutingSearchStatus.ROUTING_FAIL_TIMEOUT: "timeout",
}


@dataclass
class _Sites:
    """Solver sites: vehicle starts, vehicle ends, then each request's pickup (unless aboard) and drop-off."""

    stops: list[int] = field(default_factory=list)
    service: list[int] = field(default_factory=list)
    stop_of: list[Stop | None] = field(default_factory=list)
    index: dict[tuple[str, Kind], int] = field(default_factory=dict)

    def add(self, node: int, service: int, stop: Stop | None = None) -> int:
        self.stops.append(node)
        self.service.append(service)
        self.stop_of.append(stop)
        if stop is not None:
            self.index[stop[0].key, stop[1]] = len(self.stops) - 1
        return len(self.stops) - 1


def _seats(request: Request) -> int:
    return request.seats


def _chairs(request: Request) -> int:
    return request.wheelchairs


def _vehicle_seats(vehicle: Vehicle) -> int:
    return vehicle.capacity


def _vehicle_chairs(vehicle: Vehicle) -> int:
    return vehicle.wheelchair_spaces


def _limit(seconds: int) -> Callable[[int, int], int]:
    """The ride cap of one pair (OR-Tools asks per pickup and delivery alternative; a request has one of each)."""
    def limit(pickup_alternative: int, delivery_alternative: int) -> int:
        return seconds

    return limit


class _Model:
    """One OR-Tools routing model over the given requests; `optional` ones may be dropped at `penalty` each."""

    def __init__(self, problem: Problem, requests: Sequence[Request], optional: set[str], penalty: int) -> None:
        self.problem, self.requests, self.optional, self.penalty = problem, list(requests), optional, penalty
        self.vehicle_index = {vehicle.key: v for v, vehicle in enumerate(problem.vehicles)}
        self.sites = _Sites()
        for vehicle in problem.vehicles:
            self.sites.add(vehicle.origin, 0)
        for vehicle in problem.vehicles:
            self.sites.add(vehicle.end_node, 0)
        for request in self.requests:
            if not request.onboard:
                self.sites.add(request.pickup, problem.service_seconds, (request, "pickup"))
            self.sites.add(request.dropoff, problem.service_seconds, (request, "dropoff"))
        count = len(problem.vehicles)
        self.manager = pywrapcp.RoutingIndexManager(len(self.sites.stops), count, list(range(count)),
                                                    list(range(count, 2 * count)))
        self.routing = pywrapcp.RoutingModel(self.manager)
        self._costs()
        self.time = self._time_dimension()
        self._capacities()
        self.pairs = 0
        for request in self.requests:
            self._request(request)

    def idx(self, key: str, kind: Kind) -> int:
        return int(self.manager.NodeToIndex(self.sites.index[key, kind]))

    def _costs(self) -> None:
        travel, stops = self.problem.travel, self.sites.stops
        drive = [[travel.seconds(a, b) for b in stops] for a in stops]
        self.routing.SetArcCostEvaluatorOfAllVehicles(self.routing.RegisterTransitMatrix(drive))
        transit = [[service + travel.seconds(a, b) for b in stops] for a, service in zip(stops, self.sites.service,
                                                                                         strict=True)]
        self.transit = self.routing.RegisterTransitMatrix(transit)

    def _time_dimension(self) -> Any:
        horizon = max((vehicle.end for vehicle in self.problem.vehicles), default=0) + 1
        # slack = waiting: a vehicle may wait at a stop for a pickup window to open
        self.routing.AddDimension(self.transit, horizon, horizon, False, "time")
        dimension = self.routing.GetDimensionOrDie("time")
        dimension.SetSpanCostCoefficientForAllVehicles(1)
        for v, vehicle in enumerate(self.problem.vehicles):
            dimension.CumulVar(self.routing.Start(v)).SetRange(vehicle.ready, vehicle.end)
            dimension.CumulVar(self.routing.End(v)).SetRange(vehicle.ready, vehicle.end)
            # leave as late as the route allows: the vehicle is not "out" while it waits at the depot
            self.routing.AddVariableMaximizedByFinalizer(dimension.CumulVar(self.routing.Start(v)))
            self.routing.AddVariableMinimizedByFinalizer(dimension.CumulVar(self.routing.End(v)))
        return dimension

    def _capacities(self) -> None:
        dimensions: list[tuple[str, Callable[[Request], int], Callable[[Vehicle], int]]] = [
            ("seats", _seats, _vehicle_seats), ("chairs", _chairs, _vehicle_chairs)]
        for name, amount, capacity in dimensions:
            demand = [0 if stop is None else (amount(stop[0]) if stop[1] == "pickup" else -amount(stop[0]))
                      for stop in self.sites.stop_of]
            callback = self.routing.RegisterUnaryTransitVector(demand)
            capacities = [capacity(vehicle) for vehicle in self.problem.vehicles]
            self.routing.AddDimensionWithVehicleCapacity(callback, 0, capacities, False, name)
            dimension = self.routing.GetDimensionOrDie(name)
            for v, vehicle in enumerate(self.problem.vehicles):
                aboard = sum(amount(r) for r in self.requests if r.onboard and r.vehicle == vehicle.key)
                dimension.CumulVar(self.routing.Start(v)).SetValue(min(aboard, capacity(vehicle)))

    def _request(self, request: Request) -> None:
        routing, cumul = self.routing, self.time.CumulVar
        dropoff = self.idx(request.key, "dropoff")
        deadlines = [request.latest_dropoff] if request.latest_dropoff is not None else []
        indices = [dropoff]
        if request.onboard:
            deadlines.append(request.earliest_pickup + request.max_ride)
        else:
            pickup = self.idx(request.key, "pickup")
            indices.append(pickup)
            # same vehicle and pickup first come with the pair; the ride cap (drop-off cumul − pickup cumul) is the
            # dimension's pickup-to-delivery limit, which the local search filters check directly, where a
            # solver.Add() constraint would be checked by propagation on every neighbour (slower, same answers)
            routing.AddPickupAndDelivery(pickup, dropoff)
            self.time.SetPickupToDeliveryLimitFunctionForPair(_limit(request.max_ride), self.pairs)
            self.pairs += 1
            cumul(pickup).SetRange(request.earliest_pickup, request.latest_pickup)
            deadlines.append(request.latest_pickup + request.max_ride)
        cumul(dropoff).SetMax(max(0, min(deadlines)))
        if request.vehicle is not None:
            # SetAllowedVehiclesForIndex cannot be called from Python in OR-Tools 9.15 (its absl::Span argument has no
            # SWIG typemap); the vehicle variable says the same: this vehicle, or -1 when the request is dropped
            for index in indices:
                routing.VehicleVar(index).SetValues([-1, self.vehicle_index[request.vehicle]])
        if request.key in self.optional:
            for index in indices:
                routing.AddDisjunction([index], self.penalty)

    def routes_of(self, plan: Plan) -> list[list[int]]:
        """The plan's routes as solver indices (stops of requests not in this model are left out)."""
        routes = []
        for vehicle in self.problem.vehicles:
            route = [self.idx(v.request, v.kind) for v in plan.routes.get(vehicle.key, [])
                     if (v.request, v.kind) in self.sites.index]
            routes.append(route)
        return routes

    def plan(self, solution: Any, status: str, started: float, unserved: Sequence[str] = ()) -> Plan:
        routes: dict[str, list[Visit]] = {}
        served: set[str] = set()
        for v, vehicle in enumerate(self.problem.vehicles):
            stops, cumuls = [], []
            index = solution.Value(self.routing.NextVar(self.routing.Start(v)))
            while not self.routing.IsEnd(index):
                stop = self.sites.stop_of[self.manager.IndexToNode(index)]
                assert stop is not None  # only start and end sites have no stop
                stops.append(stop)
                cumuls.append(solution.Value(self.time.CumulVar(index)))
                served.add(stop[0].key)
                index = solution.Value(self.routing.NextVar(index))
            visits = timetable(self.problem, vehicle, stops)
            routes[vehicle.key] = visits if visits is not None else self._from_cumuls(stops, cumuls, vehicle.key)
        dropped = [r.key for r in self.requests if r.key not in served]
        total = sum(route_seconds(self.problem, vehicle, routes[vehicle.key]) for vehicle in self.problem.vehicles)
        return Plan(routes, [*unserved, *dropped], total, "ortools", status, time.perf_counter() - started)

    def _from_cumuls(self, stops: list[Stop], cumuls: list[int], vehicle_key: str) -> list[Visit]:
        """The solver's own times, when re-timing the route failed (it should not: the rules are the same)."""
        visits: list[Visit] = []
        vehicle = self.problem.vehicle(vehicle_key)
        node, free = vehicle.origin, vehicle.ready
        load = sum(r.passengers for r in self.requests if r.onboard and r.vehicle == vehicle.key)
        for (request, kind), start in zip(stops, cumuls, strict=True):
            here = request.pickup if kind == "pickup" else request.dropoff
            load += request.passengers if kind == "pickup" else -request.passengers
            arrival = min(start, free + self.problem.travel.seconds(node, here))
            visits.append(Visit(request.key, kind, here, arrival, start, start + self.problem.service_seconds, load))
            node, free = here, start + self.problem.service_seconds
        return visits


def _parameters(time_limit: float, metaheuristic: str = "GUIDED_LOCAL_SEARCH") -> Any:
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    parameters.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic)
    parameters.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    return parameters


def _run(model: _Model, parameters: Any, initial: Plan | None, *, from_scratch: bool = True) -> Any:
    """Solve, from the initial plan when it is a valid start for this model (else from scratch, if allowed)."""
    model.routing.CloseModelWithParameters(parameters)
    if initial is not None:
        start = model.routing.ReadAssignmentFromRoutes(model.routes_of(initial), True)
        if start is not None:
            solution = model.routing.SolveFromAssignmentWithParameters(start, parameters)
            if solution is not None:
                return solution
    return model.routing.SolveWithParameters(parameters) if from_scratch or initial is None else None


def _fits_the_day(problem: Problem, request: Request) -> bool:
    """Pinned to a vehicle of this problem, and with times inside the vehicles' hours: the solver's variables
    cannot even hold a window outside them (setting one fails the whole model), so such a request is unserved."""
    if request.vehicle is not None and request.vehicle not in {vehicle.key for vehicle in problem.vehicles}:
        return False
    opens = min((vehicle.ready for vehicle in problem.vehicles), default=0)
    closes = max((vehicle.end for vehicle in problem.vehicles), default=0)
    if request.onboard:
        return request.latest_dropoff is None or request.latest_dropoff >= opens
    return request.earliest_pickup <= closes and request.latest_pickup >= opens and (
        request.latest_dropoff is None or request.latest_dropoff >= opens)


def _screen(problem: Problem) -> tuple[list[Request], list[str]]:
    """Requests the model can hold, and the keys of those unserved outright."""
    n = problem.travel.n
    kept: list[Request] = []
    refused: list[Request] = []
    for request in problem.requests:
        if not (0 <= request.pickup < n and 0 <= request.dropoff < n):
            raise ValueError(f"{request.key}: stop outside the travel matrix")
        (kept if _fits_the_day(problem, request) else refused).append(request)
    return kept, [request.key for request in refused]


def solve(problem: Problem, *, time_limit: float = 10.0, initial: Plan | None = None,
          drop_penalty: int = DROP_PENALTY, greedy_start: bool = True) -> Plan:
    """The day's plan: as many requests served as the rules allow, then the least vehicle time.

    Without an initial plan the search starts from the greedy plan (`greedy_start`, its time counted in the limit):
    on a 100-request day the parallel cheapest insertion takes seconds to build a first solution that serves fewer
    than greedy does, and guided local search rarely wins the difference back. The cheapest insertion remains the
    first-solution strategy whenever no start is given or the start does not fit the model."""
    started = time.perf_counter()
    kept, refused = _screen(problem)
    if initial is None and greedy_start:
        initial = greedy(problem)
    model = _Model(problem, kept, {request.key for request in kept}, drop_penalty)
    remaining = max(0.1, time_limit - (time.perf_counter() - started))
    solution = _run(model, _parameters(remaining), initial)
    status = _STATUS.get(model.routing.status(), "infeasible")
    if solution is None:
        # nothing drivable found: every request listed as unserved, so none is silently lost
        status = "timeout" if status == "timeout" else "infeasible"
        empty: dict[str, list[Visit]] = {vehicle.key: [] for vehicle in problem.vehicles}
        return Plan(empty, [r.key for r in problem.requests], 0, "ortools", status, time.perf_counter() - started)
    return model.plan(solution, status, started, refused)


def _stop_when_served(model: _Model, key: str) -> None:
    """End the search at the first solution that carries the new request: from there on it only trims minutes."""
    dropoff = model.idx(key, "dropoff")

    def check() -> None:
        if model.routing.NextVar(dropoff).Value() != dropoff:
            model.routing.solver().FinishCurrentSearch()

    model.routing.AddAtSolutionCallback(check)


def insert(problem: Problem, plan: Plan, request: Request, *, time_limit: float = 3.0,
           drop_penalty: int = DROP_PENALTY, polish: float = 0.5) -> Plan | None:
    """The planned day with one more request, every request already served kept served (pickups in their windows),
    or None when the new one does not fit (or no solution came within the time limit): keep the old plan then.

    When the cheapest insertion fits, a local search from it gets `polish` seconds (its local optimum on a full day
    is seconds away, for minutes of vehicle time); otherwise the search may move confirmed stops around to make room
    and stops as soon as the new request is carried."""
    return place(problem, plan, request, time_limit=time_limit, drop_penalty=drop_penalty, polish=polish)[1]


def place(problem: Problem, plan: Plan, request: Request, *, time_limit: float = 3.0,
          drop_penalty: int = DROP_PENALTY, polish: float = 0.5) -> tuple[str, Plan | None]:
    """`insert`, saying why when it fails: ("placed", plan); ("full", None) when the search ran but no plan it found
    carries the new request without breaking another's window or cap; ("timeout", None) when it found no plan at
    all within the limit (then nobody can say the request does not fit: a person decides)."""
    if plan.vehicle_of(request.key) is not None:
        raise ValueError(f"{request.key} is already in the plan")
    started = time.perf_counter()
    served = set(plan.served)
    requests = [r for r in problem.requests if r.key in served] + [request]
    if not _fits_the_day(problem, request):
        return "full", None
    quick = try_insert(problem, plan, request)
    if quick is not None:
        return "placed", _polish(problem, requests, quick, min(polish, time_limit), drop_penalty, started)
    # the new one optional (the old plan is a valid start), the search stopped once it is carried
    model = _Model(problem, requests, {request.key}, drop_penalty)
    _stop_when_served(model, request.key)
    solution = _run(model, _parameters(time_limit), plan)
    if solution is None:
        return "timeout", None
    result = model.plan(solution, _STATUS.get(model.routing.status(), "feasible"), started)
    if result.unserved:
        return "full", None
    result.unserved = [key for key in plan.unserved if key != request.key]
    return "placed", result


def _polish(problem: Problem, requests: list[Request], quick: Plan, seconds: float, drop_penalty: int,
            started: float) -> Plan:
    """A local search from the cheapest insertion, every request mandatory; the insertion itself if it finds
    nothing better in time."""
    if seconds <= 0:
        return quick
    model = _Model(problem, requests, set(), drop_penalty)
    solution = _run(model, _parameters(seconds, "GREEDY_DESCENT"), quick, from_scratch=False)
    if solution is None:
        return quick
    result = model.plan(solution, _STATUS.get(model.routing.status(), "feasible"), started)
    if result.unserved or result.total_vehicle_seconds > quick.total_vehicle_seconds:
        return quick
    result.unserved = list(quick.unserved)
    return result


@dataclass(frozen=True)
class Alternative:
    """A time the refused request could ride at: its window moved by `shift` seconds, and the plan that carries it."""

    shift: int
    request: Request
    pickup: int
    plan: Plan


def shifted(request: Request, shift: int) -> Request:
    return replace(request, earliest_pickup=request.earliest_pickup + shift,
                   latest_pickup=request.latest_pickup + shift,
                   latest_dropoff=None if request.latest_dropoff is None else request.latest_dropoff + shift)


def alternatives(problem: Problem, plan: Plan, request: Request, *,
                 shifts: Sequence[int] = tuple(range(-3600, 3601, 900)), limit: int = 3,
                 time_limit: float = 3.0) -> list[Alternative]:
    """The nearest times (by |shift|, earlier first on a tie) at which the request fits, for 「この時間なら乗れます」.

    The greedy insertion screens each time cheaply; only the times it accepts are confirmed with `insert`."""
    found: list[Alternative] = []
    for shift in sorted((s for s in shifts if s != 0), key=lambda s: (abs(s), s)):
        moved = shifted(request, shift)
        if moved.earliest_pickup < 0 or try_insert(problem, plan, moved) is None:
            continue
        confirmed = insert(problem, plan, moved, time_limit=time_limit)
        visit = confirmed.visit(moved.key, "pickup") if confirmed is not None else None
        if confirmed is not None and visit is not None:
            found.append(Alternative(shift, moved, visit.start, confirmed))
            if len(found) >= limit:
                break
    return found


__all__ = ["Alternative", "DROP_PENALTY", "alternatives", "insert", "place", "shifted", "solve", "stops_of"]
