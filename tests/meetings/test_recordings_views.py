"""録音と文字起こし pages over HTTP: the 事務局 uploads a recording and follows its progress (page and JSON); a file
that cannot be transcribed is refused on the form (400, the reason in Japanese, nothing kept); staff of another
課 are told the meeting does not exist; a failed transcription is retried from its page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope
from django_tasks_db.models import DBTaskResult

from tests import factories
from tests.meetings import sounds
from tests.meetings.support import make_committee
from yakuba.meetings.models import Recording, RecordingState, Segment

pytestmark = pytest.mark.django_db
STAFF = "/t/10382/staff/meetings/"


@pytest.fixture
def committee(town_a):
    return make_committee(town_a)


def list_url(committee) -> str:
    return f"{STAFF}{committee.meeting.uuid}/recordings/"


def post_file(client, committee, name, data, once="a" * 24):
    return client.post(list_url(committee), {"file": SimpleUploadedFile(name, data), "_once": once})


def test_the_clerk_uploads_and_follows_the_progress(committee, django_capture_on_commit_callbacks):
    client = factories.staff_client(committee.clerk)
    page = client.get(list_url(committee))
    assert page.status_code == 200 and "この会議の録音はまだありません" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, committee, "委員会.wav", sounds.SPEECH.read_bytes())
    assert response.status_code == 302
    with scope(municipality=committee.town):
        recording = Recording.objects.get()
    assert response["Location"] == f"{STAFF}recordings/{recording.pk}/"
    assert DBTaskResult.objects.filter(queue_name="transcribe").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "文字起こし待ち" in page and "委員会.wav" in page and "recording-progress.js" in page
    status = client.get(response["Location"] + "?format=json").json()
    assert status == {**status, "state": "queued", "percent": 0, "seconds_left": None, "finished": False}
    with scope(municipality=committee.town):
        Recording.objects.filter(pk=recording.pk).update(state="running", seconds_done=3.2, working_seconds=0.8,
                                                         chunks_done=1, chunks_total=2)
    status = client.get(response["Location"] + "?format=json").json()
    assert (status["percent"], status["seconds_left"], status["label"]) == (49, 1, "文字起こし中")
    assert "委員会.wav" in client.get(list_url(committee)).content.decode()


def test_a_finished_transcription_shows_its_text(committee):
    client = factories.staff_client(committee.clerk)
    post_file(client, committee, "a.wav", sounds.SPEECH.read_bytes())
    with scope(municipality=committee.town):
        recording = Recording.objects.get()
        Recording.objects.filter(pk=recording.pk).update(state="done", chunks_done=1, seconds_done=6.4,
                                                         finished_at=timezone.now())
        Segment.objects.create(municipality=committee.town, recording=recording, chunk=0, position=0, start=0.5,
                               end=5.9, text="王もこのやり方は喜んでいません。")
    page = client.get(f"{STAFF}recordings/{recording.pk}/").content.decode()
    assert "王もこのやり方は喜んでいません。" in page and "文字起こし済み" in page
    assert "recording-progress.js" not in page


@pytest.mark.parametrize(("name", "data", "message"), [
    ("議事.mp3", sounds.PDF, "中身はPDF"),
    ("empty.wav", b"", "ファイル"),
    ("half.wav", sounds.wav_bytes(sounds.tone(10))[:80000], "途中で切れています"),
])
def test_a_file_that_cannot_be_transcribed_is_refused_on_the_form(committee, name, data, message):
    client = factories.staff_client(committee.clerk)
    response = post_file(client, committee, name, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "error-summary" in page
    with scope(municipality=committee.town):
        assert not Recording.objects.exists()


def test_staff_of_another_department_see_nothing(committee):
    client = factories.staff_client(committee.clerk)
    post_file(client, committee, "a.wav", sounds.SPEECH.read_bytes())
    with scope(municipality=committee.town):
        recording = Recording.objects.get()
    other = factories.staff_client(committee.other)
    assert other.get(list_url(committee)).status_code == 404
    assert post_file(other, committee, "b.wav", sounds.SPEECH.read_bytes(), once="b" * 24).status_code == 404
    assert other.get(f"{STAFF}recordings/{recording.pk}/").status_code == 404
    assert other.get(f"{STAFF}recordings/{recording.pk}/?format=json").status_code == 404
    assert other.post(f"{STAFF}recordings/{recording.pk}/retry/", {"_once": "c" * 24}).status_code == 404
    with scope(municipality=committee.town):
        assert Recording.objects.count() == 1


def test_staff_of_another_town_and_visitors_are_kept_out(committee, staff_b, client):
    assert factories.staff_client(staff_b).get(list_url(committee)).status_code in (403, 404)
    response = client.get(list_url(committee))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_a_failed_transcription_is_retried_from_its_page(committee, django_capture_on_commit_callbacks):
    client = factories.staff_client(committee.clerk)
    post_file(client, committee, "a.wav", sounds.SPEECH.read_bytes())
    with scope(municipality=committee.town):
        recording = Recording.objects.get()
        Recording.objects.filter(pk=recording.pk).update(
            state=RecordingState.FAILED, refusal="文字起こしの途中で問題が起きました（RuntimeError）。",
            finished_at=timezone.now())
    page = client.get(f"{STAFF}recordings/{recording.pk}/").content.decode()
    assert "文字起こしが止まりました" in page and "もう一度文字起こしする" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{STAFF}recordings/{recording.pk}/retry/", {"_once": "d" * 24})
    assert response.status_code == 302
    with scope(municipality=committee.town):
        recording.refresh_from_db()
    assert recording.state == "queued" and recording.refusal == ""
    again = client.post(f"{STAFF}recordings/{recording.pk}/retry/", {"_once": "e" * 24}, follow=True)
    assert "進行中" in again.content.decode()
