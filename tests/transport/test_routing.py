"""The dispatch engine on small hand-made days with known answers, then a seeded random day. Every plan goes through
the independent checker. Stops sit on a line one kilometre apart and the vehicle drives a kilometre a minute, so the
arithmetic in the comments can be followed by hand."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from yakuba.transport.routing import check, solver
from yakuba.transport.routing.greedy import greedy, timetable, try_insert
from yakuba.transport.routing.model import Plan, Problem, Request, Vehicle, Visit, max_ride_for
from yakuba.transport.routing.travel import Point, TravelTimes, straight_line

H = 3600
M = 60
T8 = 8 * H
LIMIT = 0.3  # seconds of search for the tiny days (guided local search uses all of it)


def line(n: int = 30) -> TravelTimes:
    return TravelTimes.from_lists([[M * abs(i - j) for j in range(n)] for i in range(n)],
                                  [[1000 * abs(i - j) for j in range(n)] for i in range(n)])


def ride(key: str, pickup: int, dropoff: int, earliest: int, window: int = 15 * M, **extra: object) -> Request:
    fields: dict[str, object] = {"max_ride": 60 * M} | extra
    return Request(key=key, pickup=pickup, dropoff=dropoff, earliest_pickup=earliest,
                   latest_pickup=earliest + window, **fields)  # type: ignore[arg-type]


def car(key: str = "v1", depot: int = 0, capacity: int = 4, spaces: int = 1, **extra: object) -> Vehicle:
    fields: dict[str, object] = {"start": T8, "end": 12 * H} | extra
    return Vehicle(key=key, capacity=capacity, wheelchair_spaces=spaces, start_node=depot, end_node=depot,
                   **fields)  # type: ignore[arg-type]


def both(problem: Problem) -> list[Plan]:
    """Greedy, OR-Tools from its own first solution, OR-Tools from the greedy plan: each checked."""
    plans = [greedy(problem), solver.solve(problem, time_limit=LIMIT, greedy_start=False),
             solver.solve(problem, time_limit=LIMIT)]
    for plan in plans:
        assert check.violations(problem, plan) == [], plan.solver
    return plans


def used(plan: Plan) -> set[str]:
    return {key for key, visits in plan.routes.items() if visits}


def test_max_ride_for() -> None:
    assert max_ride_for(1000) == 2100 and max_ride_for(600, factor=2.0, extra=0) == 1200


def test_two_riders_share_one_vehicle() -> None:
    # the depot is at 10, past both drop-offs: dropping a (at 5) before b (at 6) is the shorter way home; the windows
    # say who is picked up first
    problem = Problem(line(), [ride("a", 1, 5, T8 + 10 * M, window=2 * M), ride("b", 2, 6, T8 + 12 * M, window=2 * M)],
                      [car("v1", depot=10), car("v2", depot=10)])
    for plan in both(problem):
        assert len(used(plan)) == 1 and plan.unserved == []
        route = plan.routes[plan.vehicle_of("a") or ""]
        assert [(v.request, v.kind) for v in route] == [("a", "pickup"), ("b", "pickup"), ("a", "dropoff"),
                                                        ("b", "dropoff")]
        assert [v.load_after for v in route] == [1, 2, 1, 0]
        # out at 8:01 to start at 1 at 8:10; b at 2 at 8:12, a off at 5 at 8:16, b off at 6 at 8:18
        assert [v.start for v in route] == [T8 + 10 * M, T8 + 12 * M, T8 + 16 * M, T8 + 18 * M]
        assert plan.total_vehicle_seconds == 22 * M  # 8:19 leaves 6, 4 minutes home: 8:23


def test_max_ride_cap_forces_a_second_vehicle() -> None:
    # one vehicle could pick a at 1 (8:00), b at 5 (8:05), drop b at 4 (8:07) and a at 9 (8:13): a rides 13 minutes
    requests = [ride("a", 1, 9, T8, window=5 * M), ride("b", 5, 4, T8 + 4 * M, window=6 * M)]
    loose = Problem(line(), [replace(r, max_ride=20 * M) for r in requests], [car("v1"), car("v2")])
    for plan in both(loose):
        assert len(used(plan)) == 1 and plan.unserved == []
    tight = Problem(line(), [replace(r, max_ride=max_ride_for(8 * M, factor=1.0, extra=90)) for r in requests],
                    [car("v1"), car("v2")])
    for plan in both(tight):
        assert len(used(plan)) == 2 and plan.unserved == []
        assert plan.vehicle_of("a") != plan.vehicle_of("b")


def test_one_wheelchair_space() -> None:
    # the two trips overlap in time and cannot be done one after the other (after 6 at 8:06, 2 is past 8:03)
    requests = [ride("w1", 1, 6, T8, window=2 * M, wheelchairs=1), ride("w2", 2, 7, T8 + M, window=2 * M,
                                                                         wheelchairs=1, passengers=2)]
    for plan in both(Problem(line(), requests, [car("v1")])):
        assert len(plan.unserved) == 1
    for plan in both(Problem(line(), requests, [car("v1"), car("v2")])):
        assert plan.unserved == [] and plan.vehicle_of("w1") != plan.vehicle_of("w2")
    # with two spaces one vehicle carries both (w2's companion takes a seat)
    for plan in both(Problem(line(), requests, [car("v1", spaces=2)])):
        assert plan.unserved == []


def test_impossible_request_is_unserved_not_lost() -> None:
    requests = [ride("ok", 1, 3, T8), ride("never", 2, 20, T8, latest_dropoff=T8 + 10 * M),  # 18 km in 10 min
                ride("late", 2, 3, 13 * H), ride("ghost", 2, 3, T8, vehicle="nope")]
    for plan in both(Problem(line(), requests, [car("v1")])):
        assert sorted(plan.unserved) == ["ghost", "late", "never"]
        assert plan.served == ["ok"]


def _day() -> Problem:
    return Problem(line(), [ride("a", 1, 4, T8), ride("b", 6, 9, T8 + 20 * M), ride("c", 3, 7, T8 + 40 * M)],
                   [car("v1")])


def test_insert_keeps_confirmed_pickups_in_their_windows() -> None:
    problem = _day()
    plan = solver.solve(problem, time_limit=LIMIT)
    assert plan.unserved == []
    new = ride("n", 5, 2, T8 + 10 * M)
    grown = solver.insert(problem, plan, new, time_limit=1.0)
    assert grown is not None
    assert check.violations(replace(problem, requests=[*problem.requests, new]), grown) == []
    assert sorted(grown.served) == ["a", "b", "c", "n"] and grown.unserved == []


def test_insert_reorders_when_the_quick_insertion_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = _day()
    plan = greedy(problem)
    new = ride("n", 5, 2, T8 + 10 * M)
    monkeypatch.setattr(solver, "try_insert", lambda *args: None)  # the warm-started search alone must place it
    grown = solver.insert(problem, plan, new, time_limit=1.0)
    assert grown is not None and grown.unserved == []
    assert check.violations(replace(problem, requests=[*problem.requests, new]), grown) == []


def test_insert_returns_none_when_it_would_push_a_confirmed_rider_out() -> None:
    problem = Problem(line(), [ride("a", 1, 2, T8, window=2 * M)], [car("v1")])
    plan = solver.solve(problem, time_limit=LIMIT)
    clash = ride("n", 9, 8, T8, window=2 * M)  # the one vehicle cannot be at 1 and 9 by 8:02
    assert try_insert(problem, plan, clash) is None
    assert solver.insert(problem, plan, clash, time_limit=1.0) is None
    assert solver.insert(problem, plan, ride("p", 2, 3, T8, vehicle="nope"), time_limit=1.0) is None


def test_onboard_rider_is_dropped_off_first_when_the_seats_are_full() -> None:
    nine = 9 * H
    on = Request(key="o", pickup=2, dropoff=6, passengers=4, earliest_pickup=nine - 5 * M,
                 latest_pickup=nine - 5 * M, max_ride=20 * M, vehicle="v1", onboard=True)
    waiting = ride("w", 4, 8, nine)  # on the way, but no seat is free until o gets off at 6
    vehicles = [car("v1", position=3, available_from=nine), car("v2", depot=29)]
    for plan in both(Problem(line(), [on, waiting], vehicles)):
        assert plan.visit("o", "pickup") is None and plan.vehicle_of("o") == "v1"
        dropoff = plan.visit("o", "dropoff")
        assert dropoff is not None and dropoff.start == nine + 3 * M
        assert plan.routes["v1"][0].load_after == 0
        pickup = plan.visit("w", "pickup")
        assert pickup is not None and pickup.start > dropoff.start
    # aboard too long already (boarded at 8:30, cap 20 minutes): reported, not silently dropped
    late = replace(on, earliest_pickup=nine - 30 * M, latest_pickup=nine - 30 * M)
    for plan in both(Problem(line(), [late], vehicles)):
        assert plan.unserved == ["o"]


def test_pinned_vehicle() -> None:
    vehicles = [car("near", depot=10), car("far", depot=0)]
    free = Problem(line(), [ride("a", 9, 11, T8 + 30 * M)], vehicles)
    pinned = Problem(line(), [ride("a", 9, 11, T8 + 30 * M, vehicle="far")], vehicles)
    for plan in both(free):
        assert plan.vehicle_of("a") == "near"
    for plan in both(pinned):
        assert plan.vehicle_of("a") == "far"


def test_alternatives_offers_the_nearest_feasible_times() -> None:
    # a rides 1 → 20 from 8:01, 19 minutes, with no time for two stops on the way (cap 21 minutes); the vehicle is
    # back at 10 at 8:32 at the earliest, so n's 8:15–8:30 window fails, 8:30–8:45 fits; earlier windows cannot
    a = ride("a", 1, 20, T8, window=2 * M, max_ride=21 * M)
    problem = Problem(line(), [a], [car("v1")])
    plan = solver.solve(problem, time_limit=LIMIT)
    n = ride("n", 10, 11, T8 + 15 * M, max_ride=5 * M)  # too short to ride along to 20 and back
    assert solver.insert(problem, plan, n, time_limit=1.0) is None
    found = solver.alternatives(problem, plan, n, limit=2, time_limit=1.0)
    assert [option.shift for option in found] == [15 * M, 30 * M]
    first = found[0]
    assert first.request.earliest_pickup == T8 + 30 * M and first.pickup == T8 + 32 * M
    assert check.violations(replace(problem, requests=[a, first.request]), first.plan) == []


def test_a_pickup_waits_for_the_ride_cap_rather_than_the_rider() -> None:
    # b's window opens at 8:10: picking a at 8:00 and waiting would make a ride 12 minutes; a is picked later
    a, b = ride("a", 1, 3, T8, max_ride=5 * M), ride("b", 2, 4, T8 + 10 * M)
    problem = Problem(line(), [a, b], [car("v1")])
    visits = timetable(problem, problem.vehicles[0], [(a, "pickup"), (b, "pickup"), (a, "dropoff"), (b, "dropoff")])
    assert visits is not None
    assert visits[2].start - visits[0].start <= 5 * M and visits[1].start == T8 + 10 * M
    for plan in both(problem):
        assert plan.unserved == []


def test_checker_catches_a_broken_plan() -> None:
    problem = Problem(line(), [ride("a", 1, 5, T8), ride("b", 2, 6, T8, passengers=2, wheelchairs=1),
                               ride("c", 3, 4, T8)],
                      [car("v1", capacity=1, spaces=0)])
    broken = Plan(routes={"v1": [
        Visit("a", "pickup", 1, T8 + M, T8 + M, T8 + 2 * M, 1),
        Visit("b", "pickup", 2, T8 + 2 * M, T8 + 20 * M, T8 + 21 * M, 2),  # outside its window; no wheelchair space
        Visit("a", "dropoff", 5, T8 + 22 * M, T8 + 90 * M, T8 + 91 * M, 1),  # a rode 89 minutes
        Visit("b", "dropoff", 7, T8 + 92 * M, T8 + 92 * M, T8 + 93 * M, 0),  # wrong stop
        Visit("x", "dropoff", 6, T8 + 93 * M, T8 + 93 * M, T8 + 94 * M, 0),
    ], "ghost": [Visit("a", "pickup", 1, T8, T8, T8, 0)]}, unserved=["b"], total_vehicle_seconds=0,
        solver="hand", status="feasible", seconds=0.0)
    found = "\n".join(check.violations(problem, broken))
    for expected in ("b: pickup at", "wheelchairs after b pickup", "a: ride of", "b: dropoff at node 7",
                     "x: not a request", "c: neither served nor listed", "b: both served and unserved",
                     "route for unknown vehicle ghost", "seats taken"):
        assert expected in found, expected
    fast = Plan(routes={"v1": [Visit("c", "pickup", 3, T8, T8, T8 + M, 1),
                               Visit("c", "dropoff", 4, T8 + M, T8 + M, T8 + 2 * M, 0)]},
                unserved=["a", "b"], total_vehicle_seconds=0, solver="hand", status="feasible", seconds=0.0)
    assert any("cannot before" in line for line in check.violations(problem, fast))  # 0 → 3 takes 3 minutes


def random_day(seed: int, count: int = 40) -> Problem:
    rng = random.Random(seed)
    points = [Point(36.20 + rng.random() * 0.09, 138.80 + rng.random() * 0.13) for _ in range(30)]
    travel = straight_line(points)
    requests = []
    for k in range(count):
        pickup, dropoff = rng.sample(range(1, 30), 2)
        earliest = T8 + rng.randrange(0, 8 * H)
        requests.append(Request(key=f"r{k}", pickup=pickup, dropoff=dropoff, passengers=rng.randint(1, 3),
                                wheelchairs=1 if rng.random() < 0.1 else 0, earliest_pickup=earliest,
                                latest_pickup=earliest + 15 * M,
                                max_ride=max_ride_for(travel.seconds(pickup, dropoff))))
    vehicles = [car(f"v{i}", end=17 * H + 30 * M) for i in range(3)]
    return Problem(travel, requests, vehicles)


def test_random_day_both_solvers_clean() -> None:
    problem = random_day(29)
    baseline = greedy(problem)
    assert check.violations(problem, baseline) == []
    planned = solver.solve(problem, time_limit=2.0)
    assert planned.status in {"feasible", "optimal"}
    assert check.violations(problem, planned) == []
    warm = solver.solve(problem, time_limit=1.0, initial=baseline)
    assert check.violations(problem, warm) == []
    assert len(warm.unserved) <= len(baseline.unserved)  # the search never ends worse than its start
