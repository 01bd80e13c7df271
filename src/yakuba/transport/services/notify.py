"""Telling riders (予約の確定・取消し・お断り, 前日のお知らせ, 「まもなく到着します」): by LINE when the rider linked
their LINE account, else by mail when the kernel's mail rule allows it. Each fact is told once (`once` keys), so a
retried task never tells twice. `due_reminders` and `due_arrivals` find what is due; `yakuba transport_notify`
(cron, every minute or few) runs them for every town."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from yakuba.kernel.messaging import consent, residents
from yakuba.kernel.messaging.consent import Purpose
from yakuba.kernel.messaging.mail import send_town_mail

from ..models import Channel, Ride, RideStatus, Service

LINE, MAIL = "line", "mail"


@dataclass(frozen=True)
class Message:
    kind: str  # confirmation, cancellation, refusal, reminder, arriving
    subject: str
    template: str


MESSAGES = {
    "confirmation": Message("confirmation", "デマンド交通のご予約を承りました", "transport/mail/confirmation.txt"),
    "cancellation": Message("cancellation", "デマンド交通のご予約を取り消しました", "transport/mail/cancellation.txt"),
    "refusal": Message("refusal", "デマンド交通のご予約をお受けできませんでした", "transport/mail/refusal.txt"),
    "reminder": Message("reminder", "デマンド交通のご予約のお知らせ", "transport/mail/reminder.txt"),
    "arriving": Message("arriving", "まもなく到着します", "transport/mail/arriving.txt"),
}


def ride_path(ride: Ride) -> str:
    """The rider's page of the ride (a path within the town), or the service's page."""
    for name, args in (("transport:ride", [ride.uuid]), ("transport:rides", []), ("transport:index", [])):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return "/"


def context(ride: Ride, service: Service | None) -> dict[str, object]:
    start, end = timezone.localtime(ride.window_start), timezone.localtime(ride.window_end)
    return {"ride": ride, "service": service, "resident": ride.rider.resident,
            "window": f"{start:%H:%M}〜{end:%H:%M}", "url": ride.municipality.absolute_url(ride_path(ride)),
            "by_line": ride.channel == Channel.LINE}


def tell(ride: Ride, kind: str, *, line: bool = True) -> str:
    """Tell the rider `kind` about `ride` once: LINE ("line") when they linked it (and `line`), else mail ("mail")
    when the address is proven; "" when neither can reach them."""
    message = MESSAGES[kind]
    service = Service.objects.filter(municipality_id=ride.municipality_id).first()
    resident = ride.rider.resident
    once = f"transport.{kind}:{ride.pk}"
    values = context(ride, service)
    if line and residents.line_endpoint(resident) is not None:
        body = render_to_string(message.template, {"municipality": ride.municipality, "line": True, **values})
        residents.push_to_resident(resident, subject=message.subject, body=body.strip(), url=ride_path(ride),
                                   once=once)
        return LINE
    address = consent.to_person(resident, Purpose.PERSONAL)
    if not address:
        return ""
    send_town_mail(ride.municipality, address.address, purpose=f"transport.{kind}", subject=message.subject,
                   template=message.template, context=values, about=f"transport.ride:{ride.pk}", once=once)
    return MAIL


def due_reminders(now: datetime | None = None) -> int:
    """Queue the 前日のお知らせ of the town's confirmed rides whose pickup is within `remind_hours` (in the current
    scope). Rides booked inside that time are not reminded: their confirmation is fresh. Returns how many."""
    from .. import tasks

    now = now or timezone.now()
    service = Service.objects.first()
    if service is None:
        return 0
    ahead = timedelta(hours=service.remind_hours)
    ids = list(Ride.objects.filter(status=RideStatus.CONFIRMED, reminded_at__isnull=True, window_start__gt=now,
                                   window_start__lte=now + ahead, created_at__lte=F("window_start") - ahead)
               .values_list("pk", flat=True))
    for pk in ids:
        tasks.send_reminder.enqueue(pk)
    return len(ids)


def due_arrivals(now: datetime | None = None) -> int:
    """Queue 「まもなく到着します」 for confirmed rides whose planned pickup is within `arriving_minutes` (a pickup
    planned more than a quarter of an hour ago is not announced any more). Returns how many."""
    from .. import tasks

    now = now or timezone.now()
    service = Service.objects.first()
    if service is None:
        return 0
    ids = list(Ride.objects.filter(status=RideStatus.CONFIRMED, arriving_told_at__isnull=True,
                                   day=timezone.localtime(now).date(),
                                   planned_pickup__lte=now + timedelta(minutes=service.arriving_minutes),
                                   planned_pickup__gte=now - timedelta(minutes=15))
               .values_list("pk", flat=True))
    for pk in ids:
        tasks.tell_arriving.enqueue(pk)
    return len(ids)
