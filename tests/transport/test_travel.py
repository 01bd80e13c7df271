"""Travel matrices: the straight-line estimate, a town's own pairs, and the OSRM and Valhalla adapters spoken to by a
real HTTP server on 127.0.0.1 (answers, error replies, malformed replies and a server too slow to answer)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from yakuba.transport.routing.travel import (
    Point,
    RoutingEngineError,
    TravelTimes,
    from_pairs,
    osrm_table,
    straight_line,
    valhalla_matrix,
)

POINTS = [Point(36.2000, 138.8000), Point(36.2100, 138.8000), Point(36.2000, 138.8200)]


class Engine:
    """What the fake engine answers next (status, JSON body, delay) and what it was asked."""

    def __init__(self) -> None:
        self.status = 200
        self.body: Any = {}
        self.delay = 0.0
        self.calls: list[dict[str, Any]] = []


@pytest.fixture
def engine() -> Iterator[tuple[Engine, str]]:
    state = Engine()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, payload: Any) -> None:
            parsed = urlsplit(self.path)  # not urlparse: it would cut the path at ';'
            state.calls.append({"method": self.command, "path": parsed.path, "query": parse_qs(parsed.query),
                                "json": payload})
            time.sleep(state.delay)
            data = state.body.encode() if isinstance(state.body, str) else json.dumps(state.body).encode()
            try:
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (the timeout test)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._answer(None)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            self._answer(json.loads(self.rfile.read(length) or b"null"))

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_straight_line_is_haversine_times_detour_at_speed() -> None:
    travel = straight_line(POINTS, detour=1.0, speed_kmh=36.0)  # 36 km/h = 10 m/s
    # 0.01° of latitude is about 1,112 m
    assert 1105 <= travel.meters(0, 1) <= 1120
    assert travel.meters(0, 1) / 10 <= travel.seconds(0, 1) <= travel.meters(0, 1) / 10 + 1  # rounded up
    assert travel.seconds(0, 0) == 0 and travel.meters(1, 1) == 0
    assert travel.seconds(0, 2) == travel.seconds(2, 0)
    detoured = straight_line(POINTS)  # 1.3 × at 25 km/h
    assert detoured.meters(0, 1) == pytest.approx(travel.meters(0, 1) * 1.3, abs=2)
    assert detoured.seconds(0, 1) == pytest.approx(detoured.meters(0, 1) / (25 / 3.6), abs=1)


def test_from_pairs_fills_gaps_from_the_fallback_and_lists_them() -> None:
    fallback = straight_line(POINTS)
    travel = from_pairs(3, [(0, 1, 100, 900), (1, 0, 110, None), (0, 2, 200, 1500)], fallback=fallback)
    assert travel.seconds(0, 1) == 100 and travel.meters(0, 1) == 900
    assert travel.seconds(1, 0) == 110 and travel.meters(1, 0) == fallback.meters(1, 0)  # metres not given
    assert travel.seconds(2, 1) == fallback.seconds(2, 1)
    assert set(travel.missing) == {(1, 2), (2, 0), (2, 1)}
    assert all(travel.seconds(i, i) == 0 for i in range(3))
    assert from_pairs(3, [(0, 1, 100, 900)], points=POINTS).seconds(1, 2) == fallback.seconds(1, 2)


def test_from_pairs_without_fallback() -> None:
    complete = [(i, j, 60, 500) for i in range(2) for j in range(2) if i != j]
    assert from_pairs(2, complete).missing == ()
    with pytest.raises(ValueError):
        from_pairs(2, complete[:1])
    with pytest.raises(ValueError):
        from_pairs(2, [(0, 5, 60, 500)])


def test_travel_times_must_be_square() -> None:
    with pytest.raises(ValueError):
        TravelTimes(((0, 1), (1, 0)), ((0,),))


def test_osrm_table(engine: tuple[Engine, str]) -> None:
    state, url = engine
    state.body = {"code": "Ok", "durations": [[0, 100.2, 200], [101, 0, 150.5], [199, 149, 0]],
                  "distances": [[0, 1000.4, 2000], [1010, 0, 1500], [1990, 1490, 0]]}
    travel = osrm_table(url + "/", POINTS, timeout=2)
    assert travel.seconds(0, 1) == 101 and travel.seconds(1, 2) == 151  # rounded up
    assert travel.meters(0, 1) == 1000 and travel.meters(2, 0) == 1990
    call = state.calls[0]
    assert call["path"] == "/table/v1/driving/138.800000,36.200000;138.800000,36.210000;138.820000,36.200000"
    assert call["query"]["annotations"] == ["duration,distance"]


def test_osrm_errors(engine: tuple[Engine, str]) -> None:
    state, url = engine
    state.status, state.body = 400, {"code": "InvalidQuery", "message": "Query string malformed close to position 3"}
    with pytest.raises(RoutingEngineError, match="400: Query string malformed"):
        osrm_table(url, POINTS, timeout=2)
    state.status, state.body = 200, {"code": "NoTable", "message": "no table"}
    with pytest.raises(RoutingEngineError, match="NoTable"):
        osrm_table(url, POINTS, timeout=2)
    state.body = {"code": "Ok", "durations": [[0, 1], [1, 0]], "distances": [[0, 1], [1, 0]]}
    with pytest.raises(RoutingEngineError, match="3×3"):
        osrm_table(url, POINTS, timeout=2)
    state.body = {"code": "Ok", "durations": [[0, None, 1], [1, 0, 1], [1, 1, 0]],
                  "distances": [[0, 1, 1], [1, 0, 1], [1, 1, 0]]}
    with pytest.raises(RoutingEngineError, match="no route from point 0 to point 1"):
        osrm_table(url, POINTS, timeout=2)
    state.body = "<html>gateway</html>"
    with pytest.raises(RoutingEngineError, match="not a JSON object"):
        osrm_table(url, POINTS, timeout=2)


def test_osrm_timeout(engine: tuple[Engine, str]) -> None:
    state, url = engine
    state.delay, state.body = 1.0, {"code": "Ok"}
    with pytest.raises(RoutingEngineError, match="did not answer in time") as raised:
        osrm_table(url, POINTS, timeout=0.2)
    assert raised.value.reason == "OSRM did not answer in time"


def test_unreachable_engine() -> None:
    with pytest.raises(RoutingEngineError, match="could not be reached"):
        osrm_table("http://127.0.0.1:9", POINTS, timeout=1)


def _valhalla_reply(times: list[list[float | None]], kms: list[list[float | None]]) -> dict[str, Any]:
    return {"sources_to_targets": [[{"from_index": i, "to_index": j, "time": t, "distance": d}
                                    for j, (t, d) in enumerate(zip(trow, drow, strict=True))]
                                   for i, (trow, drow) in enumerate(zip(times, kms, strict=True))],
            "units": "kilometers"}


def test_valhalla_matrix(engine: tuple[Engine, str]) -> None:
    state, url = engine
    state.body = _valhalla_reply([[0, 95, 180], [97, 0, 140], [181, 139, 0]],
                                 [[0, 1.012, 2.0], [1.02, 0, 1.5], [2.01, 1.49, 0]])
    travel = valhalla_matrix(url, POINTS, timeout=2)
    assert travel.seconds(0, 1) == 95 and travel.meters(0, 1) == 1012 and travel.meters(2, 1) == 1490
    call = state.calls[0]
    assert call["method"] == "POST" and call["path"] == "/sources_to_targets"
    assert call["json"]["costing"] == "auto"
    assert call["json"]["sources"] == call["json"]["targets"] == [{"lat": p.lat, "lon": p.lon} for p in POINTS]


def test_valhalla_errors(engine: tuple[Engine, str]) -> None:
    state, url = engine
    state.status, state.body = 400, {"error_code": 171, "error": "No suitable edges near location", "status_code": 400}
    with pytest.raises(RoutingEngineError, match="400: No suitable edges"):
        valhalla_matrix(url, POINTS, timeout=2)
    state.status, state.body = 200, {"sources_to_targets": [[{}]]}
    with pytest.raises(RoutingEngineError, match="3×3"):
        valhalla_matrix(url, POINTS, timeout=2)
    state.body = _valhalla_reply([[0, 1, 1], [1, 0, None], [1, 1, 0]], [[0, 1, 1], [1, 0, None], [1, 1, 0]])
    with pytest.raises(RoutingEngineError, match="no route from point 1 to point 2"):
        valhalla_matrix(url, POINTS, timeout=2)
    state.delay = 1.0
    with pytest.raises(RoutingEngineError, match="Valhalla did not answer in time"):
        valhalla_matrix(url, POINTS, timeout=0.2)
