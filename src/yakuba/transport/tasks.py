"""Telling riders of デマンド交通, by the worker after commit (services/notify.py says how): the confirmation, the
cancellation, the refusal (no room), the reminder before the day's ride and 「まもなく到着します」. Each is told once
per ride, so a retried task tells nothing twice."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from yakuba.kernel.tenancy.scoping import town_row

from .models import Channel, Ride, RideStatus
from .services import notify

RELATED = ("rider__resident__user", "pickup", "dropoff", "vehicle")


@task(queue_name="mail")
def send_confirmation(ride_id: int) -> str:
    """予約番号, day, pickup window, from/to, passengers, fare and how to cancel. A ride booked in the LINE chat was
    answered there, so it is not pushed on LINE again."""
    with town_row(Ride, ride_id, *RELATED) as ride:
        if ride is None or ride.status != RideStatus.CONFIRMED:
            return ""
        return notify.tell(ride, "confirmation", line=ride.channel != Channel.LINE)


@task(queue_name="mail")
def send_cancellation(ride_id: int) -> str:
    with town_row(Ride, ride_id, *RELATED) as ride:
        if ride is None or ride.status != RideStatus.CANCELLED:
            return ""
        return notify.tell(ride, "cancellation")


@task(queue_name="mail")
def send_refusal(ride_id: int) -> str:
    """No room at that time: with the service's phone. The LINE chat offered the alternatives itself."""
    with town_row(Ride, ride_id, *RELATED) as ride:
        if ride is None or ride.status != RideStatus.REFUSED:
            return ""
        return notify.tell(ride, "refusal", line=ride.channel != Channel.LINE)


@task(queue_name="mail")
def send_reminder(ride_id: int) -> str:
    """Before the ride (service.remind_hours): once (reminded_at), and only while the ride stands."""
    with town_row(Ride, ride_id) as found:
        if found is None:
            return ""
        with transaction.atomic():
            updated = Ride.objects.filter(pk=ride_id, reminded_at__isnull=True, status=RideStatus.CONFIRMED,
                                          window_start__gt=timezone.now()).update(reminded_at=timezone.now())
            if not updated:
                return ""
            ride = Ride.objects.select_related("municipality", *RELATED).get(pk=ride_id)
            return notify.tell(ride, "reminder")


@task(queue_name="mail")
def tell_arriving(ride_id: int) -> str:
    """「まもなく到着します」 with the vehicle's name: once (arriving_told_at), only before boarding."""
    with town_row(Ride, ride_id) as found:
        if found is None:
            return ""
        with transaction.atomic():
            updated = Ride.objects.filter(pk=ride_id, arriving_told_at__isnull=True,
                                          status=RideStatus.CONFIRMED).update(arriving_told_at=timezone.now())
            if not updated:
                return ""
            ride = Ride.objects.select_related("municipality", *RELATED).get(pk=ride_id)
            return notify.tell(ride, "arriving")


@task(queue_name="urgent")
def line_book(municipality_id: int, user_id: str, reply_token: str, data: str) -> bool:
    """The LINE chat's 「予約する」: book (the solver may take seconds) and reply in the chat; when the reply token
    has expired meanwhile (a minute), the answer is pushed to the resident instead."""
    from django_scopes import scope

    from yakuba.kernel.messaging import line_events, residents
    from yakuba.kernel.messaging.channels.line import line_channel
    from yakuba.kernel.tenancy.models import Municipality

    from .services import line

    municipality = Municipality.objects.filter(pk=municipality_id).first()
    channel = line_channel(municipality) if municipality is not None else None
    if municipality is None or channel is None:
        return False
    with scope(municipality=municipality):
        incoming = line_events.Incoming(municipality, channel, user_id, reply_token, data=data)
        messages = line.postback(incoming, in_worker=True) or []
        if line_events.reply(channel, reply_token, messages):
            return True
        resident = incoming.resident
        if resident is None or not messages:
            return False
        text = "\n".join(str(getattr(m, "text", "")) for m in messages)
        return residents.push_to_resident(resident, subject="デマンド交通のご予約", body=text, url="/",
                                          once=f"transport.line_book:{data[-40:]}") is not None
