"""Demo data of デマンド交通 (`yakuba demo`) in 下仁田町 (plan 000 取組項目⑤) and 甘楽町 (plan 002's デマンドタクシー):
the service (平日 8:00–17:00, 300円, 70歳以上と障害者手帳 150円), a centre and hamlet zones with their 乗降ポイント, two
cars (one with a wheelchair space) driven by the 企画課 clerk, a fixed 町営バス route for GTFS-JP, the demo residents
registered as riders, four weeks of ride records for the 現状分析レポート, and tomorrow's first bookings in the plan.

Idempotent: rows are found by code, name or number; a second load writes nothing new.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import jpholiday
from django.utils import timezone

from yakuba.kernel.accounts.models import Department, Resident, Staff
from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality

from .models import (
    Channel,
    FixedRoute,
    FixedRouteStop,
    Reduction,
    RefusalReason,
    Ride,
    Rider,
    RideStatus,
    Service,
    Stop,
    Vehicle,
    Visit,
    Zone,
)

# (zone, zone_en, connects to the centre) and (code, zone, name, name_en, lat, lon, 目印) per town.
STOPS = {
    "shimonita": (
        ("中心部", "Town centre", [
            ("yakuba", "下仁田町役場", "Town Office", "36.2123", "138.7878", "役場正面玄関"),
            ("eki", "下仁田駅", "Shimonita Station", "36.2117", "138.7905", "駅前ロータリー"),
            ("byoin", "下仁田厚生病院", "Shimonita Kosei Hospital", "36.2141", "138.7791", "病院玄関"),
            ("kaimono", "ショッピングセンター前", "Shopping centre", "36.2089", "138.7951", "店舗入口"),
        ]),
        ("西牧地区", "Nishimaki", [
            ("nishimaki", "西牧公民館", "Nishimaki community hall", "36.2182", "138.7351", "公民館駐車場"),
            ("motojuku", "本宿", "Motojuku", "36.2201", "138.7102", "本宿バス停"),
        ]),
        ("小坂・馬山地区", "Kosaka and Mayama", [
            ("kosaka", "小坂公民館", "Kosaka community hall", "36.2330", "138.8051", "公民館前"),
            ("mayama", "馬山公民館", "Mayama community hall", "36.2252", "138.8302", "公民館前"),
        ]),
        ("青倉地区", "Aokura", [
            ("aokura", "青倉集会所", "Aokura hall", "36.1948", "138.7499", "集会所前"),
        ]),
    ),
    "kanra": (
        ("中心部", "Town centre", [
            ("yakuba", "甘楽町役場", "Town Office", "36.2281", "138.9229", "役場正面玄関"),
            ("eki", "上州福島駅", "Joshu-Fukushima Station", "36.2412", "138.9281", "駅前"),
            ("clinic", "町内の診療所前", "Clinic", "36.2330", "138.9180", "診療所玄関"),
        ]),
        ("小幡地区", "Obata", [
            ("obata", "小幡公民館", "Obata community hall", "36.2180", "138.9085", "公民館前"),
        ]),
        ("秋畑地区", "Akihata", [
            ("akihata", "秋畑公民館", "Akihata community hall", "36.1980", "138.9020", "公民館前"),
        ]),
    ),
}
NAMES = {"shimonita": ("のりあい号", "Noriai shared taxi"), "kanra": ("デマンドタクシー", "Demand taxi")}
DEPARTMENTS = ("企画課", "企画政策課")
DAYS_BACK = 28


def load(municipality: Municipality, town: Town) -> None:
    """Called by `yakuba demo` for each town inside its scope and transaction."""
    if town.slug not in STOPS:
        return
    department = Department.objects.filter(name__in=DEPARTMENTS).order_by("sort_order").first()
    if department is None:
        return
    name, name_en = NAMES[town.slug]
    service, _created = Service.objects.get_or_create(municipality=municipality, defaults={
        "name": name, "name_en": name_en, "department": department, "phone": town.phone, "opens": time(8, 0),
        "closes": time(17, 0), "description": "町内の乗降ポイントの間を、予約があった時だけ乗り合いで運行します。"})
    stops = _stops(municipality, town)
    driver = Staff.objects.filter(department=department, user__email__startswith="kikaku@").first()
    for number, (seats, chairs) in enumerate(((4, 1), (4, 0)), start=1):
        Vehicle.objects.get_or_create(municipality=municipality, name=f"{number}号車", defaults={
            "capacity": seats, "wheelchair_spaces": chairs, "starts": time(8, 0), "ends": time(17, 30),
            "home": stops["yakuba"], "driver": driver})
    _route(municipality, stops)
    riders = _riders(municipality, stops)
    _history(municipality, service, stops, riders, town)
    _tomorrow(service, stops, riders)


def _stops(municipality: Municipality, town: Town) -> dict[str, Stop]:
    found: dict[str, Stop] = {}
    zones = []
    for order, (zone_name, zone_en, rows) in enumerate(STOPS[town.slug]):
        zone, _created = Zone.objects.get_or_create(municipality=municipality, name=zone_name,
                                                    defaults={"name_en": zone_en, "sort_order": order})
        zones.append(zone)
        for index, (code, name, name_en, lat, lon, note) in enumerate(rows):
            found[code], _created = Stop.objects.get_or_create(municipality=municipality, code=code, defaults={
                "zone": zone, "name": name, "name_en": name_en, "latitude": Decimal(lat), "longitude": Decimal(lon),
                "note": note, "sort_order": index})
    centre = zones[0]
    for zone in zones[1:]:
        if not zone.connects.filter(pk=centre.pk).exists():
            zone.connects.add(centre)
    return found


def _route(municipality: Municipality, stops: dict[str, Stop]) -> None:
    """A fixed 町営バス route through the centre (published as GTFS-JP)."""
    route, created = FixedRoute.objects.get_or_create(municipality=municipality, name="町営バス 循環線", defaults={
        "name_en": "Town bus loop", "departures": ["07:30", "10:00", "13:00", "16:00"], "fare_yen": 200})
    if created:
        codes = list(stops)[:4]
        for seq, code in enumerate(codes, start=1):
            FixedRouteStop.objects.create(municipality=municipality, route=route, stop=stops[code], seq=seq,
                                          minutes=(seq - 1) * 6)


def _riders(municipality: Municipality, stops: dict[str, Stop]) -> list[Rider]:
    """The demo residents as riders: 山田 花子 (over 70: 減免), 佐藤 一郎 (障害者手帳 confirmed), Nguyen."""
    hamlets = [code for code in stops if stops[code].zone.sort_order > 0]
    riders = []
    for index, resident in enumerate(Resident.objects.filter(user__email__startswith="resident").order_by("pk")):
        rider, _created = Rider.objects.get_or_create(municipality=municipality, resident=resident, defaults={
            "home_stop": stops[hamlets[index % len(hamlets)]], "disability_certified": index == 1,
            "needs": "杖を使います" if index == 0 else ""})
        riders.append(rider)
    return riders


def _operating_days(end: date, count: int) -> list[date]:
    days: list[date] = []
    day = end
    while len(days) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5 and not jpholiday.is_holiday(day):
            days.append(day)
    return sorted(days)


def _history(municipality: Municipality, service: Service, stops: dict[str, Stop], riders: list[Rider],
             town: Town) -> None:
    """Ride records of the past weeks as the drivers marked them: mostly hamlet ↔ centre in the morning and back
    after noon, a few no-shows, cancellations and refusals (seeded by town: the same rows on every load)."""
    if not riders or Ride.objects.filter(number__contains="-D").exists():
        return  # written once: a second load (on any day) adds nothing
    today = timezone.localdate()
    chance = random.Random(f"yakuba-demo-transport:{town.slug}:{today.isoformat()}")
    vehicles = list(Vehicle.objects.order_by("pk"))
    centre = [c for c in stops if stops[c].zone.sort_order == 0]
    hamlets = [c for c in stops if stops[c].zone.sort_order > 0]
    serial = 0
    for day in _operating_days(today, DAYS_BACK // 7 * 5):
        for trip in range(chance.randint(2, 5)):
            serial += 1
            number = f"{day.year}-D{serial:04d}"
            home, there = chance.choice(hamlets), chance.choice(centre)
            morning = trip % 2 == 0
            pickup, dropoff = (stops[home], stops[there]) if morning else (stops[there], stops[home])
            hour = chance.choice((8, 9, 10) if morning else (13, 14, 15))
            _past_ride(municipality, service, day, number, chance.choice(riders), pickup, dropoff,
                       time(hour, chance.choice((0, 15, 30))), chance, vehicles[trip % len(vehicles)], trip + 1)


def _past_ride(municipality: Municipality, service: Service, day: date, number: str, rider: Rider, pickup: Stop,
               dropoff: Stop, at: time, chance: random.Random, vehicle: Vehicle, order: int) -> None:
    start = timezone.make_aware(datetime.combine(day, at))
    direct = 600 + chance.randint(0, 900)
    roll = chance.random()
    status = (RideStatus.REFUSED if roll < 0.06 else RideStatus.CANCELLED if roll < 0.12
              else RideStatus.NO_SHOW if roll < 0.16 else RideStatus.DONE)
    boarded = start + timedelta(minutes=chance.randint(0, 14))
    dropped = boarded + timedelta(seconds=int(direct * chance.uniform(1.0, 1.4)))
    planned = status != RideStatus.REFUSED
    reduction = Reduction.DISABILITY if rider.disability_certified else (
        Reduction.ELDERLY if rider.resident.birthdate and day.year - rider.resident.birthdate.year > 70 else "")
    ride = Ride.objects.create(
        municipality=municipality, number=number, rider=rider, day=day, pickup=pickup, dropoff=dropoff,
        passengers=1 + (chance.random() < 0.2), requested_at=start, window_start=start,
        window_end=start + timedelta(minutes=service.window_minutes), direct_seconds=direct,
        vehicle=vehicle if planned else None, planned_pickup=boarded if planned else None,
        planned_dropoff=dropped if planned else None, status=status,
        channel=chance.choice((Channel.PHONE, Channel.PHONE, Channel.PHONE, Channel.WEB, Channel.LINE)),
        fare_yen=service.reduced_fare_yen if reduction else service.fare_yen, reduction=reduction,
        refusal=RefusalReason.FULL if status == RideStatus.REFUSED else "",
        boarded_at=boarded if status == RideStatus.DONE else None,
        dropped_at=dropped if status == RideStatus.DONE else None,
        paid_cash_at=boarded if status == RideStatus.DONE else None,
        cancelled_at=start - timedelta(hours=3) if status == RideStatus.CANCELLED else None)
    Ride.objects.filter(pk=ride.pk).update(created_at=start - timedelta(days=1))
    if status in (RideStatus.DONE, RideStatus.NO_SHOW):
        outcome = {"pickup": "boarded" if status == RideStatus.DONE else "absent",
                   "dropoff": "dropped" if status == RideStatus.DONE else "absent"}
        for seq, (kind, eta) in enumerate((("pickup", boarded), ("dropoff", dropped))):
            Visit.objects.create(municipality=municipality, ride=ride, kind=kind, vehicle=vehicle, day=day,
                                 seq=order * 2 + seq, eta=eta, done_at=eta, outcome=outcome[kind])


def _tomorrow(service: Service, stops: dict[str, Stop], riders: list[Rider]) -> None:
    """The next service day's first bookings, placed by the solver: two hamlet riders to the centre at 9:00."""
    from .services import booking, setup

    if len(riders) < 2:
        return
    day = timezone.localdate() + timedelta(days=1)
    while not setup.operating(service, day):
        day += timedelta(days=1)
    centre = next(code for code in stops if stops[code].zone.sort_order == 0 and code != "yakuba")
    for rider, at in ((riders[0], time(9, 0)), (riders[2 if len(riders) > 2 else 1], time(13, 30))):
        if Ride.objects.filter(rider=rider, day=day).exists() or rider.home_stop is None:
            continue
        target = stops[centre] if at.hour < 12 else rider.home_stop
        source = rider.home_stop if at.hour < 12 else stops[centre]
        booking.book(rider, booking.Wish(pickup=source, dropoff=target, day=day, at=at), channel=Channel.PHONE)
