"""The delivery pipeline (GOV.UK Notify's shape, on the database task queue).

1. `fan_out`: one row per (broadcast, endpoint), created in bulk; the unique constraint makes a rerun add
   nothing twice. Rows are grouped in batches per channel; one task per batch.
2. `deliver_batch`: claims its batch's ready rows (queued → sending, SKIP LOCKED), sends each through one session
   of the channel's transport (one SMTP connection per batch, reopened if dropped; a LINE connection pool with a
   few pushes in flight) with the row's fixed idempotency key, and marks
   rows sent in small groups (`SentMarks`: one UPDATE for up to MARK_EVERY rows), each only after the provider
   accepted it. A broadcast that asks nobody to answer (`ask_ack` off) goes over LINE as multicast requests of up
   to 500 users; each request's key (`request_key`) is written on its rows before it is first sent and kept on
   every retry, and a request is only ever sent again to the same rows or fewer, so the provider drops a repeat.
3. `watch`: every lease period, rows left `sending` by a worker that died are put back in the queue (they are
   sent again with the same key, which the provider uses to drop a repeat: at most the rows sent since the
   dying worker's last mark, as before, when that was at most one), overdue rows get a new task, and
   when nothing is left the broadcast is finished.

Failures: `Temporary` → back to the queue with exponential backoff (at most MAX_ATTEMPTS); `Permanent` → the row
fails and the endpoint is paused (bounced address, blocked LINE user, expired push subscription).
Quiet hours defer non-urgent rows to the end of the subscriber's quiet period; urgent broadcasts (防災) ignore
them and every task of theirs (fan-out, batches, watch) runs on the urgent queue at the highest priority, so
workers started with `yakuba worker --queue-name urgent` serve 防災 alerts only and are never busy with anything else.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, time, timedelta
from time import monotonic
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, CharField, F, Q, Value, When
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
MARK_EVERY, MARK_SECONDS = 50, 0.5  # rows marked sent in one UPDATE, at most so many or so long after the first


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
    origin = source(broadcast.source)
    subscribers = origin.audience(broadcast).filter(unsubscribed_at__isnull=True)
    enabled = [t.channel for t in channels.all_transports() if t.enabled(broadcast.municipality)
               and (not origin.channels or t.channel in origin.channels)]
    endpoints = Endpoint.objects.filter(subscriber__in=subscribers.values("pk"), channel__in=enabled)
    rows = (consent.deliverable(endpoints)  # the kernel's mail rule: only proven, unstopped addresses
            .order_by("channel", "pk")
            .values_list("pk", "subscriber_id", "channel", "subscriber__quiet_start", "subscriber__quiet_end"))
    return rows.iterator(chunk_size=CHUNK)


def reaches_many(broadcast: Broadcast, channel: str) -> bool:
    """Whether a batch of `channel` goes out as requests to many people at once (LINE multicast: the broadcast asks
    nobody to answer, so everyone gets the same text)."""
    return bool(channels.get(channel).multicast_size) and not broadcast.ask_ack if channel else False


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


def render_shared(broadcast: Broadcast, language: str, key: str, links: tuple[str, str, str]) -> Outgoing:
    """One text for many recipients (a multicast): the notice page without anyone's key, no personal links."""
    base = links[0]
    content = broadcast.content.get(language) or broadcast.content["ja"]
    return Outgoing(key=key, address="", keys={}, subject=content["subject"], body=content["body"],
                    page_url=f"{base}{broadcast.url}", unsubscribe_url="", manage_url="", urgent=broadcast.urgent,
                    language=language)


class SentMarks:
    """Rows the provider accepted, marked sent a handful at a time: one UPDATE for up to MARK_EVERY rows (or what
    MARK_SECONDS gathered), instead of one committed UPDATE per message.

    A row is added only after the provider accepted it, so nothing is ever marked sent before it went. A worker
    that dies before the next flush leaves those rows `sending`, exactly as a death between a send and its mark
    always did: `recover` puts them back after the lease and they go again with their unchanged key."""

    def __init__(self) -> None:
        self.refs: dict[int, str] = {}
        self.since = 0.0

    def add(self, pk: int, ref: str) -> None:
        if not self.refs:
            self.since = monotonic()
        self.refs[pk] = ref[:200]
        if len(self.refs) >= MARK_EVERY or monotonic() - self.since >= MARK_SECONDS:
            self.flush()

    def flush(self) -> None:
        if not self.refs:
            return
        distinct = set(self.refs.values())
        ref: Any = (Value(distinct.pop()) if len(distinct) == 1 else
                    Case(*[When(pk=pk, then=Value(value)) for pk, value in self.refs.items()],
                         output_field=CharField()))
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Not waiting for the disk: a mark lost with the database server is a mark lost with the worker,
                # which recovery already covers (the rows are sent again with their key).
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            Delivery.objects.filter(pk__in=list(self.refs), status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.SENT, sent_at=timezone.now(), provider_ref=ref, error="")
        self.refs.clear()


def _mark_permanent(delivery: Delivery, error: Exception) -> None:
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, error=str(error)[:500])
        if delivery.endpoint_id is not None:
            Endpoint.objects.filter(pk=delivery.endpoint_id, paused_at__isnull=True).update(
                paused_at=timezone.now(), pause_reason=str(error)[:200])


def _release(ids: Iterable[int], error: Exception) -> datetime | None:
    """Back to the queue after a temporary failure, later each time; failed for good after MAX_ATTEMPTS.
    Returns when the earliest of them may be tried again. One transaction, so rows sent in one request (a
    multicast) stay together."""
    now = timezone.now()
    message = str(error)[:500]
    by_attempts: dict[int, list[int]] = defaultdict(list)
    for pk, attempts in Delivery.objects.filter(pk__in=list(ids), status=DeliveryStatus.SENDING).values_list(
            "pk", "attempts"):
        by_attempts[attempts].append(pk)
    earliest: datetime | None = None
    with transaction.atomic():
        for attempts, pks in by_attempts.items():
            if attempts >= MAX_ATTEMPTS:
                Delivery.objects.filter(pk__in=pks).update(status=DeliveryStatus.FAILED, error=message)
                continue
            when = now + backoff(attempts)
            Delivery.objects.filter(pk__in=pks).update(status=DeliveryStatus.QUEUED, error=message, not_before=when)
            earliest = when if earliest is None else min(earliest, when)
    return earliest


class Outcome(dict[str, int]):
    """What one batch did: sent, failed, retry counts; `retry_at` when the retried rows are due."""

    retry_at: datetime | None = None


def _multicast_groups(broadcast: Broadcast, rows: list[Delivery], size: int) -> tuple[list[list[Delivery]],
                                                                                    list[int]]:
    """The requests to send: rows already given a request key go again together with it; the others get a new key
    per language and per `size` rows, written before anything is sent. Returns the groups, and the rows to put
    back because part of their group was claimed by another worker at the same moment (sending a part with the
    group's key could make the provider drop the other part as a repeat)."""
    groups: dict[uuid.UUID, list[Delivery]] = defaultdict(list)
    fresh: dict[str, list[Delivery]] = defaultdict(list)
    for row in rows:
        if row.request_key is not None:
            groups[row.request_key].append(row)
        else:
            fresh[row.subscriber.language].append(row)
    ours = [row.pk for row in rows]
    split: set[uuid.UUID | None] = set(Delivery.objects.filter(broadcast=broadcast, request_key__in=list(groups),
                                        status__in=(DeliveryStatus.QUEUED, DeliveryStatus.SENDING))
                .exclude(pk__in=ours).values_list("request_key", flat=True)) if groups else set()
    back = [row.pk for key in split if key is not None for row in groups.pop(key)]
    for items in fresh.values():
        for start in range(0, len(items), size):
            chunk, key = items[start:start + size], uuid.uuid4()
            Delivery.objects.filter(pk__in=[row.pk for row in chunk]).update(request_key=key)
            for row in chunk:
                row.request_key = key
            groups[key] = chunk
    return list(groups.values()), back


def _put_back(ids: list[int]) -> datetime:
    when = timezone.now() + timedelta(seconds=5)
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING).update(status=DeliveryStatus.QUEUED,
                                                                            not_before=when)
    return when


def _send(transport: channels.Transport, session: Any, broadcast: Broadcast, unit: list[Delivery],
          links: tuple[str, str, str], *, many: bool) -> str:
    if not many:
        return transport.send(session, render(broadcast, unit[0], links))
    first = unit[0]
    outgoing = render_shared(broadcast, first.subscriber.language, str(first.request_key), links)
    return transport.send_many(session, outgoing, [row.endpoint.address for row in unit if row.endpoint])


def _skip_inactive(rows: list[Delivery]) -> list[Delivery]:
    """The rows whose endpoint may still be used (the kernel's mail rule, checked again at send time); the others
    (paused, unconfirmed, deleted) are skipped."""
    active = [row for row in rows if row.endpoint is not None and consent.to_endpoint(row.endpoint)]
    if len(active) < len(rows):
        Delivery.objects.filter(pk__in={row.pk for row in rows} - {row.pk for row in active}).update(
            status=DeliveryStatus.SKIPPED)
    return active


def deliver_batch(broadcast: Broadcast, batch: int) -> Outcome:
    """Send one batch over one session of its channel (one SMTP connection, one HTTP connection pool): one
    message per row, or, for a broadcast that asks nobody to answer on a channel that can, one request for
    many rows."""
    done = Outcome(sent=0, failed=0, retry=0)
    links = _links(broadcast)  # before claiming: a failure here must not strand claimed rows
    ids = claim(broadcast, batch)
    if not ids:
        return done
    deliveries = list(Delivery.objects.filter(pk__in=ids).select_related("endpoint", "subscriber").order_by("pk"))
    transport = channels.get(deliveries[0].channel)
    active = _skip_inactive(deliveries)
    many = bool(transport.multicast_size) and not broadcast.ask_ack
    if many:
        remaining, back = _multicast_groups(broadcast, active, transport.multicast_size)
        if back:
            done.retry_at = _put_back(back)
            done["retry"] += len(back)
        budget = Budget(f"{transport.rate_key(broadcast.municipality)}:many", transport.multicast_rate_per_second)
    else:
        remaining = [[row] for row in active]
        budget = Budget(f"{transport.rate_key(broadcast.municipality)}", transport.rate_per_second, chunk=50)
    marks = SentMarks()
    try:
        with transport.open(broadcast.municipality) as session, _pool(transport.concurrency) as pool:
            while remaining:
                window = remaining[:max(1, transport.concurrency)]
                for _unit in window:
                    budget.take()
                results = _send_window(pool, transport, session, broadcast, window, links, many=many)
                del remaining[:len(window)]
                again = _settle(window, results, marks, done)
                if again:
                    remaining[:0] = [unit for unit, _error in again]
                    raise again[0][1]
    except Temporary as error:
        rest = [row.pk for unit in remaining for row in unit]
        retry_at = _release(rest, error)
        if retry_at is not None:
            done.retry_at = retry_at if done.retry_at is None else min(done.retry_at, retry_at)
        done["retry"] += len(rest)
    finally:
        marks.flush()
    return done


def _pool(size: int) -> AbstractContextManager[ThreadPoolExecutor | None]:
    return ThreadPoolExecutor(max_workers=size) if size > 1 else nullcontext(None)


def _send_window(pool: ThreadPoolExecutor | None, transport: channels.Transport, session: Any, broadcast: Broadcast,
                 window: list[list[Delivery]], links: tuple[str, str, str], *, many: bool) -> list[str | Exception]:
    """Send a few units at once (the transport's `concurrency`, sharing its session: threads only talk to the
    provider, never to the database); each result is the provider's reference or the Permanent/Temporary raised."""
    def one(unit: list[Delivery]) -> str | Exception:
        try:
            return _send(transport, session, broadcast, unit, links, many=many)
        except (Permanent, Temporary) as error:
            return error

    if pool is None:
        return [one(unit) for unit in window]
    return list(pool.map(one, window))


def _settle(window: list[list[Delivery]], results: list[str | Exception], marks: SentMarks,
            done: Outcome) -> list[tuple[list[Delivery], Temporary]]:
    """Record what the provider said for each unit; return the units to try again later."""
    again: list[tuple[list[Delivery], Temporary]] = []
    for unit, result in zip(window, results, strict=True):
        if isinstance(result, Temporary):
            again.append((unit, result))
        elif isinstance(result, Exception):
            for row in unit:
                _mark_permanent(row, result)
            done["failed"] += len(unit)
        else:
            for row in unit:
                marks.add(row.pk, result)
            done["sent"] += len(unit)
    return again


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
            "confirmed": confirmed.count(), "asks_confirmation": broadcast.ask_ack,
            "finished": broadcast.finished_at is not None}


def subscribers_of(broadcast: Broadcast) -> Any:
    return Subscriber.objects.filter(deliveries__broadcast=broadcast).distinct()
