"""文字起こし: registering a meeting's recording, transcribing it chunk by chunk on the worker, its progress, and
bringing back a transcription whose worker died.

A run writes each chunk's segments together with `chunks_done`, `seconds_done` and the heartbeat in one transaction,
guarded by the chunk number it expected (compare-and-set): a worker killed mid-chunk leaves the recording at its
last finished chunk, the next run starts there, and two runs that overlap (a stalled worker that wakes up) never
write the same chunk twice. A RUNNING recording whose heartbeat is older than STALL_AFTER is presumed dead and is
queued again by `resume_stalled` (the `watch` task each run schedules, and `yakuba meetings_resume` for cron).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from yakuba.kernel.audit.services import record as audit
from yakuba.kernel.files.uploads import clean_name, private_storage, save_private
from yakuba.kernel.refusal import Refused

from ..models import Meeting, Recording, RecordingState, Segment
from ..transcription import audio, engine
from ..transcription import model as whisper_model
from .access import is_clerk, staff_of

log = logging.getLogger(__name__)

STALL_AFTER = timedelta(minutes=10)  # longer than one chunk takes even with a large model on a slow CPU
TURN_PAUSE_SECONDS = 2.0  # a pause this long suggests a new speaker (a hint; the clerk decides)
ACTIVE = (RecordingState.QUEUED, RecordingState.RUNNING)


def _max_bytes() -> int:
    return int(getattr(settings, "RECORDING_MAX_BYTES", 2 * 1024 * 1024 * 1024))


def _require_clerk(user: Any, meeting: Meeting) -> None:
    if not is_clerk(staff_of(user), meeting.body):
        raise Refused(_("この会議の録音を扱えるのは、会議の事務局の職員です。"))


@contextmanager
def _local_copy(upload: UploadedFile[bytes]) -> Iterator[Path]:
    """A path to the uploaded bytes for FFmpeg: the upload's own temporary file, or a copy of a small one."""
    path = getattr(upload, "temporary_file_path", None)
    if callable(path):
        yield Path(path())
        return
    handle, name = tempfile.mkstemp(prefix="yakuba-recording-")
    try:
        with os.fdopen(handle, "wb") as out:
            upload.seek(0)
            for block in upload.chunks():
                out.write(block)
        yield Path(name)
    finally:
        os.unlink(name)


@contextmanager
def stored_path(recording: Recording) -> Iterator[Path]:
    """The stored file as a local path (a copy when the private storage is not a file system)."""
    storage = private_storage()
    try:
        yield Path(storage.path(recording.file))
        return
    except NotImplementedError:
        pass
    handle, name = tempfile.mkstemp(prefix="yakuba-recording-")
    try:
        with os.fdopen(handle, "wb") as out, storage.open(recording.file, "rb") as source:
            shutil.copyfileobj(source, out, 1 << 20)
        yield Path(name)
    finally:
        os.unlink(name)


def _enqueue(recording: Recording, *, watched: bool = True) -> None:
    """Queue the run after commit, and (unless a watch already follows it) the watch that revives it."""
    from .. import tasks_transcribe

    pk = recording.pk

    def queue() -> None:
        tasks_transcribe.transcribe.enqueue(pk)
        if watched:
            tasks_transcribe.schedule_watch(pk, timezone.now() + STALL_AFTER)

    transaction.on_commit(queue)


def upload_recording(meeting: Meeting, upload: UploadedFile[bytes], by_user: Any) -> Recording:
    """録音を登録する: the 事務局 only; the file is read (start and end) before anything is stored, and refused with
    the reason when it cannot be transcribed. Queues the transcription after commit."""
    _require_clerk(by_user, meeting)
    size = upload.size or 0
    if size > _max_bytes():
        limit = filesizeformat(_max_bytes())
        raise Refused({"file": _("ファイルが大きすぎます（上限 %(limit)s）。") % {"limit": limit}})
    with _local_copy(upload) as path:
        try:
            found = audio.probe(path)
        except audio.AudioRefused as refusal:
            raise Refused({"file": refusal.reason}) from refusal
    total = audio.chunk_count(found.duration, engine.CHUNK_SECONDS)
    with transaction.atomic():
        stored = save_private(upload, f"meetings/{meeting.municipality_id}/recordings")
        recording = Recording.objects.create(
            municipality=meeting.municipality, meeting=meeting, file=stored,
            original_name=clean_name(upload.name or ""), size=size, duration=found.duration,
            state=RecordingState.QUEUED, chunks_total=total,
            uploaded_by=by_user)
        audit("meetings.recording.uploaded", municipality=meeting.municipality, actor=by_user, obj=recording,
              data={"meeting": str(meeting.uuid), "seconds": round(found.duration, 1), "size": size,
                    "format": found.container, "codec": found.codec, "chunks": total})
        _enqueue(recording)
    return recording


def retry(recording: Recording, by: Any) -> Recording:
    """もう一度文字起こしする: a FAILED or REFUSED recording is queued again; finished chunks are kept."""
    _require_clerk(by, recording.meeting)
    with transaction.atomic():
        updated = Recording.objects.filter(
            pk=recording.pk, state__in=(RecordingState.FAILED, RecordingState.REFUSED)).update(
            state=RecordingState.QUEUED, refusal="", finished_at=None, heartbeat_at=None)
        if not updated:
            raise Refused(_("この録音は文字起こしが終わっているか、進行中です。"))
        recording.refresh_from_db()
        audit("meetings.recording.retried", municipality=recording.municipality, actor=by, obj=recording,
              data={"from_chunk": recording.chunks_done})
        _enqueue(recording)
    return recording


def progress(recording: Recording) -> tuple[int, float | None]:
    """(percent done, seconds left or None while unknown), from the pace measured on the chunks done so far."""
    if recording.state == RecordingState.DONE:
        return 100, 0.0
    duration = recording.duration or 0.0
    if duration <= 0:
        return 0, None
    done = min(recording.seconds_done, duration)
    percent = min(99, int(done * 100 / duration))
    if done <= 0 or recording.working_seconds <= 0 or recording.state not in ACTIVE:
        return percent, None
    pace = recording.working_seconds / done  # seconds of work per second of audio
    return percent, max(0.0, (duration - done) * pace)


class _Overtaken(Exception):
    """Another run finished this chunk first (or the recording was stopped): this run stops."""


def _claim(recording: Recording) -> bool:
    now = timezone.now()
    claimed = Recording.objects.filter(pk=recording.pk, state__in=ACTIVE).update(
        state=RecordingState.RUNNING, heartbeat_at=now)
    if claimed:
        Recording.objects.filter(pk=recording.pk, started_at__isnull=True).update(started_at=now)
        recording.refresh_from_db()
    return bool(claimed)


def _save_chunk(recording: Recording, index: int, result: engine.ChunkResult, worked: float, name: str) -> None:
    """One transaction: the chunk's segments and the counters, only if the chunk is still the next to do."""
    with transaction.atomic():
        moved = Recording.objects.filter(pk=recording.pk, chunks_done=index, state=RecordingState.RUNNING).update(
            chunks_done=index + 1, seconds_done=result.end, heartbeat_at=timezone.now(), model_name=name,
            working_seconds=F("working_seconds") + worked)
        if not moved:
            raise _Overtaken
        before = Segment.objects.filter(recording=recording).order_by("-position").first()
        position = before.position + 1 if before else 0
        previous_end = before.end if before else None
        rows = []
        for piece in result.pieces:
            pause = piece.start - previous_end if previous_end is not None else 0.0
            rows.append(Segment(municipality_id=recording.municipality_id, recording=recording, chunk=index,
                                position=position, start=round(piece.start, 2),
                                end=round(max(piece.end, piece.start), 2), text=piece.text,
                                turn_change=pause > TURN_PAUSE_SECONDS))
            position += 1
            previous_end = piece.end
        Segment.objects.bulk_create(rows)


def _finish(recording: Recording, state: str, reason: str = "") -> None:
    now = timezone.now()
    with transaction.atomic():
        Recording.objects.filter(pk=recording.pk).update(state=state, refusal=reason[:300], finished_at=now,
                                                         heartbeat_at=now)
        recording.refresh_from_db()
        audit(f"meetings.recording.{state}", municipality=recording.municipality, obj=recording,
              data={"chunks_done": recording.chunks_done, "seconds": round(recording.seconds_done, 1),
                    "working_seconds": round(recording.working_seconds, 1), **({"reason": reason} if reason else {})})


MORE = "more"  # run() stopped at its time budget with chunks left: the task queues itself again
OVERTAKEN = "overtaken"  # another run is on this recording: this one stops without queueing anything


def run(recording_id: int, *, budget: float | None = None) -> str:
    """Transcribe what is left of the recording (called by the task, in the town's scope). With `budget`, stop after
    the chunk that passes that many seconds and return MORE, so a worker shared with mail takes other tasks between
    slices of a long recording. Otherwise the state after: done, failed or refused (or OVERTAKEN)."""
    recording = Recording.objects.select_related("meeting").filter(pk=recording_id).first()
    if recording is None or not _claim(recording):
        return recording.state if recording is not None else "gone"
    began_run, done_here = time.monotonic(), 0
    try:
        loaded = whisper_model.load()
        with stored_path(recording) as path:
            while recording.chunks_done < recording.chunks_total:
                if budget is not None and done_here and time.monotonic() - began_run >= budget:
                    return MORE
                index = recording.chunks_done
                began = time.monotonic()
                result = engine.transcribe_chunk(loaded, path, index=index, total=recording.chunks_total,
                                                 start=recording.seconds_done, duration=recording.duration)
                _save_chunk(recording, index, result, time.monotonic() - began, loaded.name)
                recording.refresh_from_db()
                done_here += 1
    except _Overtaken:
        return OVERTAKEN
    except audio.AudioRefused as refusal:
        _finish(recording, RecordingState.REFUSED, refusal.reason)
        return RecordingState.REFUSED
    except whisper_model.ModelUnavailable as error:
        log.error("transcription model unavailable: %s", error)
        _finish(recording, RecordingState.FAILED, _("文字起こしのモデルを読み込めません。情報担当に連絡してください。"))
        return RecordingState.FAILED
    except Exception as error:  # noqa: BLE001 - whatever broke, the clerk sees a reason and may retry
        log.exception("transcription of recording %s failed", recording_id)
        _finish(recording, RecordingState.FAILED,
                _("文字起こしの途中で問題が起きました（%(error)s）。「もう一度文字起こしする」で続きから再開できます。")
                % {"error": type(error).__name__})
        return RecordingState.FAILED
    _finish(recording, RecordingState.DONE)
    return RecordingState.DONE


def revive(recording: Recording) -> bool:
    """Queue a RUNNING recording again if its worker stopped beating; True when it was queued."""
    stale = timezone.now() - STALL_AFTER
    with transaction.atomic():
        taken = Recording.objects.filter(pk=recording.pk, state=RecordingState.RUNNING,
                                         heartbeat_at__lt=stale).update(heartbeat_at=timezone.now())
        if taken:
            audit("meetings.recording.resumed", municipality=recording.municipality, obj=recording,
                  data={"from_chunk": recording.chunks_done})
            _enqueue(recording, watched=False)
    return bool(taken)


def resume_stalled() -> int:
    """Every town's RUNNING recordings whose worker died (no heartbeat for STALL_AFTER): queued again, to resume
    from their last finished chunk. Returns how many."""
    stale = timezone.now() - STALL_AFTER
    with scopes_disabled():
        stalled = list(Recording.objects.filter(state=RecordingState.RUNNING, heartbeat_at__lt=stale)
                       .select_related("municipality"))
        return sum(revive(recording) for recording in stalled)


def segments_of(recording: Recording) -> list[Segment]:
    return list(Segment.objects.filter(recording=recording).order_by("position"))

