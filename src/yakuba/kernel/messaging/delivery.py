"""The delivery pipeline (GOV.UK Notify's shape, on the database task queue).

1. `fan_out`: one row per (broadcast, endpoint), created in bulk; the unique constraint makes a rerun add
   nothing twice. Rows are grouped in batches per channel; one task per batch.
2. `deliver_batch`: claims its batch's ready rows (queued → sending, SKIP LOCKED), sends each through the
   channel's transport with the row's fixed idempotency key, and marks each row sent the moment the
   provider accepted it.
3. `watch`: every lease period, rows left `sending` by a worker that died are put back in the queue (they are
   sent again with the same key, which the provider uses to drop a repeat), overdue rows get a new task, and
   when nothing is left the broadcast is finished.

Failures: `Temporary` → back to the queue with exponential backoff (at most MAX_ATTEMPTS); `Permanent` → the row
fails and the endpoint is paused (bounced address, blocked LINE user, expired push subscription).
Quiet hours defer non-urgent rows to the end of the subscriber's quiet period; urgent broadcasts (防災) ignore
them and run on the urgent queue at the highest priority.
"""

from __future__ import annotations

import os
import socket
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from . import channels, consent
from .channels import Outgoing, Permanent, Temporary
from .models import Broadcast, Delivery, DeliveryStatus, Endpoint, Subscriber
from .ratelimit import Budget
from .registry import source

QUEUE, URGENT_QUEUE = "messaging", "urgent"
URGENT_PRIORITY, NORMAL_PRIORITY = 100, 0
MAX_ATTEMPTS = 10
CHUNK = 2000


def lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "MESSAGING_LEASE_SECONDS", 120)))


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(0, attempts - 1), 3600))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def quiet_until(subscriber_quiet: tuple[time | None, time | None], now: datetime) -> datetime | None:
    """The end of the subscriber's quiet period if `now` (aware) falls inside it, else None."""
    start, end = subscriber_quiet
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(now)
    clock = local.time()
    inside = (start <= clock < end) if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, end), timezone.get_current_timezone())


# ---------------------------------------------------------------- 1. fan-out

def _ready_endpoints(broadcast: Broadcast) -> Iterator[tuple[int, int, str, time | None, time | None]]:
    subscribers = source(broadcast.source).audience(broadcast).filter(unsubscribed_at__isnull=True)
    enabled = [t.channel for t in channels.all_transports() if t.enabled(broadcast.municipality)]
    endpoints = Endpoint.objects.filter(subscriber__in=subscribers.values("pk"), channel__in=enabled)
    rows = (consent.deliverable(endpoints)  # the kernel's mail rule: only proven, unstopped addresses
            .order_by("channel", "pk")
            .values_list("pk", "subscriber_id", "channel", "subscriber__quiet_start", "subscriber__quiet_end"))
    return rows.iterator(chunk_size=CHUNK)


def fan_out(broadcast: Broadcast,
            ready: Callable[[dict[tuple[int, datetime], str]], None] | None = None) -> dict[tuple[int, datetime], str]:
    """Create the deliveries; return the batches to run: {(batch, not_before): channel}. With `ready`, each batch
    is also handed over as soon as its rows are written, so workers start sending while the fan-out goes on."""
    now = timezone.now()
    batches: dict[tuple[int, datetime], str] = {}
    handed: set[tuple[int, datetime]] = set()
    counters: dict[tuple[str, datetime], int] = defaultdict(int)
    numbers: dict[tuple[str, datetime, int], int] = {}
    pending: list[Delivery] = []

    def flush(final: bool) -> None:
        Delivery.objects.bulk_create(pending, ignore_conflicts=True)
        pending.clear()
        if ready is None:
            return
        # The batch each group is still filling is not complete yet (unless this is the end).
        open_batches = set() if final else {numbers[(channel, when, (count - 1) // channels.get(channel).batch_size)]
                                            for (channel, when), count in counters.items()}
        complete = {key: channel for key, channel in batches.items()
                    if key not in handed and key[0] not in open_batches}
        handed.update(complete)
        if complete:
            ready(complete)

    for endpoint_id, subscriber_id, channel, quiet_start, quiet_end in _ready_endpoints(broadcast):
        not_before = now if broadcast.urgent else (quiet_until((quiet_start, quiet_end), now) or now)
        size = channels.get(channel).batch_size
        index = counters[(channel, not_before)]
        counters[(channel, not_before)] += 1
        group = (channel, not_before, index // size)
        if group not in numbers:
            numbers[group] = len(numbers) + 1
        batch = numbers[group]
        batches[(batch, not_before)] = channel
        pending.append(Delivery(municipality_id=broadcast.municipality_id, broadcast=broadcast,
                                subscriber_id=subscriber_id, endpoint_id=endpoint_id, channel=channel, batch=batch,
                                not_before=not_before))
        if len(pending) >= CHUNK:
            flush(final=False)
            if Broadcast.objects.filter(pk=broadcast.pk, cancelled_at__isnull=False).exists():
                break  # cancelled meanwhile: what was written is skipped by cancel_broadcast or by claim()
    flush(final=True)
    Broadcast.objects.filter(pk=broadcast.pk).update(fanned_out_at=now)
    return batches


# ---------------------------------------------------------------- 2. delivery

def claim(broadcast: Broadcast, batch: int) -> list[int]:
    """Take the batch's ready rows for this worker: a row is claimed by exactly one worker."""
    now = timezone.now()
    if Broadcast.objects.filter(pk=broadcast.pk, cancelled_at__isnull=False).exists():
        Delivery.objects.filter(broadcast=broadcast, batch=batch, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SKIPPED, error="cancelled")
        return []
    with transaction.atomic():
        ids = list(Delivery.objects.select_for_update(skip_locked=True)
                   .filter(broadcast=broadcast, batch=batch, status=DeliveryStatus.QUEUED, not_before__lte=now)
                   .values_list("pk", flat=True))
        if ids:
            Delivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.SENDING, claimed_at=now,
                                                       attempts=F("attempts") + 1)
    return ids


def _links(broadcast: Broadcast) -> tuple[str, str, str]:
    """Absolute URL stems for one batch (the town's host is looked up once, not per message)."""
    base = broadcast.municipality.absolute_url("")
    unsubscribe = base + reverse("messaging:unsubscribe", args=["TOKEN"])
    manage = base + reverse(source(broadcast.source).manage_url_name, args=["TOKEN"])
    return base, unsubscribe, manage


def render(broadcast: Broadcast, delivery: Delivery, links: tuple[str, str, str]) -> Outgoing:
    base, unsubscribe, manage = links
    language = delivery.subscriber.language
    content = broadcast.content.get(language) or broadcast.content["ja"]
    endpoint = delivery.endpoint
    assert endpoint is not None
    separator = "&" if "?" in broadcast.url else "?"
    return Outgoing(
        key=str(delivery.key), address=endpoint.address, keys=endpoint.keys, subject=content["subject"],
        body=content["body"], page_url=f"{base}{broadcast.url}{separator}m={delivery.key}",
        unsubscribe_url=unsubscribe.replace("TOKEN", delivery.subscriber.token),
        manage_url=manage.replace("TOKEN", delivery.subscriber.token), urgent=broadcast.urgent, language=language,
    )


def _mark_sent(delivery: Delivery, ref: str) -> None:
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), provider_ref=ref[:200], error="")


def _mark_permanent(delivery: Delivery, error: Exception) -> None:
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, error=str(error)[:500])
        if delivery.endpoint_id is not None:
            Endpoint.objects.filter(pk=delivery.endpoint_id, paused_at__isnull=True).update(
                paused_at=timezone.now(), pause_reason=str(error)[:200])


def _release(ids: Iterable[int], error: Exception) -> datetime | None:
    """Back to the queue after a temporary failure, later each time; failed for good after MAX_ATTEMPTS.
    Returns when the earliest of them may be tried again."""
    now = timezone.now()
    earliest: datetime | None = None
    for delivery in Delivery.objects.filter(pk__in=list(ids), status=DeliveryStatus.SENDING).only("pk", "attempts"):
        if delivery.attempts >= MAX_ATTEMPTS:
            Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, error=str(error)[:500])
            continue
        when = now + backoff(delivery.attempts)
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.QUEUED, error=str(error)[:500],
                                                       not_before=when)
        earliest = when if earliest is None else min(earliest, when)
    return earliest


class Outcome(dict[str, int]):
    """What one batch did: sent, failed, retry counts; `retry_at` when the retried rows are due."""

    retry_at: datetime | None = None


def deliver_batch(broadcast: Broadcast, batch: int) -> Outcome:
    """Send one batch."""
    done = Outcome(sent=0, failed=0, retry=0)
    links = _links(broadcast)  # before claiming: a failure here must not strand claimed rows
    ids = claim(broadcast, batch)
    if not ids:
        return done
    deliveries = list(Delivery.objects.filter(pk__in=ids).select_related("endpoint", "subscriber").order_by("pk"))
    transport = channels.get(deliveries[0].channel)
    budget = Budget(f"{transport.rate_key(broadcast.municipality)}", transport.rate_per_second)
    remaining = list(deliveries)
    try:
        with transport.open(broadcast.municipality) as session:
            while remaining:
                delivery = remaining[0]
                if delivery.endpoint is None or not consent.to_endpoint(delivery.endpoint):
                    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SKIPPED)
                    remaining.pop(0)
                    continue
                budget.take()
                try:
                    ref = transport.send(session, render(broadcast, delivery, links))
                except Permanent as error:
                    _mark_permanent(delivery, error)
                    done["failed"] += 1
                else:
                    _mark_sent(delivery, ref)
                    done["sent"] += 1
                remaining.pop(0)
    except Temporary as error:
        done.retry_at = _release([d.pk for d in remaining], error)
        done["retry"] += len(remaining)
    return done


# ---------------------------------------------------------------- 3. watch

def recover(broadcast: Broadcast) -> tuple[dict[tuple[int, datetime], str], bool]:
    """Requeue rows abandoned by a dead worker; return the batches that need a task now, and whether anything is
    still outstanding.

    A batch needs a new task when its rows were just recovered, when a retry came due (its task may be lost
    with a worker), or when the whole broadcast has stalled for a lease period with rows never tried (their tasks
    died with a worker before claiming). A long queue of waiting batch tasks is not a stall: while anything is
    being sent, untried rows are left to the tasks already queued for them."""
    now = timezone.now()
    stale = now - lease()
    Delivery.objects.filter(broadcast=broadcast, status=DeliveryStatus.SENDING,
                            claimed_at__lt=stale).update(status=DeliveryStatus.QUEUED, not_before=now)
    stalled = not Delivery.objects.filter(broadcast=broadcast).filter(
        Q(sent_at__gte=stale) | Q(claimed_at__gte=stale)).exists() and broadcast.created_at < stale
    due_rows = Q(attempts__gt=0, not_before__lte=now)
    if stalled:
        due_rows |= Q(not_before__lte=stale)
    due: dict[tuple[int, datetime], str] = {}
    for batch, channel in (Delivery.objects.filter(broadcast=broadcast, status=DeliveryStatus.QUEUED)
                           .filter(due_rows).values_list("batch", "channel").distinct()):
        due[(batch, now)] = channel
    outstanding = Delivery.objects.filter(broadcast=broadcast,
                                          status__in=(DeliveryStatus.QUEUED, DeliveryStatus.SENDING)).exists()
    if not outstanding:
        Broadcast.objects.filter(pk=broadcast.pk, finished_at__isnull=True).update(finished_at=now)
    return due, outstanding


def next_retry(broadcast: Broadcast) -> datetime | None:
    """When the earliest row waiting for a retry (or the end of quiet hours) becomes ready."""
    first = (Delivery.objects.filter(broadcast=broadcast, status=DeliveryStatus.QUEUED, not_before__gt=timezone.now())
             .order_by("not_before").values_list("not_before", flat=True).first())
    return first


def counts(broadcast: Broadcast) -> dict[str, Any]:
    """Per status and per channel, and how many pressed 「確認しました」: the staff page's live figures."""
    from django.db.models import Count

    by_status: dict[str, int] = {status.value: 0 for status in DeliveryStatus}
    by_channel: dict[str, dict[str, int]] = {}
    for row in (Delivery.objects.filter(broadcast=broadcast).values("channel", "status")
                .annotate(n=Count("pk")).order_by()):
        by_status[row["status"]] += row["n"]
        by_channel.setdefault(row["channel"], {status.value: 0 for status in DeliveryStatus})[row["status"]] = row["n"]
    confirmed = Delivery.objects.filter(broadcast=broadcast, confirmed_at__isnull=False).values("subscriber").distinct()
    return {"total": sum(by_status.values()), "status": by_status, "channels": by_channel,
            "confirmed": confirmed.count(), "finished": broadcast.finished_at is not None}


def subscribers_of(broadcast: Broadcast) -> Any:
    return Subscriber.objects.filter(deliveries__broadcast=broadcast).distinct()
