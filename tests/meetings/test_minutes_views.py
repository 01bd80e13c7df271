"""会議録 over HTTP: the editor for the 事務局 only (others get 404), saving with and without script, the conflict
shown with both texts, merge and split, suggestions, summary, export, publication, the recording streamed with
Range, the public minutes (only once published, from the page cache), and the assistant finding a passage."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scope

from tests import factories
from tests.meetings.minutes_support import AUDIO, make_held
from yakuba.meetings.models import Minutes, Segment
from yakuba.meetings.services import minutes as service

pytestmark = pytest.mark.django_db
STAFF = "/t/10382/staff/meetings/"
PUBLIC = "/t/10382/meetings/"


@pytest.fixture
def held(town_a):
    return make_held(town_a)


@pytest.fixture
def clerk(held):
    return factories.staff_client(held.clerk)


def editor_url(held) -> str:
    return f"{STAFF}{held.meeting.uuid}/minutes/"


def segment_url(segment) -> str:
    return f"{STAFF}minutes/segments/{segment.pk}/"


def test_the_editor_shows_each_segment_with_its_time_and_player(held, clerk):
    response = clerk.get(editor_url(held))
    html = response.content.decode()
    assert response.status_code == 200
    assert "0:00:12" in html and "補正予算の道路維持費について伺います。" in html
    assert f"/staff/meetings/recordings/{held.recording.pk}/audio/" in html
    assert "ここから再生" in html and "meetings/minutes.js" in html
    assert "提案をすべて適用" in html and "<script>" not in html


def test_staff_of_another_department_get_404(held):
    other = factories.staff_client(held.committee.other)
    assert other.get(editor_url(held)).status_code == 404
    assert other.get(f"{STAFF}recordings/{held.recording.pk}/audio/").status_code == 404
    assert other.get(f"{STAFF}{held.meeting.uuid}/minutes.pdf").status_code == 404
    segment = held.segments[0]
    response = other.post(segment_url(segment), {"revision": 1, "text": "x", "action": "save"})
    assert response.status_code == 404


def test_save_without_script_then_a_conflict_shows_both_texts(held, clerk, town_a):
    segment = held.segments[3]
    response = clerk.post(segment_url(segment), {"revision": 1, "text": "道路維持費について伺います。",
                                                 "speaker": f"m:{held.committee.members[1].pk}", "action": "save"})
    assert response.status_code == 302 and response["Location"].endswith(f"#s-{segment.pk}")
    second = factories.staff_client(factories.make_staff(town_a, department="議会事務局"))
    response = second.post(segment_url(segment), {"revision": 1, "text": "道路の維持費について伺いたい。",
                                                  "action": "save"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "ほかの職員が先に更新しました" in html
    assert "道路維持費について伺います。" in html and "道路の維持費について伺いたい。" in html
    with scope(municipality=town_a):
        segment.refresh_from_db()
        assert segment.text == "道路維持費について伺います。" and segment.who == "委員1議員"


def test_save_in_place_answers_json_and_a_conflict_409(held, clerk):
    segment = held.segments[0]
    headers = {"HTTP_ACCEPT": "application/json"}
    ok = clerk.post(segment_url(segment), {"revision": 1, "text": "開会します。", "action": "save",
                                           "_once": "a" * 32}, **headers)
    assert ok.status_code == 200 and ok.json()["segment"]["revision"] == 2
    stale = clerk.post(segment_url(segment), {"revision": 1, "text": "開会いたします。", "action": "save",
                                              "_once": "b" * 32}, **headers)
    body = stale.json()
    assert stale.status_code == 409 and "ほかの職員が先に更新しました" in body["message"]
    assert body["current"]["text"] == "開会します。" and body["yours"] == "開会いたします。"
    assert body["current"]["revision"] == 2


def test_merge_and_split_from_the_editor(held, clerk, town_a):
    first = held.segments[3]
    assert clerk.post(segment_url(first), {"revision": 1, "action": "merge"}).status_code == 302
    with scope(municipality=town_a):
        first.refresh_from_db()
    offset = first.text.index("今回")
    response = clerk.post(segment_url(first), {"revision": first.revision, "action": "split", "offset": offset})
    assert response.status_code == 302
    marked = "お答えします。\n台風による路肩の崩落を復旧するため、1,200万円を計上しました。"
    response = clerk.post(f"{segment_url(held.segments[6])}split/", {"revision": 1, "marked": marked})
    assert response.status_code == 302
    with scope(municipality=town_a):
        texts = list(Segment.objects.filter(recording=held.recording).values_list("text", flat=True))
    assert len(texts) == 10
    assert texts[3:5] == ["補正予算の道路維持費について伺います。", "今回の増額の理由は何でしょうか。"]
    assert texts[6:8] == ["お答えします。", "台風による路肩の崩落を復旧するため、1,200万円を計上しました。"]


@pytest.mark.django_db(transaction=True)  # the writes commit: the cached page follows them as in production
def test_suggestions_summary_and_publication(held, clerk, town_a):
    def post(path: str, data: dict[str, str] | None = None) -> int:
        return clerk.post(f"{editor_url(held)}{path}", data or {}).status_code

    anonymous = Client()
    public_url = f"{PUBLIC}{held.meeting.uuid}/minutes/"
    assert anonymous.get(public_url).status_code == 404
    assert post("suggestions/") == 302
    assert post("summary/", {"action": "extract"}) == 302
    html = clerk.get(editor_url(held)).content.decode()
    assert "■決定事項" in html and f'href="?page=1#s-{held.segments[8].pk}"' in html
    assert post("publication/", {"action": "publish"}) == 302
    with scope(municipality=town_a):
        assert Minutes.objects.get(meeting=held.meeting).published_at is not None
    first = anonymous.get(public_url)
    page = first.content.decode()
    assert first.status_code == 200
    assert "○委員1議員（議員1）" in page and f'id="s-{held.segments[3].pk}"' in page
    assert "録音の0:00:12" in page and "会議の概要" in page
    assert anonymous.get(public_url)["X-Page-Cache"] == "hit"
    assert post("publication/", {"action": "unpublish"}) == 302
    assert anonymous.get(public_url).status_code == 404


def test_export_formats(held, clerk):
    pdf = clerk.get(f"{STAFF}{held.meeting.uuid}/minutes.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    docx = clerk.get(f"{STAFF}{held.meeting.uuid}/minutes.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert clerk.get(f"{STAFF}{held.meeting.uuid}/minutes.txt").status_code == 404


def test_the_recording_is_served_in_ranges(held, clerk):
    url = f"{STAFF}recordings/{held.recording.pk}/audio/"
    whole = clerk.get(url)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == AUDIO
    assert whole["Accept-Ranges"] == "bytes" and whole["Content-Type"] == "audio/mpeg"
    part = clerk.get(url, HTTP_RANGE="bytes=100-299")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-299/{len(AUDIO)}"
    assert b"".join(part.streaming_content) == AUDIO[100:300] and part["Content-Length"] == "200"
    tail = clerk.get(url, HTTP_RANGE="bytes=-50")
    assert tail.status_code == 206 and b"".join(tail.streaming_content) == AUDIO[-50:]
    rest = clerk.get(url, HTTP_RANGE="bytes=10000-")
    assert b"".join(rest.streaming_content) == AUDIO[10000:]
    assert rest["Content-Range"] == f"bytes 10000-{len(AUDIO) - 1}/{len(AUDIO)}"
    beyond = clerk.get(url, HTTP_RANGE=f"bytes={len(AUDIO)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(AUDIO)}"


def test_the_assistant_finds_a_published_passage_and_not_an_unpublished_one(held, town_a):
    from yakuba.assistant.services import search, sources
    from yakuba.kernel.search import index

    question = "補正予算について議会で何が話されたか"
    with scope(municipality=town_a):
        service.apply_suggestions(held.meeting, held.clerk.user)
        index.forget()
        sources.sync(town_a)
        assert search.search(town_a, question, public=True).hits == []
        service.publish_minutes(held.meeting, held.clerk.user)
        index.forget()
        sources.sync(town_a)
        hits = search.search(town_a, question, public=True).hits
        assert hits, "the published minutes are found"
        best = hits[0]
        assert held.meeting.title in best.title and "0:00:" in best.title
        assert best.url.startswith(f"/t/10382/meetings/{held.meeting.uuid}/minutes/#s-") or \
            best.url.startswith(f"/meetings/{held.meeting.uuid}/minutes/#s-")
        assert "補正予算" in best.text and "○" in best.text
        service.unpublish_minutes(held.meeting, held.clerk.user)
        index.forget()
        sources.sync(town_a)
        assert search.search(town_a, question, public=True).hits == []


def test_the_editor_of_a_meeting_without_a_transcription_says_so(town_a):
    from tests.meetings.support import make_committee

    committee = make_committee(town_a, name="広報委員会")
    response = factories.staff_client(committee.clerk).get(f"{STAFF}{committee.meeting.uuid}/minutes/")
    html = response.content.decode()
    assert response.status_code == 200 and "文字起こしの済んだ録音がありません" in html
    assert "開催済みの会議だけ、会議録を公開できます。" in html and "AIで要約の下書きを作る" not in html


def test_an_m4a_recording_is_served_as_audio_mp4(held, clerk, town_a):
    with scope(municipality=town_a):
        held.recording.original_name = "会議.m4a"
        held.recording.save(update_fields=["original_name"])
    response = clerk.get(f"{STAFF}recordings/{held.recording.pk}/audio/", HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206 and response["Content-Type"] == "audio/mp4"


def test_a_long_meeting_is_edited_a_page_at_a_time(town_a):
    long = [(f"発言その{n}です。", n * 2.0, n * 2.0 + 1.5, n % 10 == 0) for n in range(230)]
    held = make_held(town_a, exchange=long)
    clerk = factories.staff_client(held.clerk)
    first = clerk.get(editor_url(held)).content.decode()
    assert "発言その99です。" in first and "発言その100です。" not in first and "1 / 3 ページ" in first
    assert first.count('value="merge"') == 100  # the last of the page merges with the first of the next
    third = clerk.get(editor_url(held) + "?page=3").content.decode()
    assert "発言その229です。" in third and third.count('value="merge"') == 29
    segment = held.segments[205]
    response = clerk.post(segment_url(segment), {"revision": 1, "text": "直しました。", "action": "save"})
    assert response["Location"].endswith(f"?page=3#s-{segment.pk}")
    stale = clerk.post(segment_url(segment), {"revision": 1, "text": "古い版から", "action": "save"})
    assert stale.status_code == 409 and "古い版から" in stale.content.decode()
    assert "3 / 3 ページ" in stale.content.decode()
