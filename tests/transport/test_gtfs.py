"""GTFS-JP of the fixed routes: the zip's files and header rows, referential integrity, times along a trip, the
calendar from the route's weekdays; 404 without a route; a cached public download renewed by a timetable change."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from django_scopes import scope

from tests.transport.support import make_service, stop
from yakuba.transport.models import FixedRoute, FixedRouteStop, Stop
from yakuba.transport.services import gtfs

pytestmark = pytest.mark.django_db
URL = "/t/10382/transport/gtfs.zip"
FILES = {"agency.txt", "agency_jp.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "calendar.txt",
         "feed_info.txt", "translations.txt"}


def make_route(town, name="東線", stops=(("yakuba", 0), ("byoin", 4), ("east1", 15), ("east2", 22)),
               departures=("07:30", "12:00", "17:45"), days=(0, 2, 4), **fields):
    make_service(town)
    with scope(municipality=town):
        route = FixedRoute.objects.create(municipality=town, name=name, departures=list(departures), days=list(days),
                                          **fields)
        for seq, (code, minutes) in enumerate(stops, start=1):
            FixedRouteStop.objects.create(municipality=town, route=route, stop=stop(town, code), seq=seq,
                                          minutes=minutes)
    return route


def read(content: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert set(archive.namelist()) == FILES
        return {name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8")))) for name in FILES}


def seconds(text: str) -> int:
    hours, minutes, secs = (int(part) for part in text.split(":"))
    return hours * 3600 + minutes * 60 + secs


def test_the_feed_holds_together(client, town_a):
    route = make_route(town_a, name_en="East line")
    make_route(town_a, name="西線", stops=(("yakuba", 0), ("west1", 12), ("west2", 20)), departures=("09:00", "23:50"),
               days=(5,))
    response = client.get(URL)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"] and ".zip" in response["Content-Disposition"]
    feed = read(response.content)
    [agency] = feed["agency.txt"]
    assert agency["agency_name"] == "下仁田町" and agency["agency_phone"] == "0274-82-2111"
    assert agency["agency_timezone"] == "Asia/Tokyo" and agency["agency_url"].startswith("http")
    assert feed["agency_jp.txt"][0]["agency_id"] == agency["agency_id"]
    stops = {row["stop_id"]: row for row in feed["stops.txt"]}
    assert set(stops) == {"yakuba", "byoin", "east1", "east2", "west1", "west2"}
    assert stops["byoin"]["stop_name"] == "町立病院" and stops["byoin"]["stop_lat"].startswith("36.215")
    routes = {row["route_id"] for row in feed["routes.txt"]}
    assert all(row["agency_id"] == agency["agency_id"] and row["route_type"] == "3" for row in feed["routes.txt"])
    services = {row["service_id"]: row for row in feed["calendar.txt"]}
    trips = {row["trip_id"]: row for row in feed["trips.txt"]}
    assert len(trips) == 5
    assert all(trip["route_id"] in routes and trip["service_id"] in services for trip in trips.values())
    by_trip: dict[str, list[dict[str, str]]] = {}
    for row in feed["stop_times.txt"]:
        assert row["stop_id"] in stops and row["trip_id"] in trips
        by_trip.setdefault(row["trip_id"], []).append(row)
    assert set(by_trip) == set(trips)
    for rows in by_trip.values():
        rows.sort(key=lambda row: int(row["stop_sequence"]))
        times = [seconds(row["arrival_time"]) for row in rows]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert all(row["arrival_time"] == row["departure_time"] for row in rows)
    east = sorted(trips[t]["trip_id"] for t in trips if trips[t]["route_id"] == f"route-{route.pk}")
    first = [row["arrival_time"] for row in by_trip[east[0]]]
    assert first == ["12:00:00", "12:04:00", "12:15:00", "12:22:00"] or "07:30:00" in first
    late = next(rows for rows in by_trip.values() if rows[0]["arrival_time"] == "23:50:00")
    assert late[-1]["arrival_time"] == "24:10:00"  # past midnight, as GTFS writes it
    calendar = services[f"days-{route.pk}"]
    assert [calendar[day] for day in gtfs.WEEKDAYS] == ["1", "0", "1", "0", "1", "0", "0"]
    assert calendar["start_date"] < calendar["end_date"] and len(calendar["start_date"]) == 8
    assert feed["feed_info.txt"][0]["feed_lang"] == "ja"
    assert {"route_long_name", "stop_name"} <= {row["field_name"] for row in feed["translations.txt"]}
    assert any(row["language"] == "en" and row["translation"] == "East line" for row in feed["translations.txt"])


def test_the_files_have_the_gtfs_jp_header_rows(town_a):
    make_route(town_a)
    with scope(municipality=town_a):
        found = gtfs.feed(town_a, today=date(2026, 12, 7))
    assert found is not None and found.filename == "gtfs-jp_103829_20260401.zip"
    with zipfile.ZipFile(io.BytesIO(found.content)) as archive:
        header = archive.read("stop_times.txt").decode("utf-8").splitlines()[0]
        assert header.startswith("trip_id,arrival_time,departure_time,stop_id,stop_sequence")
        assert archive.read("agency_jp.txt").decode("utf-8").startswith("agency_id,agency_official_name")
        calendar = list(csv.DictReader(io.StringIO(archive.read("calendar.txt").decode("utf-8"))))
    assert (calendar[0]["start_date"], calendar[0]["end_date"]) == ("20260401", "20270331")
    with scope(municipality=town_a):
        again = gtfs.feed(town_a, today=date(2026, 12, 7))
    assert again is not None and again.content == found.content  # the same timetable, the same bytes


def test_no_active_route_is_a_plain_404(client, town_a):
    make_service(town_a)
    response = client.get(URL)
    assert response.status_code == 404 and "定時路線がありません" in response.content.decode()
    route = make_route(town_a, active=False)
    assert client.get(URL).status_code == 404
    with scope(municipality=town_a):
        FixedRoute.objects.filter(pk=route.pk).update(active=True, departures=[])
    assert client.get(URL).status_code == 404  # no departures: nothing to publish


def test_another_town_s_route_is_not_in_the_feed(client, town_a, town_b):
    make_route(town_b)
    make_service(town_a)
    assert client.get(URL).status_code == 404


@pytest.mark.django_db(transaction=True)  # the writes commit: the cache hears of each, as in production
def test_the_feed_is_a_cached_public_download_renewed_by_a_change(client, town_a):
    route = make_route(town_a)
    first = client.get(URL)
    assert "public" in first["Cache-Control"]
    assert client.get(URL)["X-Page-Cache"] == "hit"
    with scope(municipality=town_a):
        route.departures = ["08:00"]
        route.save()
    renewed = client.get(URL)
    assert renewed["X-Page-Cache"] == "miss"
    assert len(read(renewed.content)["trips.txt"]) == 1
    with scope(municipality=town_a):
        Stop.objects.filter(code="east2").update(name="東集落センター前")
        stop(town_a, "east2").save()  # a renamed stop renews it too
    assert "東集落センター前" in {row["stop_name"] for row in read(client.get(URL).content)["stops.txt"]}

