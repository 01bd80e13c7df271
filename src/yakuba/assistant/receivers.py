"""Keeping synced documents in step: when the records of a kind some app offers as documents (procedures, notices)
change, one sync of the town's synced documents is queued after the transaction commits."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from yakuba.kernel import records
from yakuba.kernel.ops.queue import enqueue_once_on_commit


def queue_sync(municipality_id: int) -> None:
    """One sync of the town's synced documents per transaction, after it commits."""
    from . import tasks

    enqueue_once_on_commit(tasks.sync_town, municipality_id)


@receiver(records.changed, dispatch_uid="assistant.documents_changed")
def source_changed(sender: str, *, kind: str, municipality_id: int, **kwargs: Any) -> None:
    if any(source.kind == kind for source in records.document_sources()):
        queue_sync(municipality_id)
