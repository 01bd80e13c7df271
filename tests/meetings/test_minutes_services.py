"""会議録の編集 through the services: conflicting edits are told, merge and split keep positions and times, speakers
are suggested from the chair's calls, the extractive summary, the AI draft (redacted, and confirmed before
publishing), publication rules, and the assistant finding a published passage."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.db import connection
from django_scopes import scope

from tests import factories
from tests.assistant.conftest import completion, stub  # noqa: F401  (the local chat-completions stub)
from tests.meetings.minutes_support import make_held
from tests.support.race import race
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.meetings.models import MeetingState, Minutes, Segment, SummaryKind
from yakuba.meetings.services import minutes as service
from yakuba.meetings.services import summary
from yakuba.meetings.services.minutes import Speaker

pytestmark = pytest.mark.django_db


def rows(held) -> list[Segment]:
    return list(Segment.objects.filter(recording=held.recording).order_by("position"))


# ---------------------------------------------------------------- editing

def test_an_edit_is_saved_and_audited(town_a):
    held = make_held(town_a)
    with scope(municipality=town_a):
        first = held.segments[0]
        saved = service.edit_segment(first.pk, "ただいまから総務常任委員会を開会いたします。", 1, held.clerk.user)
        assert saved.revision == 2 and saved.edited_by == held.clerk.user
        entry = AuditEntry.objects.get(action="meetings.segment.edited")
        assert entry.data["before"] == first.text and entry.actor == held.clerk.user


def test_the_second_of_two_clerks_is_told_and_nothing_is_lost(town_a):
    held = make_held(town_a)
    second_clerk = factories.make_staff(town_a, department="議会事務局")
    with scope(municipality=town_a):
        segment = held.segments[3]
        service.edit_segment(segment.pk, "補正予算の道路維持費についてお伺いします。", 1, held.clerk.user)
        with pytest.raises(Refused, match="ほかの職員が先に更新しました"):
            service.edit_segment(segment.pk, "補正予算の道路維持費について伺いたい。", 1, second_clerk.user)
        segment.refresh_from_db()
        assert segment.text == "補正予算の道路維持費についてお伺いします。" and segment.revision == 2
        # Having seen both, the second clerk saves on the current revision.
        service.edit_segment(segment.pk, "補正予算の道路維持費について伺いたい。", 2, second_clerk.user)


def test_only_the_clerks_of_the_body_edit(town_a):
    held = make_held(town_a)
    with scope(municipality=town_a), pytest.raises(Refused, match="権限"):
        service.edit_segment(held.segments[0].pk, "x", 1, held.committee.other.user)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_saving_at_the_same_moment_on_postgresql(town_a):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    held = make_held(town_a)
    second = factories.make_staff(town_a, department="議会事務局")
    pk = held.segments[0].pk
    outcomes = race(town_a, [lambda: service.edit_segment(pk, "一人目の修正", 1, held.clerk.user),
                             lambda: service.edit_segment(pk, "二人目の修正", 1, second.user)])
    assert outcomes == Counter({"ok": 1, "Refused": 1})
    with scope(municipality=town_a):
        segment = Segment.objects.get(pk=pk)
        assert segment.revision == 2 and segment.text in ("一人目の修正", "二人目の修正")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_splits_of_one_recording_at_once_keep_positions_contiguous(town_a):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    held = make_held(town_a)
    second = factories.make_staff(town_a, department="議会事務局")
    first_pk, last_pk = held.segments[1].pk, held.segments[8].pk
    outcomes = race(town_a, [lambda: service.split_segment(first_pk, 5, 1, held.clerk.user),
                             lambda: service.split_segment(last_pk, 10, 1, second.user)])
    assert outcomes == Counter({"ok": 2})
    with scope(municipality=town_a):
        after = rows(held)
        assert [s.position for s in after] == list(range(11))
        assert all(a.start <= b.start for a, b in zip(after, after[1:], strict=False))


def test_assigning_a_speaker_to_a_run_stops_at_the_next_turn_change(town_a):
    held = make_held(town_a)
    member = held.committee.members[1]
    with scope(municipality=town_a):
        changed = service.assign_speaker(held.segments[3].pk, Speaker(member_id=member.pk), 1, held.clerk.user,
                                         run=True)
        assert [s.position for s in changed] == [3, 4]
        assert [s.who for s in rows(held)[3:6]] == ["委員1議員", "委員1議員", ""]
        service.assign_speaker(held.segments[6].pk, Speaker(label="総務課長"), 1, held.clerk.user)
        assert rows(held)[6].who == "総務課長"
        with pytest.raises(Refused, match="委員・議員"):
            service.assign_speaker(held.segments[6].pk, Speaker(member_id=999999), 2, held.clerk.user)


def test_merge_joins_text_and_time_and_keeps_positions_contiguous(town_a):
    held = make_held(town_a)
    with scope(municipality=town_a):
        merged = service.merge_with_next(held.segments[3].pk, 1, held.clerk.user)
        assert merged.text == "補正予算の道路維持費について伺います。今回の増額の理由は何でしょうか。"
        assert (merged.start, merged.end) == (12.5, 19.0)
        after = rows(held)
        assert [s.position for s in after] == list(range(8))
        assert all(a.end <= b.start for a, b in zip(after, after[1:], strict=False))
        with pytest.raises(Refused, match="最後"):
            service.merge_with_next(after[-1].pk, after[-1].revision, held.clerk.user)


def test_split_divides_the_time_in_proportion_to_the_characters(town_a):
    held = make_held(town_a)
    with scope(municipality=town_a):
        segment = held.segments[6]  # 40 characters over 23.0–29.0
        text = segment.text
        offset = text.index("台風")
        first, second = service.split_segment(segment.pk, offset, 1, held.clerk.user)
        assert first.text + second.text == text
        assert first.end == second.start == round(23.0 + 6.0 * offset / len(text), 3)
        assert second.end == 29.0 and first.start == 23.0
        after = rows(held)
        assert [s.position for s in after] == list(range(10))
        assert after[7].pk == second.pk and after[8].text.startswith("ほかに")
        with pytest.raises(Refused):
            service.split_segment(first.pk, 0, first.revision, held.clerk.user)


def test_split_without_script_takes_a_line_break(town_a):
    held = make_held(town_a)
    with scope(municipality=town_a):
        segment = held.segments[8]
        marked = "これより採決します。\n議案第45号は原案のとおり可決すべきものと決定しました。"
        first, second = service.split_at_newline(segment.pk, marked, 1, held.clerk.user)
        assert first.text == "これより採決します。" and second.text.startswith("議案第45号")
        with pytest.raises(Refused, match="改行"):
            service.split_at_newline(first.pk, "これより\n採決をします。", first.revision, held.clerk.user)


# ---------------------------------------------------------------- suggestions

def test_the_chair_names_the_next_speaker(town_a):
    held = make_held(town_a)
    chair, asker = held.committee.chair, held.committee.members[1]
    with scope(municipality=town_a):
        found = {s.position: s for s in service.suggest_speakers(held.meeting)}
        assert found[2].speaker == Speaker(member_id=chair.pk) and "指名" in found[2].reason
        assert found[3].speaker == found[4].speaker == Speaker(member_id=asker.pk)
        assert found[5].speaker == Speaker(member_id=chair.pk)
        assert found[6].speaker == Speaker(label="総務課長")
        assert found[7].speaker == found[8].speaker == found[0].speaker == Speaker(member_id=chair.pk)
        assert rows(held)[3].speaker is None  # only suggested
        assert service.apply_suggestions(held.meeting, held.clerk.user) == 9
        assert [s.who for s in rows(held)] == ["委員長", "委員長", "委員長", "委員1議員", "委員1議員", "委員長",
                                               "総務課長", "委員長", "委員長"]
        assert service.suggest_speakers(held.meeting) == []  # nothing left to suggest


def test_one_suggestion_can_be_accepted_alone(town_a):
    held = make_held(town_a)
    with scope(municipality=town_a):
        assert service.apply_suggestions(held.meeting, held.clerk.user, [held.segments[6].pk]) == 1
        assert [s.who for s in rows(held)][5:8] == ["", "総務課長", ""]


# ---------------------------------------------------------------- summary

def test_the_extractive_summary_lists_agenda_decisions_and_questions_in_order(town_a):
    held = make_held(town_a)
    with scope(municipality=town_a):
        service.apply_suggestions(held.meeting, held.clerk.user)
        minutes = summary.make_extractive(held.meeting, held.clerk.user)
        lines = minutes.summary.splitlines()
    assert lines[0] == "■議題"
    assert lines[1] == "・議案第45号 令和8年度下仁田町一般会計補正予算（第5号）（原案可決）"
    assert lines.index("■決定事項") < lines.index("■質疑")
    assert "・議案第45号は原案のとおり可決すべきものと決定しました。（0:00:34）" in lines
    questions = lines[lines.index("■質疑") + 1:]
    assert questions == [
        "・問 委員1議員：補正予算の道路維持費について伺います。（0:00:12）",
        "・問 委員1議員：今回の増額の理由は何でしょうか。（0:00:16）",
        "・答 総務課長：お答えします。台風による路肩の崩落を復旧するため、1,200万円を計上しました。（0:00:23）",
    ]
    assert not any("質疑はありませんか" in line for line in lines)  # the chair's procedure is not 質疑
    parsed = summary.parse(minutes.summary)
    assert parsed[-1].start == 23.0 and parsed[0].heading


def test_the_answer_follows_the_turn_change_before_speakers_are_named(town_a):
    held = make_held(town_a)
    with scope(municipality=town_a):
        lines = [line.render() for line in summary.extract(held.meeting)]
    assert lines[-1].startswith("・答 お答えします。")


# ---------------------------------------------------------------- AI draft

PERSONAL = [
    ("委員1議員。", 10.0, 11.0, False),
    ("住民の山田太郎さんから、電話090-1234-5678で道路の陥没について苦情がありました。対応を伺います。",
     12.0, 20.0, True),
    ("総務課長。", 20.5, 21.5, True),
    ("お答えします。補正予算で補修します。", 22.0, 26.0, True),
]


@pytest.fixture
def ai(settings, stub):  # noqa: F811
    settings.AI_BASE_URL = stub.url
    settings.AI_MODEL = "stub-model"
    settings.AI_API_KEY = ""
    settings.AI_TIMEOUT_SECONDS = 5
    return settings


def test_the_ai_draft_is_made_from_redacted_text_and_must_be_confirmed(ai, stub, town_a):  # noqa: F811
    stub.reply = lambda request: completion("■決定事項\n・補正予算を可決（0:00:34）")
    held = make_held(town_a, exchange=PERSONAL)
    with scope(municipality=town_a):
        minutes = summary.make_ai_draft(held.meeting, held.clerk.user)
        assert minutes.summary_kind == SummaryKind.AI_DRAFT and minutes.summary_confirmed_at is None
        sent = json.dumps(stub.requests[0]["json"], ensure_ascii=False)
        assert "山田太郎" not in sent and "090-1234-5678" not in sent
        assert "［電話番号］" in sent and "道路の陥没" in sent
        audit = AuditEntry.objects.get(action="meetings.minutes.ai_sent")
        assert audit.data["redactions"]["phone"] == 1
        with pytest.raises(Refused, match="未確認"):
            service.publish_minutes(held.meeting, held.clerk.user)
        summary.confirm_summary(held.meeting, held.clerk.user)
        minutes.refresh_from_db()
        assert minutes.summary_confirmed_by == held.clerk.user
        assert service.publish_minutes(held.meeting, held.clerk.user).published_at is not None


def test_no_ai_draft_without_an_endpoint(settings, stub, town_a):  # noqa: F811
    settings.AI_BASE_URL = ""
    held = make_held(town_a)
    with scope(municipality=town_a), pytest.raises(Refused, match="設定されていない"):
        summary.make_ai_draft(held.meeting, held.clerk.user)
    assert stub.requests == []


def test_the_database_refuses_an_unconfirmed_ai_draft_published(town_a):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    held = make_held(town_a)
    with scope(municipality=town_a), pytest.raises(IntegrityError), transaction.atomic():
        Minutes.objects.create(municipality=town_a, meeting=held.meeting, summary="x",
                               summary_kind=SummaryKind.AI_DRAFT, published_at=timezone.now())


# ---------------------------------------------------------------- publication

def test_publishing_needs_a_public_meeting_that_was_held(town_a):
    private = make_held(town_a, public=False)
    planned = make_held(town_a, held=False, name="文教厚生常任委員会")
    with scope(municipality=town_a):
        with pytest.raises(Refused, match="非公開"):
            service.publish_minutes(private.meeting, private.clerk.user)
        with pytest.raises(Refused, match="開催済み"):
            service.publish_minutes(planned.meeting, planned.clerk.user)
        assert planned.meeting.state == MeetingState.PLANNED


def test_published_minutes_are_not_edited_until_withdrawn(town_a):
    held = make_held(town_a)
    with scope(municipality=town_a):
        service.publish_minutes(held.meeting, held.clerk.user)
        with pytest.raises(Refused, match="公開中"):
            service.edit_segment(held.segments[0].pk, "x", 1, held.clerk.user)
        service.unpublish_minutes(held.meeting, held.clerk.user)
        service.edit_segment(held.segments[0].pk, "x", 1, held.clerk.user)
        assert AuditEntry.objects.filter(action__startswith="meetings.minutes.").count() == 2
