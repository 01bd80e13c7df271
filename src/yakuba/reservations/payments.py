"""Fees of 予約 paid through the kernel's payments: a room booking's 使用料 and a class enrolment's 受講料. Each is a
payable kind, asked for when a resident books or enrols online (or is moved up from the waiting list), and the
booking or seat is released when its payment expires unpaid."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel import payments
from yakuba.kernel.tenancy.scoping import town_row

from .models import Course, Enrolment, EnrolmentStatus, Reservation, Room

KIND = "reservations.reservation"
ENROLMENT = "reservations.enrolment"


def _room_fee_types() -> tuple[int, int]:
    rooms = Room.objects.filter(fee_per_hour__gt=0, facility__is_published=True).count()
    return rooms, rooms  # every room with a fee can be paid online when the town takes payments


def _course_fee_types() -> tuple[int, int]:
    courses = Course.objects.filter(fee__gt=0, is_published=True).count()
    return courses, courses  # as rooms: every published course with a fee is payable online


def _enrolment_staff_url(key: str) -> str:
    """The session's roster (名簿), where staff see the enrolment; '' when it is gone."""
    if not key.isdigit():
        return ""
    session = Enrolment.objects.filter(pk=int(key)).values_list("session_id", flat=True).first()
    return reverse("staff:reservations-session", args=[session]) if session is not None else ""


payments.register(payments.PayableKind(
    KIND, gettext_lazy("施設使用料"), revenue_code="13-01-05",
    revenue_label=gettext_lazy("教育使用料（公民館・体育館）"),
    staff_url=lambda key: reverse("staff:reservations-detail", args=[int(key)]) if key.isdigit() else "",
    fee_types=_room_fee_types))
# 講座受講料 are 社会教育 fees charged under the 公民館条例 alongside the rooms' 使用料, so they go to the next 目 of
# the same 項 (使用料及び手数料 / 使用料 / 教育使用料); a town with another 科目 sets it on the payment's kind here.
payments.register(payments.PayableKind(
    ENROLMENT, gettext_lazy("講座受講料"), revenue_code="13-01-06",
    revenue_label=gettext_lazy("教育使用料（社会教育講座受講料）"), staff_url=_enrolment_staff_url,
    fee_types=_course_fee_types))


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


def ask_for_enrolment_fee(enrolment: Enrolment) -> None:
    """A resident took a seat online (enrolled, or moved up from the waiting list) in a course with a 受講料: it is
    due, and the seat is held until the payment expires."""
    course = enrolment.session.course
    if (enrolment.status != EnrolmentStatus.ENROLLED or course.fee <= 0
            or not payments.enabled(enrolment.municipality)):
        return
    when = timezone.localtime(enrolment.session.starts_at)
    payments.request_payment(payments.Due(
        enrolment.municipality, ENROLMENT, str(enrolment.pk), amount=course.fee,
        description=f"{course.title} {when:%Y-%m-%d %H:%M}"[:200], reference=f"K{enrolment.pk:06d}",
        return_path=reverse("reservations:enrolment", args=[enrolment.public_id]), resident=enrolment.resident,
        lines=((_("講座受講料"), course.fee),)))


def summary(reservation: Reservation) -> payments.Summary | None:
    return payments.summary(reservation.municipality, KIND, str(reservation.pk))


def enrolment_summary(enrolment: Enrolment) -> payments.Summary | None:
    return payments.summary(enrolment.municipality, ENROLMENT, str(enrolment.pk))


def _release_reservation(reservation: Reservation) -> None:
    from . import services

    if reservation.is_active:
        services.release_unpaid(reservation)


def _release_enrolment(enrolment: Enrolment) -> None:
    from .services import courses

    # A course made free since the seat was taken keeps the seat: nothing is owed any more.
    if enrolment.session.course.fee > 0:
        courses.release_unpaid(enrolment)


# What an expired payment releases, per kind: the item's model and the service that frees it and tells the resident.
_RELEASES: dict[str, tuple[type[models.Model], Callable[[Any], None]]] = {
    KIND: (Reservation, _release_reservation),
    ENROLMENT: (Enrolment, _release_enrolment),
}


def on_payment_changed(sender: str, *, kind: str, key: str, status: str, **kwargs: Any) -> None:
    """An unpaid booking's or seat's payment expired: the time or seat is freed and the resident told."""
    release = _RELEASES.get(kind)
    if release is None or status != payments.EXPIRED or not key.isdigit():
        return
    model, free = release
    with town_row(model, int(key)) as item:
        if item is None:
            return
        with transaction.atomic():
            free(item)


# Not by sender: a signal matches senders by identity, and the kind arrives as a string read from the database.
payments.payment_changed.connect(on_payment_changed, dispatch_uid="reservations.payment_changed")
