"""使用料 of a room booking paid through the kernel's payments: the payable kind, asking for the fee when a resident
books online, and releasing the booking when its payment expires unpaid."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel import payments
from yakuba.kernel.tenancy.scoping import town_row

from .models import Reservation, Room

KIND = "reservations.reservation"


def _fee_types() -> tuple[int, int]:
    rooms = Room.objects.filter(fee_per_hour__gt=0, facility__is_published=True).count()
    return rooms, rooms  # every room with a fee can be paid online when the town takes payments


payments.register(payments.PayableKind(
    KIND, gettext_lazy("施設使用料"), revenue_code="13-01-05",
    revenue_label=gettext_lazy("教育使用料（公民館・体育館）"),
    staff_url=lambda key: reverse("staff:reservations-detail", args=[int(key)]) if key.isdigit() else "",
    fee_types=_fee_types))


def ask_for_fee(reservation: Reservation) -> None:
    """A resident booked a room with a fee online: the fee is due, and the booking is held until it expires."""
    if reservation.fee <= 0 or not payments.enabled(reservation.municipality):
        return
    when = timezone.localtime(reservation.starts_at)
    payments.request_payment(payments.Due(
        reservation.municipality, KIND, str(reservation.pk), amount=reservation.fee,
        description=f"{reservation.target} {when:%Y-%m-%d %H:%M}"[:200], reference=f"R{reservation.pk:06d}",
        return_path=reverse("reservations:detail", args=[reservation.public_id]), resident=reservation.resident,
        lines=((_("施設使用料"), reservation.fee),) if reservation.fee == reservation.full_fee else (
            (_("施設使用料"), reservation.full_fee), (_("減免"), reservation.fee - reservation.full_fee))))


def summary(reservation: Reservation) -> payments.Summary | None:
    return payments.summary(reservation.municipality, KIND, str(reservation.pk))


def on_payment_changed(sender: str, *, kind: str, key: str, status: str, **kwargs: Any) -> None:
    """An unpaid booking's payment expired: the time is freed and the resident told."""
    if kind != KIND or status != payments.EXPIRED:
        return
    from . import services

    with town_row(Reservation, int(key)) as reservation:
        if reservation is None or not reservation.is_active:
            return
        with transaction.atomic():
            services.release_unpaid(reservation)


# Not by sender: a signal matches senders by identity, and the kind arrives as a string read from the database.
payments.payment_changed.connect(on_payment_changed, dispatch_uid="reservations.payment_changed")
