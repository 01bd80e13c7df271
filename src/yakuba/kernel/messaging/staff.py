"""Web Push to staff: a staff member subscribes the browsers they work on (the 「通知の設定」 staff page), and any
app tells them of work waiting (決裁待ち, a reminder …) with `push_to_staff`, through the same broadcast and delivery
pipeline as residents' messages (one delivery per browser, retried, a gone subscription paused)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.audit.services import record

from . import services
from .models import Broadcast, Channel, Endpoint, Subscriber
from .registry import Source, register_source

SOURCE = "messaging.staff"  # source_id: the staff member's id


def _audience(broadcast: Broadcast) -> QuerySet[Subscriber]:
    return Subscriber.objects.filter(staff_id=broadcast.source_id)


# The unsubscribe page (by the subscriber's token) is the one page a staff subscriber's messages may link to besides
# the work itself: Web Push messages carry no such link, but every source names one.
register_source(Source(SOURCE, _audience, manage_url_name="messaging:unsubscribe"))


def subscriber_for_staff(staff: Staff) -> Subscriber:
    subscriber, _created = Subscriber.objects.get_or_create(municipality=staff.municipality, staff=staff)
    return subscriber


def subscribe_browser(staff: Staff, address: str, keys: dict[str, Any]) -> Endpoint:
    """This browser (a checked PushSubscription) now receives `staff`'s work notifications."""
    with transaction.atomic():
        endpoint = services.add_confirmed(subscriber_for_staff(staff), Channel.WEBPUSH.value, address, keys)
        record("messaging.staff_push.subscribed", municipality=staff.municipality, actor=staff.user, obj=endpoint)
    return endpoint


def browsers(staff: Staff) -> QuerySet[Endpoint]:
    """The browsers that receive `staff`'s notifications now."""
    return Endpoint.objects.filter(subscriber__staff=staff, channel=Channel.WEBPUSH, confirmed_at__isnull=False,
                                   paused_at__isnull=True)


def stop_all(staff: Staff) -> int:
    """No more notifications on any of `staff`'s browsers; returns how many were stopped."""
    with transaction.atomic():
        stopped = 0
        for endpoint in browsers(staff):
            services.pause(endpoint, "stopped by the staff member")
            stopped += 1
        record("messaging.staff_push.stopped", municipality=staff.municipality, actor=staff.user,
               data={"browsers": stopped})
    return stopped


def push_to_staff(staff: Staff, *, subject: str, body: str, url: str, once: str) -> Broadcast | None:
    """Tell `staff` on their subscribed browsers, at most once per `once` (a retried task sends nothing more). `url`
    is the page of the work (a path within the town). Nothing when no browser of theirs is subscribed."""
    if not staff.is_active or not browsers(staff).exists():
        return None
    with transaction.atomic():
        Subscriber.objects.select_for_update().filter(pk=subscriber_for_staff(staff).pk).get()
        if Broadcast.objects.filter(municipality=staff.municipality, source=SOURCE, source_id=staff.pk,
                                    content__ja__once=once).exists():
            return None
        return services.start_broadcast(municipality=staff.municipality, source=SOURCE, source_id=staff.pk,
                                        content={"ja": {"subject": subject, "body": body, "once": once}},
                                        url=url, urgent=False, ask_ack=False)
