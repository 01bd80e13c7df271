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


def _mail_to(address: str, municipality: object, *, subject: str, template: str, context: dict[str, object],
             attachment: bytes | None = None) -> bool:
    name = getattr(municipality, "name", "")
    body = render_to_string(template, {"municipality": municipality, **context})
    message = EmailMessage(subject=f"【{name}】{subject}", body=body, to=[address])
    if attachment is not None:
        message.attach("reservations.ics", attachment, "text/calendar")
    message.send()
    return True


@task(queue_name="mail")
def send_series_confirmation(series_id: int) -> bool:
    """One mail for a 定期予約: which weeks are booked, which are not and why, and every booked week in one .ics."""
    from .models import Series
    from .services import ics_events

    series = Series._base_manager.select_related("municipality").get(pk=series_id)
    with scope(municipality=series.municipality):
        series = Series.objects.select_related("resident__user", "room__facility", "group").get(pk=series_id)
        address = series.resident.verified_email
        if not address:
            return False
        booked = list(series.reservations.select_related("room__facility", "municipality").order_by("starts_at"))
        url = series.municipality.absolute_url(reverse("reservations:series", args=[series.public_id]))
        refused = [entry for entry in series.report if not entry["booked"]]
        return _mail_to(address, series.municipality, subject="定期予約を受け付けました",
                        template="reservations/mail/series_confirmation.txt",
                        context={"series": series, "booked": booked, "refused": refused, "url": url},
                        attachment=ics_events(booked, url=url) if booked else None)


@task(queue_name="mail")
def send_series_cancellation(series_id: int, reservation_ids: list[int]) -> bool:
    from .models import Series
    from .services import ics_events

    series = Series._base_manager.select_related("municipality").get(pk=series_id)
    with scope(municipality=series.municipality):
        series = Series.objects.select_related("resident__user", "room__facility").get(pk=series_id)
        address = series.resident.verified_email
        if not address:
            return False
        cancelled = list(Reservation.objects.filter(pk__in=reservation_ids, series=series)
                         .select_related("room__facility", "municipality").order_by("starts_at"))
        url = series.municipality.absolute_url(reverse("reservations:series", args=[series.public_id]))
        return _mail_to(address, series.municipality, subject="定期予約を取り消しました",
                        template="reservations/mail/series_cancellation.txt",
                        context={"series": series, "cancelled": cancelled, "url": url},
                        attachment=ics_events(cancelled, url=url) if cancelled else None)


@task(queue_name="mail")
def send_group_decision(group_id: int) -> bool:
    """The result of 団体登録の審査, to the representative."""
    from .models import Group, GroupStatus

    group = Group._base_manager.select_related("municipality").get(pk=group_id)
    with scope(municipality=group.municipality):
        group = Group.objects.select_related("representative__user", "category").get(pk=group_id)
        address = group.representative.verified_email
        if not address:
            return False
        approved = group.status == GroupStatus.APPROVED
        url = group.municipality.absolute_url(reverse("reservations:groups"))
        return _mail_to(address, group.municipality,
                        subject="団体登録が完了しました" if approved else "団体登録の審査結果のお知らせ",
                        template="reservations/mail/group_decision.txt",
                        context={"group": group, "approved": approved, "url": url})
