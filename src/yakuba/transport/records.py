"""Public records デマンド交通 offers the other systems (kernel.records): the 乗降ポイント as a dataset, and the ride
records as anonymised open data for the 現状分析; and the kind the cached GTFS-JP feed follows.

Anonymising the ride records (乗車実績):
- a row says only the day, the hour of pickup, the pickup and drop-off 乗降ポイント (code and zone), the number of
  passengers, the minutes aboard and waited (whole minutes) and what became of the ride — never the rider, the
  booking number, a name, a phone number or an exact time;
- k-anonymity with k = 3: a row is published only when its stop pair (pickup → drop-off, either status) has at least
  3 rides in the same calendar month; rarer pairs (a hamlet with one regular rider) are left out, and their count
  is not given anywhere else in the dataset;
- only whole months that have ended are published (a month in progress would reveal today's rides).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.utils import timezone

from yakuba.kernel import records
from yakuba.kernel.tenancy.models import Municipality

from .models import FixedRoute, FixedRouteStop, Ride, RideStatus, Service, Stop, Zone
from .services.report import month_start

STOPS = "transport.stop"
RIDES = "transport.ride"
GTFS = "transport.gtfs"  # the GTFS-JP feed of the fixed routes (views/gtfs.py)
K_ANONYMITY = 3
PUBLISHED_MONTHS = 12  # the ride records of the last 12 ended months
# Statuses a ride record may have: what the riders did with the service (a ride still booked is not a record yet).
PUBLISHED_STATUSES = (RideStatus.DONE, RideStatus.NO_SHOW, RideStatus.CANCELLED, RideStatus.REFUSED)
RIDE_COLUMNS = ("乗車日", "乗車時", "乗車地コード", "乗車地区域", "降車地コード", "降車地区域", "人数", "乗車時間_分",
                "待ち時間_分", "状況")
STOP_COLUMNS = ("ID", "名称", "名称_カナ", "緯度", "経度", "区域")


def stop_rows(municipality: Municipality) -> list[records.Row]:
    """The active 乗降ポイント, in the service's order."""
    return [records.Row(stop.code, {"ID": stop.code, "名称": stop.name, "名称_カナ": stop.kana,
                                    "名称_英語": stop.name_en, "緯度": stop.latitude, "経度": stop.longitude,
                                    "区域": stop.zone.name, "目印": stop.note})
            for stop in Stop.objects.filter(municipality=municipality, active=True).select_related("zone")]


def _minutes(seconds: float) -> int:
    return max(0, round(seconds / 60))


def ride_rows(municipality: Municipality, *, today: date | None = None) -> list[records.Row]:
    """The anonymised ride records of the ended months of the last year (see the module's rules)."""
    end = month_start(today or timezone.localdate())
    start = date(end.year - 1, end.month, 1)
    rides = list(Ride.objects.filter(municipality=municipality, day__gte=start, day__lt=end,
                                     status__in=PUBLISHED_STATUSES)
                 .select_related("pickup__zone", "dropoff__zone").order_by("day", "window_start", "pk"))
    pairs = Counter((month_start(ride.day), ride.pickup_id, ride.dropoff_id) for ride in rides)
    rows = []
    for ride in rides:
        if pairs[(month_start(ride.day), ride.pickup_id, ride.dropoff_id)] < K_ANONYMITY:
            continue
        moment = timezone.localtime(ride.boarded_at or ride.window_start)
        ride_minutes = wait_minutes = ""
        if ride.boarded_at is not None:
            wait_minutes = str(_minutes((ride.boarded_at - ride.window_start).total_seconds()))
            if ride.dropped_at is not None:
                ride_minutes = str(_minutes((ride.dropped_at - ride.boarded_at).total_seconds()))
        # The key is the row's place in the list: stable for an ended month, and it says nothing of the booking.
        rows.append(records.Row(str(len(rows) + 1), {
            "乗車日": ride.day.isoformat(), "乗車時": moment.hour, "乗車地コード": ride.pickup.code,
            "乗車地区域": ride.pickup.zone.name, "降車地コード": ride.dropoff.code,
            "降車地区域": ride.dropoff.zone.name,
            "人数": ride.passengers, "乗車時間_分": ride_minutes, "待ち時間_分": wait_minutes,
            "状況": str(RideStatus(ride.status).label)}))
    return rows


records.register_rows(records.RowSource(STOPS, stop_rows, datasets=()))
records.register_rows(records.RowSource(RIDES, ride_rows, datasets=()))
records.announce_saves(STOPS, Stop, Zone)
# Rides are not announced: their rows change only when a month ends, and announcing every booking would have every
# consumer refresh on each one.
records.announce_saves(GTFS, Service, Stop, FixedRoute, FixedRouteStop)
