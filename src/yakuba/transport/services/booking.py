"""Riders and their rides: 利用登録, checking a wish against the service's rules, booking it into the day's plan (or
refusing it with the nearest times that fit, or queueing it for a person when the solver runs out of time), and
cancelling. The web, LINE and the operators' phone page all book here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from yakuba.kernel import payments
from yakuba.kernel.accounts.models import Resident, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.numbering.services import take
from yakuba.kernel.refusal import NON_FIELD, Refused

from ..models import ACTIVE_STATUSES, Channel, RefusalReason, Ride, Rider, RideStatus, Service, Stop, Vehicle
from . import access, dispatch, fares, setup, travel


@dataclass(frozen=True)
class Wish:
    """What a rider asks for: from, to, the day, and either the earliest pickup (`at`) or, with `arrive_by`, the
    latest arrival; `arrive_before` adds a latest arrival to a pickup time."""

    pickup: Stop
    dropoff: Stop
    day: date
    at: time
    arrive_by: bool = False
    passengers: int = 1
    wheelchairs: int = 0
    note: str = ""
    arrive_before: time | None = None


@dataclass
class Outcome:
    """What came of a booking: the ride (CONFIRMED, REFUSED or QUEUED) and, when refused, the nearest pickup times
    that would fit."""

    ride: Ride
    alternatives: list[datetime] = field(default_factory=list)

    @property
    def confirmed(self) -> bool:
        return self.ride.status == RideStatus.CONFIRMED


# --- riders -------------------------------------------------------------------------------------------------------
def rider_for(resident: Resident) -> Rider | None:
    return Rider.objects.filter(resident=resident).select_related("resident", "home_stop").first()


def register_rider(resident: Resident, *, staff: Staff | None = None, wheelchair: bool = False, needs: str = "",
                   home_stop: Stop | None = None, disability_certified: bool = False) -> Rider:
    """利用登録 (or its update). Only staff may confirm a 障害者手帳: a resident registering online cannot set it."""
    if disability_certified and staff is None:
        raise Refused({"disability_certified": _("障害者手帳の確認は窓口で職員が行います。")})
    if staff is not None:
        access.require_operator(staff)
    with transaction.atomic():
        rider, created = Rider.objects.get_or_create(
            municipality=resident.municipality, resident=resident,
            defaults={"wheelchair": wheelchair, "needs": needs, "home_stop": home_stop,
                      "disability_certified": disability_certified, "registered_by": staff})
        if not created:
            rider.wheelchair, rider.needs, rider.home_stop = wheelchair, needs, home_stop
            if staff is not None:
                rider.disability_certified = disability_certified
            rider.save()
        record("transport.rider.registered" if created else "transport.rider.updated",
               municipality=resident.municipality, actor=staff.user if staff else resident.user, obj=rider)
    return rider


def usual_stops(rider: Rider, limit: int = 6) -> list[Stop]:
    """The rider's stops, most used first (home stop at the head): what the operator's form offers first."""
    used: dict[int, int] = {}
    for column in ("pickup", "dropoff"):
        for row in (Ride.objects.filter(rider=rider).exclude(status=RideStatus.REFUSED)
                    .values(column).annotate(n=Count("pk"), last=Max("created_at"))):
            used[row[column]] = used.get(row[column], 0) + row["n"]
    order = sorted(used, key=lambda pk: -used[pk])
    if rider.home_stop_id and rider.home_stop_id in order:
        order.remove(rider.home_stop_id)
    if rider.home_stop_id:
        order.insert(0, rider.home_stop_id)
    stops = {s.pk: s for s in Stop.objects.filter(pk__in=order, active=True)}
    return [stops[pk] for pk in order if pk in stops][:limit]


# --- checking a wish ----------------------------------------------------------------------------------------------
def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def _hm(moment: datetime | time) -> str:
    return formats.time_format(moment, "G:i")


def _check_place(wish: Wish, errors: dict[str, str]) -> None:
    if wish.pickup.pk == wish.dropoff.pk:
        errors["dropoff"] = _("乗る場所と降りる場所が同じです。別の場所を選んでください。")
    elif not (wish.pickup.active and wish.dropoff.active):
        errors["pickup" if not wish.pickup.active else "dropoff"] = _("この乗降ポイントは現在使えません。")
    elif not setup.reachable(wish.pickup, wish.dropoff):
        errors["dropoff"] = _("%(a)s（%(za)s）から%(b)s（%(zb)s）へは運行区域の外のため行けません。") % {
            "a": wish.pickup.name, "za": wish.pickup.zone.name, "b": wish.dropoff.name, "zb": wish.dropoff.zone.name}


def _check_people(wish: Wish, errors: dict[str, str]) -> None:
    vehicles = list(Vehicle.objects.filter(active=True).values_list("capacity", "wheelchair_spaces"))
    seats = max((c for c, _w in vehicles), default=0)
    spaces = max((w for _c, w in vehicles), default=0)
    if wish.passengers < 1:
        errors["passengers"] = _("人数は1人以上にしてください。")
    elif wish.passengers > seats:
        errors["passengers"] = _("1台に乗れるのは%(n)d人までです。%(n)d人以下に分けてご予約ください。") % {"n": seats}
    if wish.wheelchairs > wish.passengers:
        errors["wheelchairs"] = _("車いすの方の人数が、乗る人数より多くなっています。")
    elif wish.wheelchairs > spaces:
        errors["wheelchairs"] = (_("車いすのまま乗れる車両がありません。予約センターにご相談ください。") if not spaces
                                 else _("車いすのまま乗れるのは1台に%(n)d人までです。") % {"n": spaces})


def _check_time(service: Service, wish: Wish, direct: int, now: datetime, errors: dict[str, str]) -> None:
    today = timezone.localtime(now).date()
    if wish.day < today:
        errors["day"] = _("過ぎた日は予約できません。")
        return
    if wish.day > today + timedelta(days=service.book_days_ahead):
        errors["day"] = _("予約できるのは%(n)d日先までです。") % {"n": service.book_days_ahead}
        return
    if not setup.operating(service, wish.day):
        errors["day"] = _("この日は運行していません。")
        return
    opens, closes = _at(wish.day, service.opens), _at(wish.day, service.closes)
    at = _at(wish.day, wish.at)
    pickup = at - timedelta(seconds=direct) if wish.arrive_by else at
    arrival = at if wish.arrive_by else at + timedelta(seconds=direct)
    if pickup < opens or arrival > closes:
        errors["at"] = _("運行時間（%(opens)s〜%(closes)s）の中で乗り降りできる時刻を選んでください。") % {
            "opens": _hm(service.opens), "closes": _hm(service.closes)}
    elif pickup < now + timedelta(minutes=service.book_minutes_before):
        errors["at"] = _("お迎えの%(n)d分前までにご予約ください。これより早い時刻は予約センターにお電話ください。") % {
            "n": service.book_minutes_before}
    if wish.arrive_before is not None and not wish.arrive_by:
        if _at(wish.day, wish.arrive_before) < at + timedelta(seconds=direct):
            errors["arrive_before"] = _("到着の時刻が、お迎えの時刻より前か近すぎます（直行で%(m)d分かかります）。") % {
                "m": max(1, round(direct / 60))}


def check(rider: Rider, wish: Wish, *, now: datetime | None = None) -> int:
    """Refuse a wish that breaks a rule (each reason on its field); returns the direct trip's seconds."""
    service = access.service()
    if service is None or not service.active:
        raise Refused(_("現在、デマンド交通の予約を受け付けていません。"))
    errors: dict[str, str] = {}
    _check_place(wish, errors)
    _check_people(wish, errors)
    direct = 0 if "dropoff" in errors or "pickup" in errors else travel.direct_seconds(service, wish.pickup,
                                                                                      wish.dropoff)
    _check_time(service, wish, direct, now or timezone.now(), errors)
    if errors:
        raise Refused(errors)
    clash = (Ride.objects.filter(rider=rider, day=wish.day, status__in=ACTIVE_STATUSES)
             .filter(Q(window_start__lte=_at(wish.day, wish.at) + timedelta(minutes=service.window_minutes)),
                     Q(window_end__gte=_at(wish.day, wish.at) - timedelta(minutes=service.window_minutes))).first())
    if clash is not None:
        raise Refused({NON_FIELD: _("同じ時間帯に別のご予約（番号 %(number)s）があります。")
                       % {"number": clash.number}})
    return direct


def _window(service: Service, wish: Wish, direct: int) -> tuple[datetime, datetime, datetime | None]:
    at = _at(wish.day, wish.at)
    width = timedelta(minutes=service.window_minutes)
    if wish.arrive_by:
        # Leave early enough to arrive by `at` even at the longest ride the service allows.
        latest_pickup = at - timedelta(seconds=dispatch.max_ride(service, direct))
        latest_pickup = max(latest_pickup, at - timedelta(seconds=direct) - width)
        latest_pickup = max(latest_pickup, _at(wish.day, service.opens))
        return latest_pickup - width, latest_pickup, at
    arrival = _at(wish.day, wish.arrive_before) if wish.arrive_before else None
    return at, at + width, arrival


# --- booking ------------------------------------------------------------------------------------------------------
def book(rider: Rider, wish: Wish, *, channel: str = Channel.WEB, staff: Staff | None = None,
         now: datetime | None = None) -> Outcome:
    """Book a ride: checked (Refused for bad input, nothing saved), then placed into the day's plan under the day's
    lock. A ride that does not fit is kept as REFUSED with the nearest times that would (the 現状分析 counts it); one
    the solver could not place in time is kept as QUEUED for an operator, and the plan stays as it was."""
    service = access.service()
    if staff is not None:
        access.require_operator(staff)
    direct = check(rider, wish, now=now)
    assert service is not None  # check() refuses without one
    start, end, arrival = _window(service, wish, direct)
    yen, reduction = fares.fare_for(rider, wish.passengers, wish.day)
    with transaction.atomic():
        dispatch.lock_day(wish.day)
        ride = Ride.objects.create(
            municipality=rider.municipality, number=_number(rider, wish.day), rider=rider, day=wish.day,
            pickup=wish.pickup, dropoff=wish.dropoff, passengers=wish.passengers, wheelchairs=wish.wheelchairs,
            arrive_by=wish.arrive_by, requested_at=_at(wish.day, wish.at), window_start=start, window_end=end,
            latest_arrival=arrival, direct_seconds=direct, status=RideStatus.QUEUED, channel=channel,
            fare_yen=yen, reduction=reduction, note=wish.note[:200], booked_by=staff)
        result, _plan = dispatch.place(service, ride)
        alternatives: list[datetime] = []
        if result == dispatch.PLACED:
            ride.refresh_from_db()
            ride.status = RideStatus.CONFIRMED
            ride.save(update_fields=["status"])
        elif result == dispatch.FULL:
            alternatives = dispatch.alternatives(service, ride)
            ride.status, ride.refusal = RideStatus.REFUSED, RefusalReason.FULL
            ride.save(update_fields=["status", "refusal"])
        record(f"transport.ride.{ride.status}", municipality=rider.municipality,
               actor=staff.user if staff else rider.resident.user, obj=ride,
               data={"channel": channel, "alternatives": [a.isoformat() for a in alternatives]})
        _tell(ride)
    return Outcome(ride=ride, alternatives=alternatives)


def _number(rider: Rider, day: date) -> str:
    return f"{day.year}-{take(rider.municipality, 'transport.ride', day.year):05d}"


def _tell(ride: Ride) -> None:
    from .. import tasks

    task = {RideStatus.CONFIRMED: tasks.send_confirmation, RideStatus.REFUSED: tasks.send_refusal,
            RideStatus.CANCELLED: tasks.send_cancellation}.get(RideStatus(ride.status))
    if task is not None:
        ride_id = ride.pk
        transaction.on_commit(lambda: task.enqueue(ride_id))


def place_queued(ride: Ride, *, staff: Staff) -> Outcome:
    """An operator retries a ride the solver could not place in time."""
    service = access.require_operator(staff)
    with transaction.atomic():
        dispatch.lock_day(ride.day)
        ride = Ride.objects.select_for_update().get(pk=ride.pk)
        if ride.status != RideStatus.QUEUED:
            raise Refused(_("この予約はすでに処理されています（%(status)s）。") % {"status": ride.get_status_display()})
        result, _plan = dispatch.place(service, ride)
        alternatives: list[datetime] = []
        if result == dispatch.PLACED:
            ride.refresh_from_db()
            ride.status = RideStatus.CONFIRMED
        elif result == dispatch.FULL:
            alternatives = dispatch.alternatives(service, ride)
            ride.status, ride.refusal = RideStatus.REFUSED, RefusalReason.FULL
        else:
            raise Refused(_("配車の計算が時間内に終わりませんでした。少し待ってからもう一度お試しください。"))
        ride.save(update_fields=["status", "refusal"])
        record(f"transport.ride.{ride.status}", municipality=ride.municipality, actor=staff.user, obj=ride)
        _tell(ride)
    return Outcome(ride=ride, alternatives=alternatives)


def cancel(ride: Ride, *, staff: Staff | None = None, resident: Resident | None = None, reason: str = "",
           now: datetime | None = None) -> Ride:
    """取消し by the rider (until their pickup window opens) or an operator (until boarding). Its stops leave the
    plan, whose version grows so the drivers see it; a paid fare is settled by the payments system."""
    now = now or timezone.now()
    if staff is not None:
        access.require_operator(staff)
    elif resident is None or ride.rider.resident_id != resident.pk:
        raise Refused(_("この予約を取り消すことはできません。"))
    with transaction.atomic():
        dispatch.lock_day(ride.day)
        ride = Ride.objects.select_for_update().get(pk=ride.pk)
        if ride.status not in (RideStatus.CONFIRMED, RideStatus.QUEUED):
            raise Refused(_("この予約は取り消せません（%(status)s）。") % {"status": ride.get_status_display()})
        if staff is None and now >= ride.window_start:
            raise Refused(_("お迎えの時間になったため、ここでは取り消せません。予約センターにお電話ください。"))
        vehicle_id = ride.vehicle_id
        ride.visits.filter(done_at__isnull=True).delete()
        ride.status, ride.cancelled_at = RideStatus.CANCELLED, now
        ride.save(update_fields=["status", "cancelled_at"])
        dispatch.bump(ride.day, None, {vehicle_id} if vehicle_id else set())
        payments.settle_on_cancel(ride.municipality, fares.KIND, str(ride.pk), reason=reason or "取消し",
                                  by_staff=staff)
        record("transport.ride.cancelled", municipality=ride.municipality,
               actor=staff.user if staff else ride.rider.resident.user, obj=ride, data={"reason": reason[:200]})
        _tell(ride)
    return ride


def upcoming(rider: Rider, *, now: datetime | None = None) -> list[Ride]:
    """The rider's rides from today on that are not over, soonest first."""
    today = timezone.localtime(now or timezone.now()).date()
    return list(Ride.objects.filter(rider=rider, day__gte=today, status__in=ACTIVE_STATUSES)
                .select_related("pickup", "dropoff", "vehicle").order_by("day", "window_start"))


def queued_count() -> int:
    """Rides from today on that the solver could not place in time: an operator must decide."""
    return Ride.objects.filter(status=RideStatus.QUEUED, day__gte=timezone.localdate()).count()


def queued() -> list[Ride]:
    return list(Ride.objects.filter(status=RideStatus.QUEUED, day__gte=timezone.localdate())
                .select_related("rider__resident", "pickup", "dropoff").order_by("day", "window_start"))


def riders_of(residents: list[Resident]) -> list[Rider]:
    return list(Rider.objects.filter(resident__in=residents))
