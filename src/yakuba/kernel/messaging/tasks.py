"""Tasks of the delivery pipeline. Arguments are ids; each task opens the town's scope and calls delivery.py."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from yakuba.kernel.tenancy.scoping import town_row

from . import delivery
from .models import Broadcast


def _options(broadcast: Broadcast, run_after: datetime | None = None,
             channel: str | None = None) -> dict[str, object]:
    """Queue, priority and start time of a task of `broadcast`; `channel` for a batch ('' when not known)."""
    urgent = broadcast.urgent
    priority = delivery.URGENT_PRIORITY if urgent else delivery.NORMAL_PRIORITY
    if channel is not None and not (channel and delivery.reaches_many(broadcast, channel)):
        # A batch that reaches hundreds of people in one request (a LINE multicast) goes before those that send
        # one message per person (mail; a retry, whose channel is not told), so most residents have the alert
        # while the mail batches still run.
        priority -= 1
    options: dict[str, object] = {"queue_name": delivery.URGENT_QUEUE if urgent else delivery.QUEUE,
                                  "priority": priority}
    if run_after is not None and run_after > timezone.now():
        options["run_after"] = run_after
    return options


def _can_defer() -> bool:
    return bool(watch.get_backend().supports_defer)


def _enqueue_batches(broadcast: Broadcast, batches: dict[tuple[int, datetime], str]) -> None:
    for (batch, not_before), channel in sorted(batches.items()):
        if not_before > timezone.now() and not _can_defer():
            continue  # a backend without deferred tasks (tests' immediate backend): quiet hours wait for a rerun
        send_batch.using(**_options(broadcast, not_before, channel)).enqueue(  # type: ignore[arg-type]
            broadcast.pk, batch)


def _enqueue_watch(broadcast: Broadcast) -> None:
    if not _can_defer():
        return
    nxt = delivery.next_retry(broadcast)
    when = timezone.now() + delivery.lease()
    if nxt is not None and nxt < when:
        when = nxt
    watch.using(**_options(broadcast, when)).enqueue(broadcast.pk)  # type: ignore[arg-type]


@task(queue_name=delivery.QUEUE)
def fan_out(broadcast_id: int) -> int:
    with town_row(Broadcast, broadcast_id) as broadcast:
        if broadcast is None:
            return 0
        batches = delivery.fan_out(broadcast, ready=lambda ready: _enqueue_batches(broadcast, ready))
        _enqueue_watch(broadcast)
        return len(batches)


@task(queue_name=delivery.QUEUE)
def send_batch(broadcast_id: int, batch: int) -> dict[str, int]:
    with town_row(Broadcast, broadcast_id) as broadcast:
        if broadcast is None:
            return {}
        done = delivery.deliver_batch(broadcast, batch)
        if done.retry_at is not None:
            _enqueue_batches(broadcast, {(batch, done.retry_at): ""})
        return dict(done)


@task(queue_name=delivery.QUEUE)
def watch(broadcast_id: int) -> bool:
    """Recover abandoned rows and schedule retries; reschedules itself until the broadcast is finished."""
    with town_row(Broadcast, broadcast_id) as broadcast:
        if broadcast is None:
            return False
        due, outstanding = delivery.recover(broadcast)
        _enqueue_batches(broadcast, due)
        if outstanding:
            _enqueue_watch(broadcast)
        return outstanding
