"""運賃と減免: what a ride costs, and the fare taken in the vehicle (through the payments system when the town has it,
recorded on the ride otherwise).

The 減免 is the registered rider's: the rider pays the reduced fare when aged `service.reduced_age` or more on the
day of the ride (counted from Resident.birthdate, reaching the age on the birthday itself) or when staff confirmed a
障害者手帳 (Rider.disability_certified). Companions booked on the same ride (passengers beyond the rider) pay the full
fare: their age and 手帳 are not known to the town. A town whose 要綱 reduces the companion of a disabled rider (介助者)
too changes `companion_fare` here."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel import payments
from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused

from ..models import Reduction, Ride, Rider, RideStatus, Service

KIND = "transport.ride"  # the payable kind (payments.py registers it)


def age_on(birthdate: date, day: date) -> int:
    """Full years on `day`; a 29 February birthday counts from 1 March in other years."""
    return day.year - birthdate.year - ((day.month, day.day) < (birthdate.month, birthdate.day))


def reduction_for(service: Service, rider: Rider, day: date) -> str:
    """The rider's 減免 on `day`: 障害者手帳 first (staff confirmed it), then age; "" when none."""
    if rider.disability_certified:
        return Reduction.DISABILITY.value
    birthdate = rider.resident.birthdate
    if service.reduced_age and birthdate is not None and age_on(birthdate, day) >= service.reduced_age:
        return Reduction.ELDERLY.value
    return Reduction.NONE.value


def companion_fare(service: Service, rider: Rider) -> int:
    return service.fare_yen


def _service(rider: Rider) -> Service:
    service = Service.objects.filter(municipality_id=rider.municipality_id).first()
    if service is None:
        raise Refused(_("この町ではデマンド交通を運行していません。"))
    return service


def lines_for(rider: Rider, passengers: int, day: date, *, service: Service | None = None) -> list[tuple[str, int]]:
    """The fare's 内訳: the rider's fare (with its 減免) and the companions'."""
    service = service or _service(rider)
    reduction = reduction_for(service, rider, day)
    own = service.reduced_fare_yen if reduction else service.fare_yen
    label = (_("運賃（本人・%(reduction)s減免）") % {"reduction": Reduction(reduction).label} if reduction
             else _("運賃（本人）"))
    lines = [(label, own)]
    if passengers > 1:
        lines.append((_("運賃（同乗者%(n)d人）") % {"n": passengers - 1},
                      companion_fare(service, rider) * (passengers - 1)))
    return lines


def fare_for(rider: Rider, passengers: int, day: date, *, service: Service | None = None) -> tuple[int, str]:
    """The ride's fare in yen and the rider's 減免 (a Reduction value, "" for none)."""
    service = service or _service(rider)
    yen = sum(amount for _label, amount in lines_for(rider, max(1, passengers), day, service=service))
    return yen, reduction_for(service, rider, day)


def _return_path(ride: Ride) -> str:
    for name, args in (("transport:ride", [ride.uuid]), ("transport:rides", [])):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return "/"


def due_of(ride: Ride) -> payments.Due:
    """The ride's fare as a payment due (kind "transport.ride"), its 内訳 when it still adds up."""
    lines = lines_for(ride.rider, ride.passengers, ride.day)
    if sum(amount for _label, amount in lines) != ride.fare_yen:  # the town changed its fares since the booking
        lines = [(_("運賃"), ride.fare_yen)]
    return payments.Due(ride.municipality, KIND, str(ride.pk), amount=ride.fare_yen,
                        description=f"{ride.pickup.name}→{ride.dropoff.name} {ride.day:%Y-%m-%d}"[:200],
                        reference=ride.number, return_path=_return_path(ride), resident=ride.rider.resident,
                        expires=False, lines=tuple(lines))


def record_cash(ride: Ride, staff: Staff) -> Ride:
    """The driver took the fare in cash at boarding. With the town's payments system it is a counter payment (with
    its 領収書 and in the 収納 report); either way Ride.paid_cash_at records when it was taken. Taking it again
    (a double tap, a retried request) charges nothing more."""
    with transaction.atomic():
        current = (Ride.objects.select_for_update().select_related("rider__resident", "pickup", "dropoff")
                   .get(pk=ride.pk))
        if current.paid_cash_at is not None or current.fare_yen <= 0:
            return current
        if current.status not in (RideStatus.CONFIRMED, RideStatus.BOARDED, RideStatus.DONE):
            raise Refused(_("この予約の運賃は受け取れません（%(status)s）。")
                          % {"status": current.get_status_display()})
        if payments.enabled(current.municipality):
            paid = payments.summary(current.municipality, KIND, str(current.pk))
            if paid is None or not paid.paid:
                payments.take_at_counter(staff, due_of(current), method="cash", received=current.fare_yen)
        current.paid_cash_at = timezone.now()
        current.save(update_fields=["paid_cash_at"])
        record("transport.ride.fare_paid", municipality=current.municipality, actor=staff.user, obj=current,
               data={"yen": current.fare_yen, "reduction": current.reduction,
                     "payments": payments.enabled(current.municipality)})
    ride.paid_cash_at = current.paid_cash_at
    return current
