"""Tasks of 文字起こし. `transcribe` runs on its own queue (`transcribe`) so an hours-long recording never holds up
mail or 防災 broadcasts: a machine may run `yakuba worker --queue-name transcribe` beside the others. `watch` runs on
the default queue every STALL_AFTER while a transcription is in progress and queues it again when its worker died
(the run resumes from the last finished chunk); it stops rescheduling itself once the recording is finished."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from yakuba.kernel.tenancy.scoping import town_row

from .models import Recording, RecordingState

QUEUE = "transcribe"


@task(queue_name=QUEUE)
def transcribe(recording_id: int) -> str:
    from .services import transcribe as service

    with town_row(Recording, recording_id) as recording:
        if recording is None:
            return "gone"
        return service.run(recording.pk)


def schedule_watch(recording_id: int, when: datetime) -> None:
    if watch.get_backend().supports_defer:
        watch.using(run_after=when).enqueue(recording_id)


@task()
def watch(recording_id: int) -> str:
    """A transcription in progress: revived if its worker stopped beating; watched again later while not done."""
    from .services import transcribe as service

    with town_row(Recording, recording_id) as recording:
        if recording is None:
            return "gone"
        if recording.state not in (RecordingState.QUEUED, RecordingState.RUNNING):
            return recording.state
        revived = service.revive(recording)
        schedule_watch(recording.pk, timezone.now() + service.STALL_AFTER)
        return "revived" if revived else "alive"
