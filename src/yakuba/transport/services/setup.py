"""How the 担当課 defines デマンド交通: the service's days, hours, booking rules and fares, its zones, 乗降ポイント,
vehicles and fixed routes; and the read helpers booking and dispatch use (is a day operated, its opening and closing
moments, can a ride go from one stop to another).

Who may change what: the service's rules, zones, vehicles and fixed routes change how every ride is planned and
what residents are told, so they are for the 担当課's 所属長 (Role.APPROVER) and 情報担当; 乗降ポイント are everyday
upkeep (a new bench, a moved sign) that any operator of the 担当課 may do. Creating the service is for 情報担当 (it
names the 担当課). Every write checks its input, refuses in Japanese with the field it is about, is audited in the
same transaction, and bumps the travel-time cache version (services/travel.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar

import jpholiday
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.accounts.permissions import can
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused

from ..models import (
    ACTIVE_STATUSES,
    PLANNED_STATUSES,
    FixedRoute,
    FixedRouteStop,
    Ride,
    Rider,
    Service,
    Stop,
    TravelSource,
    TravelTime,
    Vehicle,
    Zone,
)
from . import access, travel

# Japan, generously: 沖ノ鳥島 (20.4°N) to 択捉島 (45.6°N), 与那国島 (122.9°E) to 南鳥島 (154.0°E).
JAPAN_LAT = (Decimal("20"), Decimal("46"))
JAPAN_LON = (Decimal("122"), Decimal("154"))
WEEKDAYS = range(7)
MAX_ROUTE_STOPS = 60
M = TypeVar("M", bound=models.Model)


# --- reading --------------------------------------------------------------------------------------------------

def operating(service: Service, day: date) -> bool:
    """Whether the service runs on `day`: its weekday is one of the service's days and, when the service rests on
    public holidays, `day` is not one."""
    if day.weekday() not in {int(value) for value in service.days}:
        return False
    return not (service.closed_on_holidays and jpholiday.is_holiday(day))


def day_bounds(service: Service, day: date) -> tuple[datetime, datetime]:
    """The moments the service opens and closes (last drop-off) on `day`, aware, in the town's time zone."""
    zone = timezone.get_default_timezone()
    return (timezone.make_aware(datetime.combine(day, service.opens), zone),
            timezone.make_aware(datetime.combine(day, service.closes), zone))


def reachable(a: Stop, b: Stop) -> bool:
    """Whether a ride may go from `a` to `b`: both usable, in the same zone or in zones that connect."""
    if not (a.active and b.active):
        return False
    if a.zone_id == b.zone_id:
        return True
    return Zone.connects.through.objects.filter(from_zone_id=a.zone_id, to_zone_id=b.zone_id).exists()


# --- permissions and audit ------------------------------------------------------------------------------------

def _rules_keeper(staff: Staff) -> Service:
    """The service, when `staff` may change its rules, zones, vehicles and routes (所属長 of the 担当課, 情報担当)."""
    return access.require_operator(staff, Role.APPROVER)


def can_change_rules(staff: Staff | None) -> bool:
    return access.can_operate(staff, Role.APPROVER)


def _audit(action: str, staff: Staff, obj: Any, **data: Any) -> None:
    record(f"transport.{action}", municipality=staff.municipality, actor=staff.user, obj=obj,
           data={key: _plain(value) for key, value in data.items()})


def _plain(value: Any) -> Any:
    """JSON-safe audit data (times, decimals and dates as text)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, time | date | Decimal):
        return str(value)
    return value


def _state(obj: Any, names: Sequence[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in names}


def _days(values: Sequence[int | str], errors: dict[str, str], name: str = "days") -> list[int]:
    try:
        days = sorted({int(value) for value in values})
    except (TypeError, ValueError):
        days = [-1]
    if not days:
        errors[name] = _("運行する曜日を1つ以上選んでください。")
    elif any(day not in WEEKDAYS for day in days):
        errors[name] = _("曜日を選び直してください。")
    return days


def _others(rows: QuerySet[M], obj: M | None) -> QuerySet[M]:
    """`rows` without `obj` (the row being changed); all of them for a new one."""
    return rows if obj is None else rows.exclude(pk=obj.pk)


def _changed(staff: Staff) -> None:
    travel.bump(staff.municipality_id)


# --- the service ----------------------------------------------------------------------------------------------

@dataclass
class ServiceInput:
    """What the service page sends (運行日・時間、予約の決まり、運賃、所要時間の求め方、お知らせ)."""

    name: str
    opens: time
    closes: time
    days: list[int] = field(default_factory=lambda: [0, 1, 2, 3, 4])
    closed_on_holidays: bool = True
    name_en: str = ""
    description: str = ""
    phone: str = ""
    book_days_ahead: int = 7
    book_minutes_before: int = 60
    window_minutes: int = 15
    ride_factor: Decimal = Decimal("1.50")
    ride_extra_minutes: int = 10
    dwell_seconds: int = 60
    fare_yen: int = 300
    reduced_fare_yen: int = 150
    reduced_age: int = 70
    travel_source: str = TravelSource.STRAIGHT
    engine_url: str = ""
    detour_factor: Decimal = Decimal("1.30")
    speed_kmh: int = 25
    solver_seconds: int = 8
    remind_hours: int = 18
    arriving_minutes: int = 5
    active: bool = True
    department: Department | None = None  # only when the service is created (情報担当)


SERVICE_FIELDS = [name for name in ServiceInput.__dataclass_fields__ if name != "department"]
# (field, lowest, highest, message) for the whole numbers of the service.
_SERVICE_RANGES: list[tuple[str, int, int, Any]] = [
    ("book_days_ahead", 0, 60, gettext_lazy("予約できる日数は0〜60日で入力してください。")),
    ("book_minutes_before", 0, 24 * 60, gettext_lazy("予約の締切は乗車の0〜1440分前で入力してください。")),
    ("window_minutes", 5, 60, gettext_lazy("お迎えの時間帯は5〜60分で入力してください。")),
    ("ride_extra_minutes", 0, 120, gettext_lazy("乗車時間の上限に加える分は0〜120分で入力してください。")),
    ("dwell_seconds", 0, 600, gettext_lazy("乗り降りの秒数は0〜600秒で入力してください。")),
    ("fare_yen", 0, 100_000, gettext_lazy("運賃は0〜100,000円で入力してください。")),
    ("reduced_fare_yen", 0, 100_000, gettext_lazy("減免後の運賃は0〜100,000円で入力してください。")),
    ("reduced_age", 0, 120, gettext_lazy("高齢者減免の年齢は0〜120歳で入力してください（0は減免なし）。")),
    ("speed_kmh", 5, 80, gettext_lazy("平均速度は5〜80km/hで入力してください。")),
    ("solver_seconds", 1, 60, gettext_lazy("配車計算の時間上限は1〜60秒で入力してください。")),
    ("remind_hours", 0, 72, gettext_lazy("前日のお知らせは乗車の0〜72時間前で入力してください（0は送らない）。")),
    ("arriving_minutes", 0, 60, gettext_lazy("「まもなく到着」は0〜60分で入力してください（0は送らない）。")),
]


def _check_service(data: ServiceInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = _("運行の名前を入力してください。")
    if data.closes <= data.opens:
        errors["closes"] = _("運行終了は運行開始より後の時刻にしてください。")
    data.days = _days(data.days, errors)
    for name, low, high, message in _SERVICE_RANGES:
        if not low <= int(getattr(data, name)) <= high:
            errors[name] = str(message)
    if "reduced_fare_yen" not in errors and "fare_yen" not in errors and data.reduced_fare_yen > data.fare_yen:
        errors["reduced_fare_yen"] = _("減免後の運賃は通常の運賃以下にしてください。")
    if not Decimal("1.0") <= data.ride_factor <= Decimal("5.0"):
        errors["ride_factor"] = _("乗車時間の上限は直行の1.0〜5.0倍で入力してください。")
    if not Decimal("1.0") <= data.detour_factor <= Decimal("3.0"):
        errors["detour_factor"] = _("迂回率は1.0〜3.0で入力してください。")
    if data.travel_source not in TravelSource.values:
        errors["travel_source"] = _("所要時間の求め方を選び直してください。")
    elif data.travel_source in (TravelSource.OSRM, TravelSource.VALHALLA) and not data.engine_url.strip():
        errors["engine_url"] = _("経路検索エンジンを使うときは、そのURLを入力してください。")
    if data.engine_url.strip() and not data.engine_url.strip().lower().startswith(("http://", "https://")):
        errors["engine_url"] = _("経路検索エンジンのURLは http:// か https:// で始めてください。")
    return errors


@transaction.atomic
def save_service(staff: Staff, service: Service | None, data: ServiceInput) -> Service:
    """Create (情報担当, naming the 担当課) or change the town's service (its 所属長 or 情報担当)."""
    if service is None:
        if not can(staff, Role.ADMIN):
            raise PermissionDenied(_("デマンド交通の運行を新しく設けられるのは情報担当だけです。"))
        if access.service() is not None:
            raise Refused(_("この町にはすでにデマンド交通の運行があります。"))
    else:
        _rules_keeper(staff)
    errors = _check_service(data)
    if service is None and data.department is None:
        errors["department"] = _("担当課を選んでください。")
    if errors:
        raise Refused(errors)
    before = _state(service, SERVICE_FIELDS) if service is not None else None
    if service is None:
        service = Service(municipality=staff.municipality)
    if data.department is not None and can(staff, Role.ADMIN):
        service.department = data.department
    for name in SERVICE_FIELDS:
        value = getattr(data, name)
        setattr(service, name, value.strip() if isinstance(value, str) else value)
    service.save()
    _audit("service.created" if before is None else "service.changed", staff, service, before=before,
           after=_state(service, SERVICE_FIELDS))
    _changed(staff)
    return service


# --- zones ----------------------------------------------------------------------------------------------------

@dataclass
class ZoneInput:
    name: str
    name_en: str = ""
    connects: list[Zone] = field(default_factory=list)
    sort_order: int = 0


@transaction.atomic
def save_zone(staff: Staff, zone: Zone | None, data: ZoneInput) -> Zone:
    """Create or change a 運行区域 and the zones it connects to (both ways)."""
    _rules_keeper(staff)
    name = data.name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("区域の名前を入力してください。")
    elif _others(Zone.objects.filter(name=name), zone).exists():
        errors["name"] = _("同じ名前の区域がすでにあります。別の名前にしてください。")
    if zone is not None and any(other.pk == zone.pk for other in data.connects):
        errors["connects"] = _("区域は自分自身とつなげる必要はありません（同じ区域の中はいつでも行き来できます）。")
    if errors:
        raise Refused(errors)
    before = None if zone is None else {"name": zone.name, "connects": sorted(z.name for z in zone.connects.all())}
    if zone is None:
        zone = Zone(municipality=staff.municipality)
    zone.name, zone.name_en, zone.sort_order = name, data.name_en.strip(), data.sort_order
    zone.save()
    zone.connects.set(data.connects)
    _audit("zone.created" if before is None else "zone.changed", staff, zone, before=before,
           after={"name": zone.name, "connects": sorted(z.name for z in data.connects)})
    _changed(staff)
    return zone


# --- 乗降ポイント ---------------------------------------------------------------------------------------------

@dataclass
class StopInput:
    code: str
    name: str
    zone: Zone | None
    latitude: Decimal | None
    longitude: Decimal | None
    name_en: str = ""
    kana: str = ""
    note: str = ""
    active: bool = True
    sort_order: int = 0


STOP_FIELDS = ["code", "name", "name_en", "kana", "zone_id", "latitude", "longitude", "note", "active", "sort_order"]


def _check_place(data: StopInput, errors: dict[str, str]) -> None:
    if data.latitude is None:
        errors["latitude"] = _("緯度を入力してください（例：36.2123）。")
    elif not -90 <= data.latitude <= 90:
        errors["latitude"] = _("緯度は-90〜90の数で入力してください。")
    elif not JAPAN_LAT[0] <= data.latitude <= JAPAN_LAT[1]:
        errors["latitude"] = _("緯度が日本の範囲（北緯20〜46度）にありません。"
                               "緯度と経度を取り違えていないか確かめてください。")
    if data.longitude is None:
        errors["longitude"] = _("経度を入力してください（例：138.7878）。")
    elif not -180 <= data.longitude <= 180:
        errors["longitude"] = _("経度は-180〜180の数で入力してください。")
    elif not JAPAN_LON[0] <= data.longitude <= JAPAN_LON[1]:
        errors["longitude"] = _("経度が日本の範囲（東経122〜154度）にありません。"
                                "緯度と経度を取り違えていないか確かめてください。")


def _future_rides(stop: Stop) -> int:
    return Ride.objects.filter(Q(pickup=stop) | Q(dropoff=stop), day__gte=timezone.localdate(),
                               status__in=ACTIVE_STATUSES).count()


@transaction.atomic
def save_stop(staff: Staff, stop: Stop | None, data: StopInput) -> Stop:
    """Create or change a 乗降ポイント (any operator of the 担当課). A stop that rides are booked to cannot be made
    unusable until those rides are over; the 車庫 of a vehicle stays usable."""
    access.require_operator(staff)
    code, name = data.code.strip().lower(), data.name.strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = _("コードを入力してください（半角英数字、例：yakuba）。")
    elif not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in code) or len(code) > 20:
        errors["code"] = _("コードは半角英数字と - _ で20文字以内にしてください。")
    elif _others(Stop.objects.filter(code=code), stop).exists():
        errors["code"] = _("このコードはほかの乗降ポイントで使われています。別のコードにしてください。")
    if not name:
        errors["name"] = _("乗降ポイントの名前を入力してください。")
    if data.zone is None:
        errors["zone"] = _("区域を選んでください。")
    _check_place(data, errors)
    if stop is not None and stop.active and not data.active:
        booked = _future_rides(stop)
        if booked:
            errors["active"] = _("この乗降ポイントには今日以降の予約が%(n)d件あります。"
                                 "予約が済むまで利用停止にできません。") % {"n": booked}
        elif Vehicle.objects.filter(home=stop, active=True).exists():
            errors["active"] = _("この乗降ポイントは車両の車庫（発着地）です。先に車両の車庫を変えてください。")
    if errors:
        raise Refused(errors)
    before = _state(stop, STOP_FIELDS) if stop is not None else None
    if stop is None:
        stop = Stop(municipality=staff.municipality)
    assert data.zone is not None and data.latitude is not None and data.longitude is not None
    stop.code, stop.name, stop.name_en, stop.kana = code, name[:60], data.name_en.strip(), data.kana.strip()
    stop.zone, stop.latitude, stop.longitude = data.zone, data.latitude, data.longitude
    stop.note, stop.active, stop.sort_order = data.note.strip(), data.active, data.sort_order
    stop.save()
    _audit("stop.created" if before is None else "stop.changed", staff, stop, before=before,
           after=_state(stop, STOP_FIELDS))
    _changed(staff)
    return stop


def stop_in_use(stop: Stop) -> bool:
    """Whether anything refers to `stop` (rides, riders' home stop, vehicles, fixed routes): then it is kept."""
    return (Ride.objects.filter(Q(pickup=stop) | Q(dropoff=stop)).exists()
            or Rider.objects.filter(home_stop=stop).exists() or Vehicle.objects.filter(home=stop).exists()
            or FixedRouteStop.objects.filter(stop=stop).exists())


@transaction.atomic
def delete_stop(staff: Staff, stop: Stop) -> None:
    """Delete a 乗降ポイント entered by mistake. One that rides, riders, vehicles or routes use is kept for the
    records: it can only be made unusable."""
    access.require_operator(staff)
    if stop_in_use(stop):
        raise Refused(_("「%(name)s」は予約や車両、路線の記録で使われているため削除できません。"
                        "「利用できる」を外して利用停止にしてください。") % {"name": stop.name})
    state = _state(stop, STOP_FIELDS)
    _audit("stop.deleted", staff, stop, before=state)
    TravelTime.objects.filter(Q(origin=stop) | Q(destination=stop)).delete()
    stop.delete()
    _changed(staff)


# --- 車両 -----------------------------------------------------------------------------------------------------

@dataclass
class VehicleInput:
    name: str
    capacity: int
    starts: time
    ends: time
    home: Stop | None
    wheelchair_spaces: int = 0
    days: list[int] = field(default_factory=lambda: [0, 1, 2, 3, 4])
    driver: Staff | None = None
    active: bool = True


VEHICLE_FIELDS = ["name", "capacity", "wheelchair_spaces", "days", "starts", "ends", "home_id", "driver_id",
                  "active"]


def future_planned_rides(vehicle: Vehicle) -> int:
    return Ride.objects.filter(vehicle=vehicle, day__gte=timezone.localdate(), status__in=PLANNED_STATUSES).count()


def _check_vehicle(vehicle: Vehicle | None, data: VehicleInput, name: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("車両の名前を入力してください（例：1号車）。")
    elif _others(Vehicle.objects.filter(name=name), vehicle).exists():
        errors["name"] = _("同じ名前の車両がすでにあります。別の名前にしてください。")
    if not 1 <= data.capacity <= 60:
        errors["capacity"] = _("定員は1〜60人で入力してください。")
    if data.wheelchair_spaces < 0:
        errors["wheelchair_spaces"] = _("車いすスペースは0以上にしてください。")
    elif data.capacity >= 1 and data.wheelchair_spaces > data.capacity:
        errors["wheelchair_spaces"] = _("車いすスペースは定員以下にしてください。")
    if data.ends <= data.starts:
        errors["ends"] = _("運行終了は運行開始より後の時刻にしてください。")
    data.days = _days(data.days, errors)
    if data.home is None:
        errors["home"] = _("車庫（発着地）の乗降ポイントを選んでください。")
    elif not data.home.active:
        errors["home"] = _("利用停止中の乗降ポイントは車庫にできません。")
    if vehicle is not None and vehicle.active and not data.active:
        planned = future_planned_rides(vehicle)
        if planned:
            errors["active"] = _("この車両には今日以降の予約が%(n)d件割り当てられています。"
                                 "先にほかの車両に移すか取り消してから運行をやめてください。") % {"n": planned}
    return errors


@transaction.atomic
def save_vehicle(staff: Staff, vehicle: Vehicle | None, data: VehicleInput) -> Vehicle:
    """Create or change a 車両 (所属長 of the 担当課, 情報担当). A vehicle with rides planned from today on keeps
    running until they are moved: taking it out of service is refused with how many there are."""
    _rules_keeper(staff)
    name = data.name.strip()
    errors = _check_vehicle(vehicle, data, name)
    if errors:
        raise Refused(errors)
    before = _state(vehicle, VEHICLE_FIELDS) if vehicle is not None else None
    if vehicle is None:
        vehicle = Vehicle(municipality=staff.municipality)
    vehicle.name, vehicle.capacity, vehicle.wheelchair_spaces = name[:60], data.capacity, data.wheelchair_spaces
    vehicle.days, vehicle.starts, vehicle.ends = data.days, data.starts, data.ends
    assert data.home is not None
    vehicle.home, vehicle.driver, vehicle.active = data.home, data.driver, data.active
    vehicle.save()
    _audit("vehicle.created" if before is None else "vehicle.changed", staff, vehicle, before=before,
           after=_state(vehicle, VEHICLE_FIELDS))
    return vehicle


# --- 定時路線 -------------------------------------------------------------------------------------------------

@dataclass
class RouteInput:
    name: str
    stops: list[tuple[Stop, int]]  # in order: the stop and its minutes from the first departure
    departures: list[str]
    days: list[int] = field(default_factory=lambda: [0, 1, 2, 3, 4])
    color: str = "1F6FB2"
    fare_yen: int = 200
    name_en: str = ""
    active: bool = True


def _departures(values: Sequence[str], errors: dict[str, str]) -> list[str]:
    times: list[str] = []
    for value in values:
        text = value.strip().replace("：", ":")
        try:
            moment = datetime.strptime(text, "%H:%M").time()
        except ValueError:
            errors["departures"] = _("発車時刻「%(value)s」は「7:30」のように時:分で入力してください。") % {
                "value": text}
            return []
        times.append(moment.strftime("%H:%M"))
    if not times:
        errors["departures"] = _("始発からの発車時刻を1つ以上入力してください。")
    elif len(set(times)) != len(times):
        errors["departures"] = _("同じ発車時刻が2回あります。")
    return sorted(times)


def _check_route_stops(stops: list[tuple[Stop, int]], errors: dict[str, str]) -> None:
    if len(stops) < 2:
        errors["stops"] = _("路線には乗降ポイントを2つ以上、通る順に入れてください。")
    elif len(stops) > MAX_ROUTE_STOPS:
        errors["stops"] = _("路線の乗降ポイントは%(n)d個までです。") % {"n": MAX_ROUTE_STOPS}
    elif stops[0][1] != 0:
        errors["stops"] = _("始発の乗降ポイントの「始発からの分」は0にしてください。")
    elif any(later[1] < earlier[1] for earlier, later in zip(stops, stops[1:], strict=False)):
        errors["stops"] = _("「始発からの分」は通る順に同じか増えていくようにしてください。")
    elif any(not stop.active for stop, _minutes in stops):
        errors["stops"] = _("利用停止中の乗降ポイントは路線に入れられません。")


@transaction.atomic
def save_fixed_route(staff: Staff, route: FixedRoute | None, data: RouteInput) -> FixedRoute:
    """Create or change a 定時路線 with its stops in order (所属長 of the 担当課, 情報担当); published as GTFS-JP."""
    _rules_keeper(staff)
    name = data.name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("路線の名前を入力してください。")
    color = data.color.strip().lstrip("#").upper()
    if len(color) != 6 or any(ch not in "0123456789ABCDEF" for ch in color):
        errors["color"] = _("路線の色は「1F6FB2」のような16進数6桁で入力してください。")
    if not 0 <= data.fare_yen <= 100_000:
        errors["fare_yen"] = _("運賃は0〜100,000円で入力してください。")
    days = _days(data.days, errors)
    departures = _departures(data.departures, errors)
    _check_route_stops(data.stops, errors)
    if errors:
        raise Refused(errors)
    before = None
    if route is not None:
        before = {"name": route.name, "departures": route.departures, "days": route.days,
                  "stops": [[row.stop.code, row.minutes] for row in route.stops.select_related("stop")]}
    if route is None:
        route = FixedRoute(municipality=staff.municipality)
    route.name, route.name_en, route.color, route.fare_yen = name[:60], data.name_en.strip(), color, data.fare_yen
    route.days, route.departures, route.active = days, departures, data.active
    route.save()
    route.stops.all().delete()
    FixedRouteStop.objects.bulk_create([
        FixedRouteStop(municipality=staff.municipality, route=route, stop=stop, seq=seq, minutes=minutes)
        for seq, (stop, minutes) in enumerate(data.stops, start=1)])
    _audit("route.created" if before is None else "route.changed", staff, route, before=before,
           after={"name": route.name, "departures": departures, "days": days,
                  "stops": [[stop.code, minutes] for stop, minutes in data.stops]})
    return route


__all__ = ["JAPAN_LAT", "JAPAN_LON", "RouteInput", "ServiceInput", "StopInput", "VehicleInput", "ZoneInput",
           "can_change_rules", "day_bounds", "delete_stop", "future_planned_rides", "operating", "reachable",
           "save_fixed_route", "save_service", "save_stop", "save_vehicle", "save_zone", "stop_in_use"]
