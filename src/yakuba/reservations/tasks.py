"""Mail about reservations (confirmation with an .ics, cancellation, the reminder the day before). Only to confirmed
addresses; the notices issue will add LINE and Web Push behind the same tasks."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from django_tasks import task

from .models import Reservation, Status


def _send(reservation: Reservation, *, subject: str, template: str, with_ics: bool) -> bool:
    municipality = reservation.municipality
    address = reservation.resident.verified_email
    if not address:
        return False
    url = municipality.absolute_url(reverse("reservations:detail", args=[reservation.public_id]))
    body = render_to_string(template, {"municipality": municipality, "reservation": reservation, "url": url})
    message = EmailMessage(subject=f"【{municipality.name}】{subject}", body=body, to=[address])
    if with_ics:
        from .services import ics

        message.attach("reservation.ics", ics(reservation, url=url), "text/calendar")
    message.send()
    return True


def _load(reservation_id: int) -> Reservation:
    return Reservation.objects.select_related("resident__user", "room__facility", "appointment_type",
                                              "municipality").get(pk=reservation_id)


@task(queue_name="mail")
def send_confirmation(reservation_id: int) -> bool:
    reservation = Reservation._base_manager.select_related("municipality").get(pk=reservation_id)
    with scope(municipality=reservation.municipality):
        reservation = _load(reservation_id)
        pending = reservation.status == Status.PENDING
        subject = "予約を受け付けました（承認をお待ちください）" if pending else "予約が確定しました"
        return _send(reservation, subject=subject, template="reservations/mail/confirmation.txt", with_ics=True)


@task(queue_name="mail")
def send_cancellation(reservation_id: int) -> bool:
    reservation = Reservation._base_manager.select_related("municipality").get(pk=reservation_id)
    with scope(municipality=reservation.municipality):
        return _send(_load(reservation_id), subject="予約を取り消しました",
                     template="reservations/mail/cancellation.txt", with_ics=True)


@task(queue_name="mail")
def send_reminder(reservation_id: int) -> bool:
    """The day before: sent once (reminded_at), and only if the reservation still stands."""
    reservation = Reservation._base_manager.select_related("municipality").get(pk=reservation_id)
    with scope(municipality=reservation.municipality):
        updated = Reservation.objects.filter(pk=reservation_id, reminded_at__isnull=True,
                                             status__in=(Status.CONFIRMED, Status.PENDING),
                                             starts_at__gt=timezone.now()).update(reminded_at=timezone.now())
        if not updated:
            return False
        return _send(_load(reservation_id), subject="明日のご予約のお知らせ",
                     template="reservations/mail/reminder.txt", with_ics=False)
