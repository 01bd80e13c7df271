"""Keeping the generated datasets in step: a change to a facility, a room, a 講座 or its sessions, or a published
version of another dataset queues one refresh of the town's generated datasets after the transaction commits."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from yakuba.kernel.ops.queue import enqueue_once_on_commit
from yakuba.reservations.models import Course, Facility, Room, Session

from .models import Origin, Version


def queue_refresh(municipality_id: int) -> None:
    """One refresh of the town's generated datasets per transaction, after it commits."""
    from . import tasks

    enqueue_once_on_commit(tasks.refresh_generated, municipality_id)


@receiver([post_save, post_delete], sender=Facility)
@receiver([post_save, post_delete], sender=Room)
@receiver([post_save, post_delete], sender=Course)
@receiver([post_save, post_delete], sender=Session)
def platform_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    queue_refresh(instance.municipality_id)


@receiver(post_save, sender=Version)
def version_published(sender: Any, instance: Version, created: bool, **kwargs: Any) -> None:
    if created and instance.origin != Origin.GENERATED:  # the オープンデータ一覧 shows the new update date
        queue_refresh(instance.municipality_id)
