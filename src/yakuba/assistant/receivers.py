"""Keeping synced documents in step: a saved or deleted procedure or notice queues one sync of the town's
procedure and notice documents after the transaction commits."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from yakuba.applications.models import Procedure
from yakuba.kernel.ops.queue import enqueue_once_on_commit
from yakuba.notices.models import Notice


def queue_sync(municipality_id: int) -> None:
    """One sync of the town's synced documents per transaction, after it commits."""
    from . import tasks

    enqueue_once_on_commit(tasks.sync_town, municipality_id)


@receiver([post_save, post_delete], sender=Procedure)
@receiver([post_save, post_delete], sender=Notice)
def source_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    queue_sync(instance.municipality_id)
