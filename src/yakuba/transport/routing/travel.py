"""Travel times and distances between stops: a straight-line estimate, a town's own table, or a routing engine.

Every function returns a dense `TravelTimes` (whole seconds and metres, node i to node j) so the solvers never care
where the figures came from. The engine adapters speak OSRM's table service and Valhalla's matrix service over HTTP;
anything unexpected from them is a `RoutingEngineError` with a plain reason, never a half-filled matrix.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG): the haversine figure is an estimate anyway


class RoutingEngineError(Exception):
    """A routing engine could not give a matrix; `reason` says why in words a clerk can pass on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


@dataclass(frozen=True)
class TravelTimes:
    """Seconds and metres between nodes 0..n-1. `missing` lists the (i, j) pairs filled in from a fallback."""

    durations: tuple[tuple[int, ...], ...]
    distances: tuple[tuple[int, ...], ...]
    missing: tuple[tuple[int, int], ...] = field(default=())

    def __post_init__(self) -> None:
        n = len(self.durations)
        if len(self.distances) != n or any(len(row) != n for row in (*self.durations, *self.distances)):
            raise ValueError("travel matrices must be square and of the same size")

    @property
    def n(self) -> int:
        return len(self.durations)

    def seconds(self, i: int, j: int) -> int:
        return self.durations[i][j]

    def meters(self, i: int, j: int) -> int:
        return self.distances[i][j]

    @classmethod
    def from_lists(cls, durations: Sequence[Sequence[int]], distances: Sequence[Sequence[int]] | None = None,
                   missing: Iterable[tuple[int, int]] = ()) -> TravelTimes:
        """Build from plain lists; without distances, metres are left at 0 (only time drives the solver)."""
        seconds = tuple(tuple(int(value) for value in row) for row in durations)
        metres = (tuple(tuple(int(value) for value in row) for row in distances) if distances is not None
                  else tuple((0,) * len(seconds) for _ in seconds))
        return cls(seconds, metres, tuple(missing))


def haversine_m(a: Point, b: Point) -> float:
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def straight_line(points: Sequence[Point], *, detour: float = 1.3, speed_kmh: float = 25.0) -> TravelTimes:
    """Great-circle distance times a detour factor (roads are not straight), driven at a mean speed.

    Seconds are rounded up so an estimate never promises a shorter ride than the arithmetic gives."""
    speed_ms = speed_kmh * 1000 / 3600
    durations, distances = [], []
    for a in points:
        metres = [haversine_m(a, b) * detour for b in points]
        distances.append(tuple(round(m) for m in metres))
        durations.append(tuple(math.ceil(m / speed_ms) for m in metres))
    return TravelTimes(tuple(durations), tuple(distances))


def from_pairs(n: int, pairs: Iterable[tuple[int, int, int, int | None]], *, fallback: TravelTimes | None = None,
               points: Sequence[Point] | None = None) -> TravelTimes:
    """A matrix from the (i, j, seconds, metres|None) rows a town keeps (e.g. measured by its drivers).

    Pairs not given (and metres given as None) come from `fallback`, or from `straight_line(points)`; the pairs filled
    that way are listed in `missing` so the town can see which figures are guesses. i→i is always 0."""
    given_s: dict[tuple[int, int], int] = {}
    given_m: dict[tuple[int, int], int] = {}
    for i, j, seconds, metres in pairs:
        if not (0 <= i < n and 0 <= j < n):
            raise ValueError(f"pair ({i}, {j}) is outside 0..{n - 1}")
        given_s[i, j] = int(seconds)
        if metres is not None:
            given_m[i, j] = int(metres)
    if fallback is None and points is not None:
        fallback = straight_line(points)
    missing = [(i, j) for i in range(n) for j in range(n) if i != j and (i, j) not in given_s]
    if fallback is None and (missing or len(given_m) < len(given_s)):
        raise ValueError(f"{len(missing)} pairs missing and no fallback to fill them from")
    durations = [[0] * n for _ in range(n)]
    distances = [[0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            # `fallback` is only None when nothing needs filling (checked above)
            durations[i][j] = given_s[i, j] if (i, j) in given_s else fallback.seconds(i, j)  # type: ignore[union-attr]
            distances[i][j] = given_m[i, j] if (i, j) in given_m else fallback.meters(i, j)  # type: ignore[union-attr]
    return TravelTimes.from_lists(durations, distances, missing)


def _matrix(rows: Any, n: int, what: str, scale: float = 1.0) -> list[list[float]]:
    """Validate an n×n list of numbers from an engine's reply; a gap (null) means the engine found no route."""
    if not isinstance(rows, list) or len(rows) != n:
        raise RoutingEngineError(f"the reply has no {n}×{n} {what} matrix")
    matrix = []
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != n:
            raise RoutingEngineError(f"the reply has no {n}×{n} {what} matrix")
        values = []
        for j, value in enumerate(row):
            if value is None:
                raise RoutingEngineError(f"no route from point {i} to point {j}")
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise RoutingEngineError(f"the {what} from point {i} to point {j} is not a number")
            values.append(float(value) * scale)
        matrix.append(values)
    return matrix


def _to_travel(durations: list[list[float]], distances: list[list[float]]) -> TravelTimes:
    seconds = [[0 if i == j else math.ceil(value) for j, value in enumerate(row)] for i, row in enumerate(durations)]
    metres = [[0 if i == j else round(value) for j, value in enumerate(row)] for i, row in enumerate(distances)]
    return TravelTimes.from_lists(seconds, metres)


def _reply_json(call: Any, engine: str) -> Any:
    """Run one HTTP call and return its JSON, turning every failure into a RoutingEngineError."""
    try:
        response = call()
    except requests.Timeout as error:
        raise RoutingEngineError(f"{engine} did not answer in time") from error
    except requests.RequestException as error:
        raise RoutingEngineError(f"{engine} could not be reached ({type(error).__name__})") from error
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200:
        detail = body.get("message") or body.get("error") if isinstance(body, dict) else None
        raise RoutingEngineError(f"{engine} answered {response.status_code}" + (f": {detail}" if detail else ""))
    if not isinstance(body, dict):
        raise RoutingEngineError(f"{engine} answered something that is not a JSON object")
    return body


def osrm_table(base_url: str, points: Sequence[Point], timeout: float = 10.0) -> TravelTimes:
    """OSRM's table service (`/table/v1/driving/lon,lat;...?annotations=duration,distance`)."""
    if not points:
        return TravelTimes((), ())
    coordinates = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in points)
    url = f"{base_url.rstrip('/')}/table/v1/driving/{coordinates}"
    body = _reply_json(lambda: requests.get(url, params={"annotations": "duration,distance"}, timeout=timeout),
                       "OSRM")
    if body.get("code") != "Ok":
        raise RoutingEngineError(f"OSRM answered {body.get('code')!r}: {body.get('message', '')}".rstrip(": "))
    n = len(points)
    return _to_travel(_matrix(body.get("durations"), n, "duration"), _matrix(body.get("distances"), n, "distance"))


def valhalla_matrix(base_url: str, points: Sequence[Point], timeout: float = 10.0) -> TravelTimes:
    """Valhalla's matrix service (POST `/sources_to_targets`, car costing); distances come back in kilometres."""
    if not points:
        return TravelTimes((), ())
    locations = [{"lat": p.lat, "lon": p.lon} for p in points]
    payload = {"sources": locations, "targets": locations, "costing": "auto", "units": "kilometers"}
    url = f"{base_url.rstrip('/')}/sources_to_targets"
    body = _reply_json(lambda: requests.post(url, json=payload, timeout=timeout), "Valhalla")
    rows = body.get("sources_to_targets")
    n = len(points)
    if not isinstance(rows, list) or len(rows) != n or not all(isinstance(row, list) and len(row) == n
                                                              for row in rows):
        raise RoutingEngineError(f"the reply has no {n}×{n} sources_to_targets matrix")
    cells = [[cell if isinstance(cell, dict) else {} for cell in row] for row in rows]
    durations = _matrix([[cell.get("time") for cell in row] for row in cells], n, "time")
    distances = _matrix([[cell.get("distance") for cell in row] for row in cells], n, "distance", scale=1000.0)
    return _to_travel(durations, distances)
