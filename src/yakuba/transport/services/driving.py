"""The drivers' tablet: what a vehicle's route shows for a day (`board`) and the driver's marks on it (`mark`:
乗車 / 降車 / 不在), each recorded once even when two tablets tap at the same moment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused

from ..models import PLANNED_STATUSES, DayPlan, Reduction, Ride, RideStatus, Stop, Vehicle, Visit, VisitKind
from . import access

BOARDED, DROPPED, ABSENT = "boarded", "dropped", "absent"
# Which stop each mark belongs to: 乗車 and 不在 at the pickup, 降車 at the drop-off.
OUTCOME_KIND = {BOARDED: VisitKind.PICKUP, DROPPED: VisitKind.DROPOFF, ABSENT: VisitKind.PICKUP}


def outcome_label(outcome: str) -> str:
    return {BOARDED: _("乗車"), DROPPED: _("降車"), ABSENT: _("不在")}.get(outcome, "")


def route(vehicle: Vehicle, day: date) -> QuerySet[Visit]:
    """The vehicle's stops of the day in the plan's order: those still planned, and those already marked."""
    return (Visit.objects.filter(vehicle=vehicle, day=day)
            .filter(Q(done_at__isnull=False) | Q(ride__status__in=PLANNED_STATUSES))
            .select_related("ride__rider__resident", "ride__pickup", "ride__dropoff", "done_by")
            .order_by("seq", "pk"))


def _already(visit: Visit) -> str:
    at = timezone.localtime(visit.done_at).strftime("%H:%M") if visit.done_at else ""
    if visit.outcome == BOARDED:
        return _("このお客様は既に乗車済みです（%(at)s に記録）。") % {"at": at}
    if visit.outcome == DROPPED:
        return _("このお客様は既に降車済みです（%(at)s に記録）。") % {"at": at}
    return _("このお客様は既に不在として記録されています（%(at)s に記録）。") % {"at": at}


def _check(visit: Visit, outcome: str) -> None:
    if outcome not in OUTCOME_KIND:
        raise Refused(_("記録の種類が正しくありません。乗車・降車・不在のどれかを選んでください。"))
    if OUTCOME_KIND[outcome] != visit.kind:
        raise Refused(_("降車は降りる場所でだけ記録できます。") if outcome == DROPPED
                      else _("乗車と不在は乗る場所でだけ記録できます。"))


def _ride_moves(ride: Ride, outcome: str, now: datetime) -> None:
    """Move the ride's status with the mark; the filter on the status it must have makes a cancelled ride, or a
    drop-off before its pickup, change nothing (and the whole mark is refused)."""
    rides = Ride.objects.filter(pk=ride.pk)
    if outcome == BOARDED:
        moved = rides.filter(status=RideStatus.CONFIRMED).update(status=RideStatus.BOARDED, boarded_at=now)
    elif outcome == ABSENT:
        moved = rides.filter(status=RideStatus.CONFIRMED).update(status=RideStatus.NO_SHOW)
    else:
        moved = rides.filter(status=RideStatus.BOARDED).update(status=RideStatus.DONE, dropped_at=now)
    if moved:
        return
    current = rides.values_list("status", flat=True).first()
    if outcome == DROPPED and current == RideStatus.CONFIRMED:
        raise Refused(_("まだ乗車の記録がありません。先に乗車を記録してください。"))
    if current == RideStatus.CANCELLED:
        raise Refused(_("この予約は取り消されています。"))
    raise Refused(_("この予約の状況（%(status)s）では記録できません。")
                  % {"status": RideStatus(current).label if current else "-"})


def _record_cash(ride: Ride, staff: Staff) -> None:
    """The fare paid in cash at boarding, when services.fares offers it (helper `notify` writes it)."""
    try:
        from . import fares  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return
    record_cash = getattr(fares, "record_cash", None)
    if record_cash is not None:
        record_cash(ride, staff)


def mark(staff: Staff, visit: Visit, outcome: str, *, now: datetime | None = None) -> Visit:
    """The driver marks a stop: 乗車 ("boarded") or 不在 ("absent") at a pickup, 降車 ("dropped") at a drop-off.

    A stop is marked once: the update only takes an unmarked row, so a double tap or a second tablet is refused
    with when it was marked, even when both arrive at the same moment. A no-show skips its drop-off too."""
    access.require_driver(staff, visit.vehicle)
    _check(visit, outcome)
    now = now or timezone.now()
    with transaction.atomic():
        taken = Visit.objects.filter(pk=visit.pk, done_at__isnull=True).update(
            done_at=now, outcome=outcome, done_by=staff)
        if not taken:
            raise Refused(_already(Visit.objects.get(pk=visit.pk)))
        _ride_moves(visit.ride, outcome, now)
        if outcome == ABSENT:
            Visit.objects.filter(ride_id=visit.ride_id, kind=VisitKind.DROPOFF, done_at__isnull=True).update(
                done_at=now, outcome=ABSENT, done_by=staff)
        visit.refresh_from_db()
        ride = Ride.objects.select_related("rider__resident").get(pk=visit.ride_id)
        visit.ride = ride
        if outcome == BOARDED:
            _record_cash(ride, staff)
        record(f"transport.visit.{outcome}", municipality=visit.municipality, actor=staff.user, obj=ride,
               data={"visit": visit.pk, "vehicle": visit.vehicle_id, "day": visit.day.isoformat(),
                     "kind": visit.kind})
        _tell_next_arriving(visit.vehicle, visit.day, now)
    return visit


def _tell_next_arriving(vehicle: Vehicle, day: date, now: datetime) -> None:
    """「まもなく到着」 to the next pickup of the route, after commit, when it is next in line or due within the
    service's minutes. The task sets Ride.arriving_told_at and never tells twice; a told ride is skipped here."""
    from .. import tasks

    service = access.service()
    minutes = service.arriving_minutes if service is not None else 5
    waiting = list(route(vehicle, day).filter(done_at__isnull=True)[:50])
    pickup = next((v for v in waiting if v.kind == VisitKind.PICKUP), None)
    if pickup is None or pickup.ride.arriving_told_at is not None or pickup.ride.status != RideStatus.CONFIRMED:
        return
    next_in_line = waiting[0].pk == pickup.pk
    if next_in_line or (pickup.eta - now).total_seconds() <= minutes * 60:
        ride_id = pickup.ride_id
        transaction.on_commit(lambda: tasks.tell_arriving.enqueue(ride_id))


@dataclass
class BoardStop:
    """One stop of the tablet's route."""

    visit: Visit
    stop: Stop
    kind: str
    eta: datetime
    name: str
    passengers: int
    wheelchair: bool
    needs: list[str]
    fare_yen: int
    reduction: str
    number: str
    done: bool
    outcome: str
    is_next: bool = False

    @property
    def is_pickup(self) -> bool:
        return self.kind == VisitKind.PICKUP

    @property
    def kind_label(self) -> str:
        return str(VisitKind(self.kind).label)

    @property
    def outcome_label(self) -> str:
        return outcome_label(self.outcome)

    @property
    def map_url(self) -> str:
        """The stop on the 地理院地図 (any map app opens it from the tablet)."""
        return (f"https://maps.gsi.go.jp/#17/{self.stop.latitude}/{self.stop.longitude}/"
                f"&base=std&ls=std&disp=1&vs=c1g1j0h0k0l0u0t0z0r0s0m0f1")


@dataclass
class Board:
    """What the driver's tablet shows for a vehicle and a day: the stops in order and which one is next."""

    vehicle: Vehicle
    day: date
    version: int
    stops: list[BoardStop] = field(default_factory=list)

    @property
    def next(self) -> BoardStop | None:
        return next((s for s in self.stops if s.is_next), None)

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.stops if s.done)

    @property
    def ride_ids(self) -> list[int]:
        return sorted({s.visit.ride_id for s in self.stops})


def plan_version(day: date) -> int:
    """The day's plan version (0 before any plan): the tablets reload the route when it grows."""
    return DayPlan.objects.filter(day=day).values_list("version", flat=True).first() or 0


def _stop(visit: Visit) -> BoardStop:
    ride = visit.ride
    rider = ride.rider
    pickup = visit.kind == VisitKind.PICKUP
    needs = [text for text in (rider.needs, ride.note) if text]
    unpaid = pickup and ride.paid_cash_at is None and visit.done_at is None
    return BoardStop(
        visit=visit, stop=ride.pickup if pickup else ride.dropoff, kind=visit.kind, eta=visit.eta,
        name=_("%(family)sさん") % {"family": rider.resident.family_name or str(rider.resident)},
        passengers=ride.passengers, wheelchair=bool(ride.wheelchairs) or rider.wheelchair, needs=needs,
        fare_yen=ride.fare_yen if unpaid else 0,
        reduction=str(Reduction(ride.reduction).label) if ride.reduction else "",
        number=ride.number, done=visit.done_at is not None, outcome=visit.outcome)


def board(vehicle: Vehicle, day: date) -> Board:
    """The tablet's route: every stop with its name, ETA, the passenger (family name + さん), how many, wheelchair,
    what the driver should know, the fare to collect and its 減免; the first unmarked stop is next."""
    result = Board(vehicle=vehicle, day=day, version=plan_version(day),
                   stops=[_stop(visit) for visit in route(vehicle, day)])
    first = next((s for s in result.stops if not s.done), None)
    if first is not None:
        first.is_next = True
    return result


def vehicles_for(staff: Staff) -> QuerySet[Vehicle]:
    """The vehicles a staff member may drive: their own, or every active one for an operator."""
    vehicles = Vehicle.objects.filter(active=True).select_related("driver")
    return vehicles if access.can_operate(staff) else vehicles.filter(driver=staff)


def audit_route_read(staff: Staff, shown: Board, **extra: Any) -> None:
    """A driver or operator was shown riders' names and needs on the tablet."""
    record("transport.route.viewed", municipality=shown.vehicle.municipality, actor=staff.user, obj=shown.vehicle,
           data={"day": shown.day.isoformat(), "rides": shown.ride_ids, **extra})
