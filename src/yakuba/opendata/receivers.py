"""Keeping the generated datasets in step: a change to a facility, a room, a 講座 or its sessions, or a published
version of another dataset queues one refresh of the town's generated datasets after the transaction commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from yakuba.reservations.models import Course, Facility, Room, Session

from .models import Origin, Version

_queued: set[int] = set()  # towns whose refresh is already waiting for the current transaction to commit


def queue_refresh(municipality_id: int) -> None:
    from . import tasks

    if municipality_id in _queued:
        return
    _queued.add(municipality_id)

    def send() -> None:
        _queued.discard(municipality_id)
        tasks.refresh_generated.enqueue(municipality_id)

    transaction.on_commit(send)
    if not transaction.get_connection().in_atomic_block:
        _queued.discard(municipality_id)


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
