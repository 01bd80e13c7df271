"""現状分析レポート of デマンド交通 (plan 000's KPI): the figures of a period [start, end) from the ride records and the
visits the drivers made — rides per day and hour, by zone pair, occupancy, driven and empty kilometres, refusals and
their reasons, waiting and ride times, booking channels and 減免. Read inside the town's scope; nothing here writes.

Definitions (the page and the PDF say them in words):
- 利用 (completed) is a ride with status done; 予約 (a booking) is any ride asked for in the period, whatever became
  of it. A ride belongs to the period by its day.
- The vehicles' driven legs come from the visit order of each vehicle-day (車庫 → first stop, stop to stop, last stop
  → 車庫), through the pickups and drop-offs of completed rides and the pickups of no-shows (the car went there).
  A leg with nobody aboard is 空車走行. Distances are the service's road metres (services.travel) when it is there,
  else straight-line distance × the service's 迂回率.
- 乗車密度 (occupancy) is passenger-kilometres ÷ driven kilometres: the mean number aboard per kilometre driven.
  A 運行便 (vehicle trip) is a stretch from the car becoming occupied to it becoming empty again; riders per trip is
  the passengers carried ÷ those trips.
- 待ち時間 is boarded_at − the start of the pickup window told to the rider (0 when the car came early); 遅れ is
  boarded_at − the end of the window, when positive. 乗車時間 is dropped_at − boarded_at, and its ratio to the
  direct travel time (直行の何倍).
"""

from __future__ import annotations

import importlib
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import get_scope

from yakuba.kernel.refusal import Refused

from ..models import Channel, Reduction, RefusalReason, Ride, Rider, RideStatus, Service, Stop, Visit, VisitKind

# The choices of the period chooser (the page's radio buttons).
THIS_MONTH, LAST_MONTH, FISCAL_YEAR, LAST_FISCAL_YEAR, CUSTOM = (
    "month", "last_month", "fiscal_year", "last_fiscal_year", "custom")
LONGEST_DAYS = 366  # a custom period is at most one year: the report reads every ride of it
MONTHLY_AFTER_DAYS = 62  # a longer period is drawn month by month rather than day by day
BOOKED = (RideStatus.QUEUED, RideStatus.CONFIRMED, RideStatus.BOARDED)
ONLINE = (Channel.WEB, Channel.LINE)
EARTH_RADIUS_M = 6_371_000


# --- the period ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """[start, end): `end` is the day after the last day shown."""

    start: date
    end: date
    choice: str = CUSTOM

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def label(self) -> str:
        return _("%(start)s〜%(last)s") % {"start": japanese_date(self.start), "last": japanese_date(self.last)}


def japanese_date(day: date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def fiscal_year_start(day: date) -> date:
    """April 1 of the 年度 `day` falls in."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def period_for(choice: str, first: str = "", last: str = "", *, today: date | None = None) -> Period:
    """The period a chooser asks for: this or last month, this or last 年度 (4月〜3月), or the days from `first` to
    `last` inclusive (YYYY-MM-DD). Raises Refused (fields "start", "end") for a custom period that is not one."""
    today = today or timezone.localdate()
    if choice == LAST_MONTH:
        end = month_start(today)
        return Period(month_start(end - timedelta(days=1)), end, LAST_MONTH)
    if choice == FISCAL_YEAR:
        start = fiscal_year_start(today)
        return Period(start, date(start.year + 1, 4, 1), FISCAL_YEAR)
    if choice == LAST_FISCAL_YEAR:
        end = fiscal_year_start(today)
        return Period(date(end.year - 1, 4, 1), end, LAST_FISCAL_YEAR)
    if choice != CUSTOM:
        return Period(month_start(today), next_month(today), THIS_MONTH)
    errors: dict[str, str] = {}
    begin, final = _parse_day(first), _parse_day(last)
    if begin is None:
        errors["start"] = _("開始日は「2026-04-01」の形で入力してください。")
    if final is None:
        errors["end"] = _("終了日は「2026-04-30」の形で入力してください。")
    if begin is not None and final is not None:
        if final < begin:
            errors["end"] = _("終了日は開始日と同じか、後の日付にしてください。")
        elif (final - begin).days + 1 > LONGEST_DAYS:
            errors["end"] = _("期間は1年（366日）以内にしてください。")
    if errors:
        raise Refused(errors)
    assert begin is not None and final is not None
    return Period(begin, final + timedelta(days=1), CUSTOM)


# --- distances ------------------------------------------------------------------------------------------------------


def straight_meters(service: Service, a: Stop, b: Stop) -> int:
    """Great-circle distance × the service's 迂回率: the estimate when the town has no road distances."""
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(math.sqrt(h)) * float(service.detour_factor))


def distance_function(service: Service) -> Callable[[Stop, Stop], int]:
    """Metres between two stops: services.travel.meters (the town's table or engine) when that module is there,
    else `straight_meters`. Remembered per pair for one report."""
    try:
        travel: Any = importlib.import_module("yakuba.transport.services.travel")
        measure: Callable[[Service, Stop, Stop], int] = travel.meters
    except (ImportError, AttributeError):
        measure = straight_meters
    known: dict[tuple[int, int], int] = {}

    def meters(a: Stop, b: Stop) -> int:
        if a.pk == b.pk:
            return 0
        pair = (a.pk, b.pk)
        if pair not in known:
            known[pair] = int(measure(service, a, b))
        return known[pair]

    return meters


# --- the figures -----------------------------------------------------------------------------------------------------


@dataclass
class CountRow:
    """The rides of a day, month or hour, by what became of them."""

    label: str
    done: int = 0
    booked: int = 0
    cancelled: int = 0
    no_show: int = 0
    refused: int = 0

    @property
    def total(self) -> int:
        return self.done + self.booked + self.cancelled + self.no_show + self.refused

    def add(self, status: str) -> None:
        if status == RideStatus.DONE:
            self.done += 1
        elif status in BOOKED:
            self.booked += 1
        elif status == RideStatus.CANCELLED:
            self.cancelled += 1
        elif status == RideStatus.NO_SHOW:
            self.no_show += 1
        elif status == RideStatus.REFUSED:
            self.refused += 1


@dataclass(frozen=True)
class ShareRow:
    label: str
    count: int
    share: float | None  # percent of the whole, None when the whole is 0


@dataclass(frozen=True)
class PairRow:
    origin: str  # the pickup zone
    destination: str  # the drop-off zone
    rides: int  # completed
    passengers: int
    bookings: int  # every ride asked for between the two zones

    @property
    def label(self) -> str:
        return f"{self.origin}→{self.destination}"


@dataclass(frozen=True)
class Stats:
    """Mean, median and largest of some minutes (or ratios); None each when there were none."""

    count: int
    mean: float | None
    median: float | None
    most: float | None

    @classmethod
    def of(cls, values: list[float]) -> Stats:
        if not values:
            return cls(0, None, None, None)
        return cls(len(values), statistics.fmean(values), statistics.median(values), max(values))


@dataclass
class Driving:
    """The vehicles' legs of the period (see the module's definitions)."""

    driven_m: int = 0
    empty_m: int = 0
    passenger_m: int = 0  # Σ leg metres × passengers aboard
    trips: int = 0  # 運行便: stretches from occupied to empty
    trip_passengers: int = 0
    vehicle_days: int = 0

    @property
    def driven_km(self) -> float:
        return self.driven_m / 1000

    @property
    def empty_km(self) -> float:
        return self.empty_m / 1000

    @property
    def empty_share(self) -> float | None:
        return share(self.empty_m, self.driven_m)

    @property
    def occupancy(self) -> float | None:
        """Mean passengers aboard per driven kilometre (乗車密度)."""
        return self.passenger_m / self.driven_m if self.driven_m else None

    @property
    def riders_per_trip(self) -> float | None:
        return self.trip_passengers / self.trips if self.trips else None


@dataclass
class Report:
    service: Service
    period: Period
    bookings: int
    online: int  # bookings made on the web or through LINE
    totals: CountRow  # every ride of the period by status
    passengers: int  # of completed rides (companions counted)
    riders: int  # distinct riders with a completed ride
    operating_days: int  # days with at least one completed ride
    timeline_unit: str  # "day" or "month"
    timeline: list[CountRow]
    hours: list[CountRow]  # by hour of pickup (boarded, else planned, else the window)
    pairs: list[PairRow]
    refusals: list[ShareRow]
    channels: list[ShareRow]  # of every booking
    reductions: list[ShareRow]  # of completed rides
    fares_yen: int  # the fares of completed rides
    driving: Driving
    wait: Stats  # minutes
    late: Stats  # minutes beyond the window's end, of the late ones
    late_share: float | None
    ride: Stats  # minutes aboard
    ride_ratio: Stats  # ride time ÷ direct time
    notes: list[str] = field(default_factory=list)

    @property
    def refusal_share(self) -> float | None:
        return share(self.totals.refused, self.bookings)

    @property
    def online_share(self) -> float | None:
        return share(self.online, self.bookings)

    @property
    def rides_per_day(self) -> float | None:
        return self.totals.done / self.operating_days if self.operating_days else None

    @property
    def reduced_share(self) -> float | None:
        return share(sum(row.count for row in self.reductions), self.totals.done)


def share(part: float, whole: float) -> float | None:
    """part / whole as a percentage; None when there is nothing to divide."""
    return 100 * part / whole if whole else None


def _town(rows: QuerySet[Any]) -> QuerySet[Any]:
    municipality = get_scope().get("municipality")
    return rows.filter(municipality=municipality) if municipality is not None else rows


def rides(start: date, end: date) -> QuerySet[Ride]:
    """Every ride of the town with its day in [start, end)."""
    return _town(Ride.objects.filter(day__gte=start, day__lt=end))


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def _pickup_moment(ride: Ride) -> datetime:
    return ride.boarded_at or ride.planned_pickup or ride.window_start


def _timeline(service: Service, period: Period, found: list[Ride]) -> tuple[str, list[CountRow]]:
    """Month by month for a long period; else day by day, over the service's weekdays and any day with a ride."""
    if period.days > MONTHLY_AFTER_DAYS:
        rows: dict[date, CountRow] = {}
        month = month_start(period.start)
        while month < period.end:
            rows[month] = CountRow(_("%(y)d年%(m)d月") % {"y": month.year, "m": month.month})
            month = next_month(month)
        for ride in found:
            rows[month_start(ride.day)].add(ride.status)
        return "month", list(rows.values())
    days = {period.start + timedelta(days=n): CountRow("") for n in range(period.days)}
    for day, row in days.items():
        row.label = f"{day.month}/{day.day}（{_WEEKDAYS[day.weekday()]}）"
    for ride in found:
        days[ride.day].add(ride.status)
    return "day", [row for day, row in days.items() if row.total or day.weekday() in service.days]


_WEEKDAYS = ("月", "火", "水", "木", "金", "土", "日")


def _hours(service: Service, found: list[Ride]) -> list[CountRow]:
    by_hour: dict[int, CountRow] = {}
    for ride in found:
        hour = timezone.localtime(_pickup_moment(ride)).hour
        by_hour.setdefault(hour, CountRow("")).add(ride.status)
    first = min([service.opens.hour, *by_hour])
    last = max([service.closes.hour - (0 if service.closes.minute else 1), *by_hour])
    rows = []
    for hour in range(first, last + 1):
        row = by_hour.get(hour, CountRow(""))
        row.label = _("%(h)d時台") % {"h": hour}
        rows.append(row)
    return rows


def _pairs(found: list[Ride]) -> list[PairRow]:
    rides_by: Counter[tuple[str, str]] = Counter()
    passengers_by: Counter[tuple[str, str]] = Counter()
    bookings_by: Counter[tuple[str, str]] = Counter()
    order: dict[str, int] = {}
    for ride in found:
        pair = (ride.pickup.zone.name, ride.dropoff.zone.name)
        order.setdefault(pair[0], ride.pickup.zone.sort_order)
        order.setdefault(pair[1], ride.dropoff.zone.sort_order)
        bookings_by[pair] += 1
        if ride.status == RideStatus.DONE:
            rides_by[pair] += 1
            passengers_by[pair] += ride.passengers
    return sorted((PairRow(a, b, rides_by[(a, b)], passengers_by[(a, b)], n) for (a, b), n in bookings_by.items()),
                  key=lambda row: (-row.rides, -row.bookings, order[row.origin], order[row.destination]))


def _shares(counts: Counter[str], labels: Iterable[tuple[str, Any]], whole: int, *, keep_zero: bool) -> list[ShareRow]:
    return [ShareRow(str(label), counts[value], share(counts[value], whole)) for value, label in labels
            if keep_zero or counts[value]]


def driving(service: Service, start: date, end: date) -> Driving:
    """Driven, empty and passenger metres and the 運行便 of [start, end), from each vehicle-day's visit order."""
    visits = (_town(Visit.objects.filter(day__gte=start, day__lt=end))
              .filter(ride__status__in=(RideStatus.DONE, RideStatus.NO_SHOW))
              .exclude(ride__status=RideStatus.NO_SHOW, kind=VisitKind.DROPOFF)
              .select_related("vehicle__home", "ride__pickup", "ride__dropoff")
              .order_by("vehicle_id", "day", "seq", "pk"))
    days: dict[tuple[int, date], list[Visit]] = defaultdict(list)
    for visit in visits:
        days[(visit.vehicle_id, visit.day)].append(visit)
    meters = distance_function(service)
    result = Driving(vehicle_days=len(days))
    for route in days.values():
        _drive(result, route, meters)
    return result


def _drive(result: Driving, route: list[Visit], meters: Callable[[Stop, Stop], int]) -> None:
    home = route[0].vehicle.home
    here, aboard = home, 0
    for visit in route:
        ride = visit.ride
        pickup = visit.kind == VisitKind.PICKUP
        there = ride.pickup if pickup else ride.dropoff
        _leg(result, meters(here, there), aboard)
        here = there
        if ride.status != RideStatus.DONE:
            continue  # a no-show: the car came, nobody boarded
        if pickup:
            result.trips += aboard == 0
            aboard += ride.passengers
            result.trip_passengers += ride.passengers
        else:
            aboard = max(0, aboard - ride.passengers)
    _leg(result, meters(here, home), aboard)


def _leg(result: Driving, length: int, aboard: int) -> None:
    result.driven_m += length
    result.passenger_m += length * aboard
    if aboard == 0:
        result.empty_m += length


def _times(done: list[Ride]) -> tuple[Stats, Stats, float | None, Stats, Stats]:
    waits, lates, rides_min, ratios = [], [], [], []
    boarded = 0
    for ride in done:
        if ride.boarded_at is None:
            continue
        boarded += 1
        waits.append(max(0.0, _minutes(ride.boarded_at - ride.window_start)))
        late = _minutes(ride.boarded_at - ride.window_end)
        if late > 0:
            lates.append(late)
        if ride.dropped_at is not None and ride.dropped_at >= ride.boarded_at:
            seconds = (ride.dropped_at - ride.boarded_at).total_seconds()
            rides_min.append(seconds / 60)
            if ride.direct_seconds:
                ratios.append(seconds / ride.direct_seconds)
    return Stats.of(waits), Stats.of(lates), share(len(lates), boarded), Stats.of(rides_min), Stats.of(ratios)


def build(service: Service, period: Period) -> Report:
    """The report of `period` (inside the town's scope)."""
    found = list(rides(period.start, period.end).select_related("pickup__zone", "dropoff__zone"))
    totals = CountRow(_("合計"))
    for ride in found:
        totals.add(ride.status)
    done = [ride for ride in found if ride.status == RideStatus.DONE]
    unit, timeline = _timeline(service, period, found)
    wait, late, late_share, ride_time, ratio = _times(done)
    refusal_counts = Counter(ride.refusal for ride in found if ride.status == RideStatus.REFUSED)
    reasons = [*RefusalReason.choices, *((value, value or _("理由なし")) for value in refusal_counts
                                           if value not in RefusalReason.values)]
    notes = []
    if found and not any(ride.boarded_at for ride in done):
        notes.append(_("乗車時刻の記録がないため、待ち時間と乗車時間は出せません。"))
    return Report(
        service=service, period=period, bookings=len(found), totals=totals,
        online=sum(ride.channel in ONLINE for ride in found),
        passengers=sum(ride.passengers for ride in done), riders=len({ride.rider_id for ride in done}),
        operating_days=len({ride.day for ride in done}), timeline_unit=unit, timeline=timeline,
        hours=_hours(service, found), pairs=_pairs(found),
        refusals=_shares(refusal_counts, reasons, totals.refused, keep_zero=False),
        channels=_shares(Counter(ride.channel for ride in found), Channel.choices, len(found), keep_zero=True),
        reductions=_shares(Counter(ride.reduction for ride in done),
                           [(v, label) for v, label in Reduction.choices if v], len(done), keep_zero=True),
        fares_yen=sum(ride.fare_yen for ride in done), driving=driving(service, period.start, period.end),
        wait=wait, late=late, late_share=late_share, ride=ride_time, ride_ratio=ratio, notes=notes)


def registered_riders(at: date) -> int:
    """利用登録 of the town before `at`."""
    since = timezone.make_aware(datetime.combine(at, datetime.min.time()))
    return _town(Rider.objects.filter(created_at__lt=since)).count()
