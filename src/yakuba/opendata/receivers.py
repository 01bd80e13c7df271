"""Keeping the generated datasets in step: a change to records another app offers for them (facilities, 講座
sessions: kernel.records), to a listing, or a published version of another dataset queues one refresh of the town's
generated datasets after the transaction commits."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from yakuba.kernel import records
from yakuba.kernel.ops.queue import enqueue_once_on_commit

from .models import Listing, Origin, Version


def queue_refresh(municipality_id: int) -> None:
    """One refresh of the town's generated datasets per transaction, after it commits."""
    from . import tasks

    enqueue_once_on_commit(tasks.refresh_generated, municipality_id)


@receiver(records.changed, dispatch_uid="opendata.records_changed")
def records_changed(sender: str, *, kind: str, municipality_id: int, **kwargs: Any) -> None:
    if any(source.kind == kind for source in records.row_sources()):
        queue_refresh(municipality_id)


@receiver([post_save, post_delete], sender=Listing)
def listing_changed(sender: Any, instance: Listing, **kwargs: Any) -> None:
    queue_refresh(instance.municipality_id)


@receiver(post_save, sender=Version)
def version_published(sender: Any, instance: Version, created: bool, **kwargs: Any) -> None:
    if created and instance.origin != Origin.GENERATED:  # the オープンデータ一覧 shows the new update date
        queue_refresh(instance.municipality_id)
