"""The town's fixed routes (定時定路線) as a GTFS-JP feed (標準的なバス情報フォーマット 第3版): a zip of UTF-8 CSV files
with their header rows. The town is the agency; each route runs its timetabled departures (FixedRoute.departures)
along its stops at the minutes from the first stop (FixedRouteStop.minutes) on its weekdays (FixedRoute.days), for
the current 年度. Read inside the town's scope; nothing here writes."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from yakuba.kernel.tenancy.models import Municipality

from ..models import FixedRoute, FixedRouteStop, Service, Stop
from .report import fiscal_year_start

TIMEZONE = "Asia/Tokyo"
BUS = 3  # GTFS route_type
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# GTFS-JP 第3版 column names, in the specification's order.
AGENCY = ("agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang", "agency_phone",
          "agency_fare_url", "agency_email")
AGENCY_JP = ("agency_id", "agency_official_name", "agency_zip_number", "agency_address", "agency_president_pos",
             "agency_president_name")
STOPS = ("stop_id", "stop_code", "stop_name", "stop_desc", "stop_lat", "stop_lon", "zone_id", "stop_url",
         "location_type", "parent_station", "stop_timezone", "wheelchair_boarding", "platform_code")
ROUTES = ("route_id", "agency_id", "route_short_name", "route_long_name", "route_desc", "route_type", "route_url",
          "route_color", "route_text_color", "jp_parent_route_id")
TRIPS = ("route_id", "service_id", "trip_id", "trip_headsign", "trip_short_name", "direction_id", "block_id",
         "shape_id", "wheelchair_accessible", "bikes_allowed", "jp_trip_desc", "jp_trip_desc_symbol", "jp_office_id",
         "jp_pattern_id")
STOP_TIMES = ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence", "stop_headsign",
              "pickup_type", "drop_off_type", "shape_dist_traveled", "timepoint")
CALENDAR = ("service_id", *WEEKDAYS, "start_date", "end_date")
FEED_INFO = ("feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_start_date", "feed_end_date",
             "feed_version")
TRANSLATIONS = ("table_name", "field_name", "language", "translation", "record_id", "record_sub_id", "field_value")


@dataclass(frozen=True)
class Feed:
    filename: str
    content: bytes


def active_routes() -> list[FixedRoute]:
    """The routes running now that have at least two stops and one departure."""
    routes = FixedRoute.objects.filter(active=True).prefetch_related("stops__stop__zone").order_by("name", "pk")
    return [route for route in routes if len(route.stops.all()) >= 2 and _departures(route)]


def _departures(route: FixedRoute) -> list[int]:
    """The departures from the first stop as minutes after midnight, sorted; malformed entries are skipped."""
    found = set()
    for text in route.departures if isinstance(route.departures, list) else []:
        hours, _colon, minutes = str(text).strip().partition(":")
        if hours.isdigit() and minutes.isdigit() and int(minutes) < 60:
            found.add(int(hours) * 60 + int(minutes))
    return sorted(found)


def _clock(minutes: int) -> str:
    """GTFS time: HH:MM:SS, hours past 24 for a trip that runs after midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def _csv(header: tuple[str, ...], rows: list[dict[str, object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: "" if row.get(name) is None else row.get(name) for name in header})
    return buffer.getvalue().encode("utf-8")


def _agency_id(municipality: Municipality) -> str:
    return f"JP{municipality.code}"


def _stops(routes: list[FixedRoute]) -> list[Stop]:
    seen: dict[int, Stop] = {}
    for route in routes:
        for route_stop in route.stops.all():
            seen.setdefault(route_stop.stop_id, route_stop.stop)
    return sorted(seen.values(), key=lambda stop: (stop.zone.sort_order, stop.sort_order, stop.pk))


def _route_stops(route: FixedRoute) -> list[FixedRouteStop]:
    return sorted(route.stops.all(), key=lambda row: row.seq)


def feed(municipality: Municipality, *, today: date | None = None) -> Feed | None:
    """The feed of the town's active fixed routes, or None when it runs none."""
    routes = active_routes()
    if not routes:
        return None
    first = fiscal_year_start(today or timezone.localdate())
    start, end = first.strftime("%Y%m%d"), date(first.year + 1, 3, 31).strftime("%Y%m%d")
    agency = _agency_id(municipality)
    url = municipality.website or municipality.absolute_url("/")
    service = Service.objects.first()
    stops = _stops(routes)
    files = {
        "agency.txt": _csv(AGENCY, [{"agency_id": agency, "agency_name": municipality.name, "agency_url": url,
                                     "agency_timezone": TIMEZONE, "agency_lang": "ja",
                                     "agency_phone": (service.phone if service else "") or municipality.phone,
                                     "agency_email": municipality.email}]),
        "agency_jp.txt": _csv(AGENCY_JP, [{"agency_id": agency, "agency_official_name": municipality.name,
                                           "agency_address": municipality.address}]),
        "stops.txt": _csv(STOPS, [{"stop_id": stop.code, "stop_code": stop.code, "stop_name": stop.name,
                                   "stop_desc": stop.note, "stop_lat": stop.latitude, "stop_lon": stop.longitude,
                                   "zone_id": f"zone-{stop.zone_id}", "location_type": 0} for stop in stops]),
        "routes.txt": _csv(ROUTES, [{"route_id": f"route-{route.pk}", "agency_id": agency,
                                     "route_long_name": route.name, "route_type": BUS, "route_color": route.color,
                                     "route_text_color": "FFFFFF"} for route in routes]),
        "calendar.txt": _csv(CALENDAR, [{"service_id": f"days-{route.pk}", "start_date": start, "end_date": end,
                                         **{name: int(day in route.days) for day, name in enumerate(WEEKDAYS)}}
                                        for route in routes]),
        "feed_info.txt": _csv(FEED_INFO, [{"feed_publisher_name": municipality.name, "feed_publisher_url": url,
                                           "feed_lang": "ja", "feed_start_date": start, "feed_end_date": end,
                                           "feed_version": start}]),
        "translations.txt": _csv(TRANSLATIONS, _translations(municipality, routes, stops)),
    }
    trips, times = _trips(routes)
    files["trips.txt"] = _csv(TRIPS, trips)
    files["stop_times.txt"] = _csv(STOP_TIMES, times)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("agency.txt", "agency_jp.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt",
                     "calendar.txt", "feed_info.txt", "translations.txt"):
            # A fixed date, so the same timetable gives the same bytes (and the same ETag).
            info = zipfile.ZipInfo(name, date_time=(first.year, first.month, first.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return Feed(f"gtfs-jp_{municipality.code}_{start}.zip", buffer.getvalue())


def _trips(routes: list[FixedRoute]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    trips: list[dict[str, object]] = []
    times: list[dict[str, object]] = []
    for route in routes:
        route_stops = _route_stops(route)
        headsign = route_stops[-1].stop.name
        for departure in _departures(route):
            trip = f"route-{route.pk}-{departure // 60:02d}{departure % 60:02d}"
            trips.append({"route_id": f"route-{route.pk}", "service_id": f"days-{route.pk}", "trip_id": trip,
                          "trip_headsign": headsign, "direction_id": 0})
            previous = -1
            for number, route_stop in enumerate(route_stops, start=1):
                # Minutes never go back along a trip: a stop typed earlier than the one before keeps that time.
                at = departure + max(route_stop.minutes, previous)
                previous = max(route_stop.minutes, previous)
                times.append({"trip_id": trip, "arrival_time": _clock(at), "departure_time": _clock(at),
                              "stop_id": route_stop.stop.code, "stop_sequence": number,
                              "pickup_type": 0, "drop_off_type": 0, "timepoint": 1})
    return trips, times


def _translations(municipality: Municipality, routes: list[FixedRoute], stops: list[Stop]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []

    def add(table: str, column: str, value: str, language: str, text: str) -> None:
        if text:
            rows.append({"table_name": table, "field_name": column, "language": language, "translation": text,
                         "field_value": value})

    add("agency", "agency_name", municipality.name, "ja", municipality.name)
    add("agency", "agency_name", municipality.name, "ja-Hrkt", municipality.name_kana)
    add("agency", "agency_name", municipality.name, "en", municipality.name_en)
    for stop in stops:
        add("stops", "stop_name", stop.name, "ja", stop.name)
        add("stops", "stop_name", stop.name, "ja-Hrkt", stop.kana)
        add("stops", "stop_name", stop.name, "en", stop.name_en)
    for route in routes:
        add("routes", "route_long_name", route.name, "ja", route.name)
        add("routes", "route_long_name", route.name, "en", route.name_en)
    return rows
