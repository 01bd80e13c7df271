"""Mail of 施設予約・来庁予約, sent by the worker after commit; one module per module of `services/`: here the
reservation itself (confirmation with an .ics, cancellation, the reminder the day before), in `series` the 定期予約,
`groups` 団体登録, `courses` 講座, `lottery` 抽選. Only to confirmed addresses."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from yakuba.kernel.messaging import consent
from yakuba.kernel.messaging.consent import Purpose
from yakuba.kernel.messaging.mail import send_town_mail
from yakuba.kernel.tenancy.scoping import town_row

from ..models import Reservation, Status

RELATED = ("resident__user", "room__facility", "appointment_type")


def _send(reservation: Reservation, *, purpose: str, once: str, subject: str, template: str, with_ics: bool) -> bool:
    municipality = reservation.municipality
    address = consent.to_person(reservation.resident, Purpose.PERSONAL).address
    if not address:
        return False
    url = municipality.absolute_url(reverse("reservations:detail", args=[reservation.public_id]))
    attachments = []
    if with_ics:
        from ..services import ics

        attachments.append(("reservation.ics", ics(reservation, url=url), "text/calendar"))
    return send_town_mail(municipality, address, purpose=purpose, subject=subject, template=template,
                          context={"reservation": reservation, "url": url}, attachments=attachments,
                          about=f"reservations.reservation:{reservation.pk}", once=once)


@task(queue_name="mail")
def send_confirmation(reservation_id: int) -> bool:
    with town_row(Reservation, reservation_id, *RELATED) as reservation:
        if reservation is None:
            return False
        pending = reservation.status == Status.PENDING
        subject = "予約を受け付けました（承認をお待ちください）" if pending else "予約が確定しました"
        # Told once per status: 受付 (pending approval), then 確定 when staff approve.
        return _send(reservation, purpose="reservations.confirmation", subject=subject,
                     once=f"reservations.confirmation:{reservation.pk}:{reservation.status}",
                     template="reservations/mail/confirmation.txt", with_ics=True)


@task(queue_name="mail")
def send_cancellation(reservation_id: int) -> bool:
    with town_row(Reservation, reservation_id, *RELATED) as reservation:
        if reservation is None:
            return False
        return _send(reservation, purpose="reservations.cancellation", subject="予約を取り消しました",
                     once=f"reservations.cancellation:{reservation.pk}",
                     template="reservations/mail/cancellation.txt", with_ics=True)


@task(queue_name="mail")
def send_released_unpaid(reservation_id: int) -> bool:
    """The booking's 使用料 was not paid by its deadline, so its time was freed."""
    with town_row(Reservation, reservation_id, *RELATED) as reservation:
        if reservation is None:
            return False
        return _send(reservation, purpose="reservations.cancellation",
                     subject="お支払いがなかったため予約を取り消しました",
                     once=f"reservations.released_unpaid:{reservation.pk}",
                     template="reservations/mail/released_unpaid.txt", with_ics=True)


@task(queue_name="mail")
def send_reminder(reservation_id: int) -> bool:
    """The day before: sent once (reminded_at), and only if the reservation still stands."""
    with town_row(Reservation, reservation_id) as found:
        if found is None:
            return False
        updated = Reservation.objects.filter(pk=reservation_id, reminded_at__isnull=True,
                                             status__in=(Status.CONFIRMED, Status.PENDING),
                                             starts_at__gt=timezone.now()).update(reminded_at=timezone.now())
        if not updated:
            return False
        reservation = Reservation.objects.select_related("municipality", *RELATED).get(pk=reservation_id)
        return _send(reservation, purpose="reservations.reminder", subject="明日のご予約のお知らせ",
                     once=f"reservations.reminder:{reservation.pk}",
                     template="reservations/mail/reminder.txt", with_ics=False)
