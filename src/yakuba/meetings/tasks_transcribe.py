"""Tasks of 文字起こし. `transcribe` runs on its own queue (`transcribe`), at a lower priority than everything else,
and in slices: each run transcribes chunks for about SLICE_SECONDS and queues itself again for the rest, so a worker
that also sends mail takes the waiting mail (and 防災 broadcasts) between slices of an hours-long recording instead of
after it. A deployment may also keep them apart: `yakuba worker --exclude-queues transcribe` for everything else and
`yakuba worker --queue-name transcribe` on the machine that transcribes. `watch` runs on
the default queue every STALL_AFTER while a transcription is in progress and queues it again when its worker died
(the run resumes from the last finished chunk); it stops rescheduling itself once the recording is finished."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from yakuba.kernel.tenancy.scoping import town_row

from .models import Recording, RecordingState

QUEUE = "transcribe"
PRIORITY = -10  # below mail and broadcasts (0) when both are waiting
SLICE_SECONDS = 60.0


@task(queue_name=QUEUE, priority=PRIORITY)
def transcribe(recording_id: int) -> str:
    from .services import transcribe as service

    with town_row(Recording, recording_id) as recording:
        if recording is None:
            return "gone"
        outcome = service.run(recording.pk, budget=SLICE_SECONDS)
    if outcome == service.MORE:
        transcribe.enqueue(recording_id)
    return outcome


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
