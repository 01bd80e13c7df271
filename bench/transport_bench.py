"""デマンド交通 dispatch on a synthetic town day: OR-Tools against the greedy baseline, then one booking added.

The town: 12 km × 10 km, a centre (役場, 病院, 駅, スーパー and a few more stops) and five hamlets of 8–10 stops each,
about 60 stops, travel times from the straight line × 1.3 at 25 km/h. The day (seeded): requests from 8:00 to 17:00,
two in three to or from the four centre places, half booked by pickup time (15-minute window from it) and half by the
time they must arrive (the 15-minute pickup window that arrives in time even at the ride cap), 1–3 passengers, about
one in twenty with a wheelchair. Vehicles: 4 seats and 1 wheelchair space each, 8:00–17:30 from a depot in the
centre. Ride cap: 1.5 × the direct time + 10 minutes.

Printed for each solver, from the same problem in the same run:
  served         share of requests carried (ceiling 100 %)
  violations     from check.violations (ride-time lines and all lines; ceiling 0)
  vehicle time   hours the vehicles are out, against "alone": each served request driven on its own from and back to
                 the depot (no sharing: what sharing saves)
  ride/direct    mean time aboard over the direct drive (ceiling per rider: 1.5 + 600 s / direct)
  solve          wall-clock seconds
Then `insert` of one new booking into the OR-Tools day, N trials (each from the same planned day): p50/p95 seconds
and the share inserted, with the greedy `try_insert` beside it, and `alternatives` for a few refused bookings.

Run: .venv/bin/python bench/transport_bench.py [--requests 100] [--vehicles 6] [--seed 29] [--time-limit 10]
     (prints figures; never asserts)
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections.abc import Callable

from yakuba.transport.routing import check, solver
from yakuba.transport.routing.greedy import greedy, try_insert
from yakuba.transport.routing.model import Plan, Problem, Request, Vehicle, max_ride_for
from yakuba.transport.routing.travel import Point, TravelTimes, straight_line

H, M = 3600, 60
BASE = Point(36.20, 138.80)  # the town's south-west corner
KM_LAT = 1 / 111.2  # degrees of latitude per kilometre
KM_LON = 1 / (111.2 * math.cos(math.radians(36.25)))
CENTRE_PLACES = ["役場", "病院", "駅", "スーパー"]


def town(rng: random.Random) -> tuple[list[Point], list[str]]:
    """Stop 0 is the depot; then the four centre places, six more centre stops, and the hamlets' stops."""
    def at(x_km: float, y_km: float) -> Point:
        return Point(BASE.lat + y_km * KM_LAT, BASE.lon + x_km * KM_LON)

    centre = (6.0, 5.0)
    points, names = [at(*centre)], ["車庫"]
    for name in CENTRE_PLACES + [f"中心{k}" for k in range(6)]:
        points.append(at(centre[0] + rng.uniform(-0.8, 0.8), centre[1] + rng.uniform(-0.8, 0.8)))
        names.append(name)
    hamlets = [(1.5, 2.0), (2.0, 8.5), (10.5, 8.0), (10.0, 1.5), (6.5, 9.2)]
    for h, (x, y) in enumerate(hamlets):
        for k in range(rng.randint(8, 10)):
            points.append(at(min(12, max(0, x + rng.gauss(0, 0.7))), min(10, max(0, y + rng.gauss(0, 0.7)))))
            names.append(f"集落{h}-{k}")
    return points, names


def booking(rng: random.Random, key: str, travel: TravelTimes, service: int) -> Request:
    stops = travel.n
    if rng.random() < 2 / 3:
        place, other = rng.randint(1, len(CENTRE_PLACES)), rng.randrange(1, stops)
        while other == place:
            other = rng.randrange(1, stops)
        pickup, dropoff = (place, other) if rng.random() < 0.5 else (other, place)
    else:
        pickup, dropoff = rng.sample(range(1, stops), 2)
    direct = travel.seconds(pickup, dropoff)
    cap = max_ride_for(direct)
    passengers = rng.choices([1, 2, 3], weights=[70, 22, 8])[0]
    wheelchairs = 1 if rng.random() < 0.05 else 0
    if rng.random() < 0.5:  # "pick me up from 10:20"
        earliest = 8 * H + rng.randrange(0, 9 * H - 15 * M, 5 * M)
        return Request(key=key, pickup=pickup, dropoff=dropoff, passengers=passengers, wheelchairs=wheelchairs,
                       earliest_pickup=earliest, latest_pickup=earliest + 15 * M, max_ride=cap)
    arrive = 8 * H + 45 * M + rng.randrange(0, 8 * H + 15 * M, 5 * M)  # "I must be at the hospital by 10:30"
    latest = arrive - cap - service
    return Request(key=key, pickup=pickup, dropoff=dropoff, passengers=passengers, wheelchairs=wheelchairs,
                   earliest_pickup=latest - 15 * M, latest_pickup=latest, latest_dropoff=arrive, max_ride=cap)


def day(seed: int, requests: int, vehicles: int) -> Problem:
    rng = random.Random(seed)
    points, _names = town(rng)
    travel = straight_line(points)
    service = 60
    bookings = [booking(rng, f"r{k:03d}", travel, service) for k in range(requests)]
    fleet = [Vehicle(key=f"車{k + 1}", capacity=4, wheelchair_spaces=1, start_node=0, end_node=0, start=8 * H,
                     end=17 * H + 30 * M) for k in range(vehicles)]
    return Problem(travel, bookings, fleet, service)


def ride_ratio(problem: Problem, plan: Plan) -> float:
    ratios = []
    for request in problem.requests:
        pickup, dropoff = plan.visit(request.key, "pickup"), plan.visit(request.key, "dropoff")
        if pickup is not None and dropoff is not None:
            ratios.append((dropoff.start - pickup.start) / max(1, problem.travel.seconds(request.pickup,
                                                                                            request.dropoff)))
    return statistics.mean(ratios) if ratios else float("nan")


def alone_hours(problem: Problem, plan: Plan) -> float:
    served = set(plan.served)
    t = problem.travel.seconds
    return sum(t(0, r.pickup) + t(r.pickup, r.dropoff) + t(r.dropoff, 0) + 2 * problem.service_seconds
               for r in problem.requests if r.key in served) / H


def report(name: str, problem: Problem, plan: Plan) -> None:
    found = check.violations(problem, plan)
    rides = sum("ride of" in line for line in found)
    served = len(problem.requests) - len(plan.unserved)
    print(f"  {name:<8} served {served}/{len(problem.requests)} ({100 * served / len(problem.requests):.0f} %)  "
          f"violations {rides} ride / {len(found)} all  vehicle time {plan.total_vehicle_seconds / H:.1f} h "
          f"(alone {alone_hours(problem, plan):.1f} h)  ride/direct {ride_ratio(problem, plan):.2f}  "
          f"solve {plan.seconds:.2f} s  [{plan.status}]")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def timed(action: Callable[[], Plan | None]) -> tuple[Plan | None, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def insertions(problem: Problem, plan: Plan, trials: int, seed: int, limit: float) -> list[Request]:
    rng = random.Random(seed + 1000)
    times, quick_times, inserted, quick, broken = [], [], 0, 0, 0
    refused = []
    for k in range(trials):
        new = booking(rng, f"new{k}", problem.travel, problem.service_seconds)
        grown, seconds = timed(lambda new=new: solver.insert(problem, plan, new, time_limit=limit))  # type: ignore[misc]
        fast, quick_seconds = timed(lambda new=new: try_insert(problem, plan, new))  # type: ignore[misc]
        times.append(seconds)
        quick_times.append(quick_seconds)
        quick += fast is not None
        if grown is None:
            refused.append(new)
            continue
        inserted += 1
        with_new = Problem(problem.travel, [*problem.requests, new], problem.vehicles, problem.service_seconds)
        broken += bool(check.violations(with_new, grown))
    print(f"insert one booking into the planned day ({trials} trials, {limit:.0f} s limit):")
    print(f"  insert      p50 {statistics.median(times):.3f} s  p95 {percentile(times, 0.95):.3f} s  "
          f"inserted {inserted}/{trials} ({100 * inserted / trials:.0f} %)  plans with violations {broken}")
    print(f"  try_insert  p50 {statistics.median(quick_times) * 1000:.1f} ms  p95 "
          f"{percentile(quick_times, 0.95) * 1000:.1f} ms  inserted {quick}/{trials} (greedy, stops kept in order)")
    return refused


def offers(problem: Problem, plan: Plan, refused: list[Request]) -> None:
    if not refused:
        return
    rows = []
    for request in refused[:5]:
        started = time.perf_counter()
        found = solver.alternatives(problem, plan, request, limit=3)
        rows.append((time.perf_counter() - started, [option.shift // M for option in found]))
    print(f"alternatives for {len(rows)} refused bookings (shifts ±60 min in 15-minute steps, up to 3):")
    for seconds, shifts in rows:
        print(f"  {seconds:.2f} s  offered shifts (min): {shifts or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--vehicles", type=int, default=6)
    parser.add_argument("--seed", type=int, default=29)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--insert-limit", type=float, default=3.0)
    args = parser.parse_args()
    problem = day(args.seed, args.requests, args.vehicles)
    print(f"town day: {problem.travel.n} stops, {len(problem.requests)} requests, {len(problem.vehicles)} vehicles, "
          f"seed {args.seed}; OR-Tools limit {args.time_limit:.0f} s")
    baseline = greedy(problem)
    planned = solver.solve(problem, time_limit=args.time_limit)
    report("OR-Tools", problem, planned)
    report("greedy", problem, baseline)
    refused = insertions(problem, planned, args.trials, args.seed, args.insert_limit)
    offers(problem, planned, refused)


if __name__ == "__main__":
    main()
