"""A personal message to one resident over LINE (a booking confirmed, a car arriving), for any app: sent through the
same broadcast and delivery pipeline as notices (a delivery row, retried with one key, a blocked user paused), to the
LINE account the resident linked, and at most once per `once`. Mail goes through `mail.send_town_mail` instead."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from yakuba.kernel.accounts.models import Resident

from . import services
from .channels.line import line_channel
from .models import Broadcast, Channel, Endpoint, Subscriber
from .registry import Source, register_source

SOURCE = "messaging.resident"  # source_id: the resident's id


def _audience(broadcast: Broadcast) -> QuerySet[Subscriber]:
    return Subscriber.objects.filter(resident_id=broadcast.source_id)


# LINE only: a resident told on LINE is not told the same again by the notices' mail address or browsers.
register_source(Source(SOURCE, _audience, manage_url_name="messaging:unsubscribe", channels=(Channel.LINE.value,)))


def line_endpoint(resident: Resident) -> Endpoint | None:
    """The LINE account the resident linked, when the town has LINE and the account can be sent to (not blocked,
    not unsubscribed); else None."""
    if line_channel(resident.municipality) is None:
        return None
    return (Endpoint.objects.filter(municipality=resident.municipality, subscriber__resident=resident,
                                    subscriber__unsubscribed_at__isnull=True, channel=Channel.LINE,
                                    confirmed_at__isnull=False, paused_at__isnull=True)
            .select_related("subscriber").first())


def push_to_resident(resident: Resident, *, subject: str, body: str, url: str, once: str,
                     english: tuple[str, str] | None = None) -> Broadcast | None:
    """Tell `resident` on their linked LINE, at most once per `once` (a retried task sends nothing more). `url` is
    the page of the matter (a path within the town); `english` is (subject, body) for a subscriber who reads English.
    None when the resident has no LINE to send to, or was told this before."""
    endpoint = line_endpoint(resident)
    if endpoint is None:
        return None
    municipality = resident.municipality
    content = {"ja": {"subject": subject, "body": body, "once": once}}
    if english is not None:
        content["en"] = {"subject": english[0], "body": english[1], "once": once}
    with transaction.atomic():
        Subscriber.objects.select_for_update().filter(pk=endpoint.subscriber_id).get()
        if Broadcast.objects.filter(municipality=municipality, source=SOURCE, source_id=resident.pk,
                                    content__ja__once=once).exists():
            return None
        return services.start_broadcast(municipality=municipality, source=SOURCE, source_id=resident.pk,
                                        content=content, url=url, urgent=False, ask_ack=False)
