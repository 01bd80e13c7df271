"""Mail about 定期予約 (services/series.py): one mail with which weeks are booked, which are not and why."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from yakuba.kernel.messaging import consent
from yakuba.kernel.messaging.consent import Purpose
from yakuba.kernel.messaging.mail import send_town_mail
from yakuba.kernel.tenancy.scoping import town_row

from ..models import Reservation, Series


@task(queue_name="mail")
def send_series_confirmation(series_id: int) -> bool:
    """One mail for a 定期予約: which weeks are booked, which are not and why, and every booked week in one .ics."""
    from ..services import ics_events

    with town_row(Series, series_id, "resident__user", "room__facility", "group") as series:
        if series is None:
            return False
        address = consent.to_person(series.resident, Purpose.PERSONAL).address
        if not address:
            return False
        booked = list(series.reservations.select_related("room__facility", "municipality").order_by("starts_at"))
        url = series.municipality.absolute_url(reverse("reservations:series", args=[series.public_id]))
        refused = [entry for entry in series.report if not entry["booked"]]
        return send_town_mail(series.municipality, address, purpose="reservations.series_confirmation",
                              subject="定期予約を受け付けました", template="reservations/mail/series_confirmation.txt",
                              context={"series": series, "booked": booked, "refused": refused, "url": url},
                              attachments=[("reservations.ics", ics_events(booked, url=url), "text/calendar")]
                              if booked else [],
                              about=f"reservations.series:{series.pk}",
                              once=f"reservations.series_confirmation:{series.pk}")


@task(queue_name="mail")
def send_series_cancellation(series_id: int, reservation_ids: list[int]) -> bool:
    from ..services import ics_events

    with town_row(Series, series_id, "resident__user", "room__facility") as series:
        if series is None:
            return False
        address = consent.to_person(series.resident, Purpose.PERSONAL).address
        if not address:
            return False
        cancelled = list(Reservation.objects.filter(pk__in=reservation_ids, series=series)
                         .select_related("room__facility", "municipality").order_by("starts_at"))
        url = series.municipality.absolute_url(reverse("reservations:series", args=[series.public_id]))
        return send_town_mail(series.municipality, address, purpose="reservations.series_cancellation",
                              subject="定期予約を取り消しました", template="reservations/mail/series_cancellation.txt",
                              context={"series": series, "cancelled": cancelled, "url": url},
                              attachments=[("reservations.ics", ics_events(cancelled, url=url), "text/calendar")]
                              if cancelled else [],
                              about=f"reservations.series:{series.pk}")
