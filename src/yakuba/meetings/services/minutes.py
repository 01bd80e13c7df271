"""会議録の編集: correcting the transcribed segments (text, speaker, merge, split) and publishing the minutes.

Every edit is conditional on the revision the clerk loaded (UPDATE … WHERE revision = n), so of two clerks editing
the same segment the second is told 「ほかの職員が先に更新しました」 and nothing is silently lost. Speakers are only
suggested (the chair names who speaks next; a long pause marks a likely change): the clerk decides."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused

from ..models import Meeting, MeetingState, Member, Minutes, Recording, RecordingState, Segment, SummaryKind
from .access import is_clerk, staff_of

# Positions are moved out of the way before they are renumbered, so no two rows ever share one (the unique
# constraint is checked row by row).
_ASIDE = 1_000_000


def recording_of(meeting: Meeting) -> Recording | None:
    """The meeting's transcribed recording the minutes are made from (the latest finished one)."""
    return Recording.objects.filter(meeting=meeting, state=RecordingState.DONE).order_by("-uploaded_at", "-pk").first()


def segments_of(meeting: Meeting) -> list[Segment]:
    recording = recording_of(meeting)
    if recording is None:
        return []
    return list(Segment.objects.filter(recording=recording).select_related("speaker").order_by("position"))


def minutes_of(meeting: Meeting) -> Minutes | None:
    return Minutes.objects.filter(meeting=meeting).first()


def is_published(meeting: Meeting) -> bool:
    minutes = minutes_of(meeting)
    return minutes is not None and minutes.published_at is not None


def _require_clerk(user: Any, meeting: Meeting) -> None:
    if not is_clerk(staff_of(user), meeting.body):
        raise Refused(_("この会議の会議録を編集する権限がありません。"))


def _require_editable(meeting: Meeting) -> None:
    if is_published(meeting):
        raise Refused(_("公開中の会議録は編集できません。公開を取り消してから直してください。"))


def _locked_segment(segment_id: int, user: Any) -> Segment:
    segment = (Segment.objects.select_related("recording__meeting__body", "speaker")
               .filter(pk=segment_id).first())
    if segment is None:
        raise Refused(_("この発言は、ほかの職員が結合したか削除したため、もうありません。"
                        "画面を読み込み直してください。"))
    meeting = segment.recording.meeting
    _require_clerk(user, meeting)
    _require_editable(meeting)
    return segment


def conflict(segment_id: int) -> Refused:
    """The refusal the second of two clerks sees: the first clerk's text is shown beside theirs by the view."""
    return Refused(_("ほかの職員が先に更新しました。いま保存されている内容と、あなたの入力を見比べて、"
                     "もう一度保存してください。"))


def _bump(segment: Segment, revision: int, user: Any, **changes: Any) -> Segment:
    """Write `changes` only if the segment is still at `revision`; otherwise refuse (nothing is overwritten)."""
    now = timezone.now()
    written = Segment.objects.filter(pk=segment.pk, revision=revision).update(
        revision=F("revision") + 1, edited_by=user, edited_at=now, **changes)
    if not written:
        raise conflict(segment.pk)
    segment.refresh_from_db()
    return segment


def edit_segment(segment_id: int, text: str, revision: int, by_user: Any) -> Segment:
    """Correct a segment's text, if nobody changed it since the clerk loaded `revision`."""
    text = text.replace("\r\n", "\n").strip()
    with transaction.atomic():
        segment = _locked_segment(segment_id, by_user)
        before = segment.text
        if text == before and segment.revision == revision:
            return segment
        segment = _bump(segment, revision, by_user, text=text)
        record("meetings.segment.edited", municipality=segment.municipality, actor=by_user, obj=segment,
               data={"before": before, "after": text, "revision": segment.revision})
    return segment


@dataclass(frozen=True)
class Speaker:
    """Who speaks: a member of the body, or a free label (事務局長, 参考人)."""

    member_id: int | None = None
    label: str = ""

    @classmethod
    def parse(cls, value: str) -> Speaker:
        """From a select's value: "m:<id>" for a member, "l:<label>" or the label itself, "" for nobody."""
        value = value.strip()
        if value.startswith("m:") and value[2:].isdigit():
            return cls(member_id=int(value[2:]))
        return cls(label=value.removeprefix("l:").strip()[:60])

    @property
    def value(self) -> str:
        return f"m:{self.member_id}" if self.member_id else (f"l:{self.label}" if self.label else "")


def _member(meeting: Meeting, speaker: Speaker) -> Member | None:
    if speaker.member_id is None:
        return None
    member = Member.objects.filter(pk=speaker.member_id, body_id=meeting.body_id).first()
    if member is None:
        raise Refused({"speaker": _("この会議体の委員・議員から選んでください。")})
    return member


def run_from(segment: Segment) -> list[Segment]:
    """The segment and those after it up to the next turn change (a long pause, or where a suggestion says)."""
    following = Segment.objects.filter(recording_id=segment.recording_id, position__gt=segment.position)
    stop = following.filter(turn_change=True).order_by("position").values_list("position", flat=True).first()
    if stop is not None:
        following = following.filter(position__lt=stop)
    return [segment, *following.order_by("position")]


def assign_speaker(segment_id: int, speaker: Speaker, revision: int, by_user: Any, *, run: bool = False
                   ) -> list[Segment]:
    """Name the speaker of one segment, or (`run`) of the segments until the next turn change."""
    with transaction.atomic():
        segment = _locked_segment(segment_id, by_user)
        member = _member(segment.recording.meeting, speaker)
        label = "" if member is not None else speaker.label
        targets = run_from(segment) if run else [segment]
        changed = [_bump(segment, revision, by_user, speaker=member, speaker_label=label)]
        for other in targets[1:]:
            changed.append(_bump(other, other.revision, by_user, speaker=member, speaker_label=label))
        record("meetings.segment.speaker_assigned", municipality=segment.municipality, actor=by_user, obj=segment,
               data={"segments": [s.pk for s in changed], "member": member.pk if member else None, "label": label})
    return changed


def save_segment(segment_id: int, text: str, speaker: Speaker, revision: int, by_user: Any, *, run: bool = False
                 ) -> Segment:
    """The editor's 「保存」: the text and the speaker of one segment together (the speaker also for the run until
    the next turn change with `run`), conditional on `revision` as every edit is."""
    with transaction.atomic():
        segment = edit_segment(segment_id, text, revision, by_user)
        current = Speaker(segment.speaker_id, "" if segment.speaker_id else segment.speaker_label)
        if run or current != speaker:
            segment = assign_speaker(segment_id, speaker, segment.revision, by_user, run=run)[0]
    return segment


def _shift(recording_id: int, after: int, by: int) -> None:
    """Move every segment after position `after` by `by` (±1), through positions no segment holds."""
    later = Segment.objects.filter(recording_id=recording_id, position__gt=after)
    later.update(position=F("position") + _ASIDE)
    Segment.objects.filter(recording_id=recording_id, position__gt=_ASIDE).update(
        position=F("position") - _ASIDE + by)


def _serialise(segment: Segment) -> None:
    """Merges and splits of one recording renumber its segments: one at a time (the recording's row is the lock)."""
    Recording.objects.select_for_update().filter(pk=segment.recording_id).values_list("pk", flat=True).first()
    segment.refresh_from_db(fields=["position", "text", "start", "end", "revision"])


def merge_with_next(segment_id: int, revision: int, by_user: Any) -> Segment:
    """Join a segment and the one after it: one text, from the first's start to the second's end."""
    with transaction.atomic():
        segment = _locked_segment(segment_id, by_user)
        _serialise(segment)
        following = (Segment.objects.select_for_update().filter(recording_id=segment.recording_id,
                                                                position__gt=segment.position)
                     .order_by("position").first())
        if following is None:
            raise Refused(_("最後の発言は、次の発言と結合できません。"))
        speaker, label = segment.speaker, segment.speaker_label
        if speaker is None and not label:
            speaker, label = following.speaker, following.speaker_label
        merged_text = _joined(segment.text, following.text)
        removed = {"id": following.pk, "text": following.text, "start": following.start, "end": following.end}
        end, position = following.end, following.position
        following.delete()
        segment = _bump(segment, revision, by_user, text=merged_text, end=end, speaker=speaker,
                        speaker_label=label)
        _shift(segment.recording_id, position, -1)
        record("meetings.segment.merged", municipality=segment.municipality, actor=by_user, obj=segment,
               data={"removed": removed, "text": merged_text})
    return segment


def _joined(first: str, second: str) -> str:
    """Japanese runs on without a space; Latin words keep one."""
    if first and second and first[-1].isascii() and first[-1].isalnum() and second[0].isascii():
        return f"{first} {second}"
    return first + second


def split_segment(segment_id: int, offset: int, revision: int, by_user: Any) -> tuple[Segment, Segment]:
    """Cut a segment at character `offset`; the time is split in proportion to the characters on each side."""
    with transaction.atomic():
        segment = _locked_segment(segment_id, by_user)
        _serialise(segment)
        text = segment.text
        if not 0 < offset < len(text) or not text[:offset].strip() or not text[offset:].strip():
            raise Refused({"offset": _("分ける位置は、発言の途中（前にも後にも文字が残る位置）を指定してください。")})
        at = round(segment.start + (segment.end - segment.start) * offset / len(text), 3)
        end = segment.end
        before, after = text[:offset].rstrip(), text[offset:].lstrip()
        segment = _bump(segment, revision, by_user, text=before, end=at)
        _shift(segment.recording_id, segment.position, +1)
        second = Segment.objects.create(
            municipality=segment.municipality, recording_id=segment.recording_id, chunk=segment.chunk,
            position=segment.position + 1, start=at, end=end, text=after,
            speaker=segment.speaker, speaker_label=segment.speaker_label, edited_by=by_user,
            edited_at=timezone.now())
        record("meetings.segment.split", municipality=segment.municipality, actor=by_user, obj=segment,
               data={"offset": offset, "at": at, "new": second.pk})
    return segment, second


def split_at_newline(segment_id: int, marked: str, revision: int, by_user: Any) -> tuple[Segment, Segment]:
    """The form without script: the clerk puts a line break where the segment is to be cut, changing nothing else."""
    marked = marked.replace("\r\n", "\n")
    segment = Segment.objects.filter(pk=segment_id).only("text").first()
    offset = marked.find("\n")
    if segment is None or offset < 0 or marked.replace("\n", "", 1) != segment.text:
        raise Refused({"marked": _("分けたい位置で一度だけ改行してください（ほかの文字は変えないでください）。")})
    return split_segment(segment_id, offset, revision, by_user)


# ---------------------------------------------------------------- speaker suggestions

CHAIR_TITLES = ("議長", "委員長", "会長", "座長", "副議長", "副委員長")
# A chair's call at the end of their words: 「山田議員。」「町長。」「総務課長。」「田中委員。」
CALLED_TITLE = (r"(?:議員|委員|町長|副町長|村長|副村長|市長|副市長|教育長|課長|局長|部長|室長|所長|参事|次長|主幹|"
                r"会計管理者|事務局長|参考人|君|さん)")
CALL = re.compile(rf"(?:^|[。、\s])(?P<called>[^\s。、「」！？!?]{{0,12}}{CALLED_TITLE})。?\s*$")
CHAIR_CUES = re.compile(r"^(?:これより|ただいまから|ただいまの|ほかに|以上で|お諮りします|お諮りいたします|異議なし|"
                        r"ご異議なし|暫時休憩|休憩|再開|これをもって)|(?:ありませんか|ございませんか)。?$")


@dataclass(frozen=True)
class Suggestion:
    """A proposed speaker for one segment, with why; applied only when the clerk accepts it."""

    segment_id: int
    position: int
    speaker: Speaker
    name: str  # how it reads (山田議員), for the clerk
    reason: str


def _chair(members: list[Member]) -> Member | None:
    for title in CHAIR_TITLES:
        for member in members:
            if member.title == title:
                return member
    return None


def _called(text: str, members: list[Member], chair: Member | None) -> tuple[Speaker, str] | None:
    """Whom the chair calls at the end of `text`: a member by title (or surname + title), else a free label."""
    last = re.split(r"(?<=[。！？])", text.strip().rstrip("\n"))
    sentences = [s for s in last if s.strip()]
    if not sentences:
        return None
    match = CALL.search(sentences[-1].strip())
    if match is None:
        return None
    called = match.group("called").strip()
    if len(sentences[-1].strip().rstrip("。")) > len(called) + 2:
        return None  # 「…について町長に伺います。」 is a question, not a call
    for member in members:
        if member is chair:
            continue
        if called in (member.title, f"{member.name}{member.title}", f"{member.name}君", f"{member.name}議員"):
            return Speaker(member_id=member.pk), member.title
        surname = member.title.removesuffix("議員").removesuffix("委員")
        by_surname = surname != member.title and called.startswith(surname)
        if surname and by_surname and called.endswith(("議員", "委員", "君")):
            return Speaker(member_id=member.pk), member.title
    label = called.removesuffix("君").removesuffix("さん") or called
    return Speaker(label=label), label


def suggest_speakers(meeting: Meeting) -> list[Suggestion]:
    """Speakers for the segments, from the chair's calls and the turn changes; only where they differ from what is
    assigned. The calling segment is the chair's; the named speaker holds the floor until the next turn change or
    until the chair speaks again."""
    segments = segments_of(meeting)
    members = list(Member.objects.filter(body_id=meeting.body_id))
    chair = _chair(members)
    found: list[Suggestion] = []
    floor: tuple[Speaker, str] | None = None
    fresh = False  # the segment right after a call: its pause is the hand-over, not the end of the floor
    for segment in segments:
        call = _called(segment.text, members, chair)
        chair_speaks = call is not None or bool(CHAIR_CUES.search(segment.text.strip()))
        if segment.turn_change and not fresh and not chair_speaks:
            floor = None
        proposal: tuple[Speaker, str, str] | None = None
        if chair_speaks and chair is not None:
            reason = _("議長の指名") if call is not None else _("議事進行の言葉")
            proposal = (Speaker(member_id=chair.pk), chair.title, reason)
        elif floor is not None:
            proposal = (floor[0], floor[1], _("議長に指名された発言者"))
        elif segment.turn_change:
            proposal = (Speaker(), "", _("長い間（ま）のあと：発言者が変わった可能性があります"))
        fresh = call is not None
        floor = call if call is not None else (None if chair_speaks else floor)
        if proposal is not None and _differs(segment, proposal[0]):
            found.append(Suggestion(segment.pk, segment.position, proposal[0], proposal[1], proposal[2]))
    return found


def _differs(segment: Segment, speaker: Speaker) -> bool:
    if not speaker.member_id and not speaker.label:
        return not segment.speaker_id and not segment.speaker_label
    return (segment.speaker_id, segment.speaker_label if not segment.speaker_id else "") != (
        speaker.member_id, speaker.label)


def apply_suggestions(meeting: Meeting, by_user: Any, segment_ids: Iterable[int] | None = None) -> int:
    """「提案を適用」: the current suggestions (those for `segment_ids`, or all) become the speakers; the number
    applied. Suggestions without a speaker (a pause only) change nothing."""
    _require_clerk(by_user, meeting)
    wanted = set(segment_ids) if segment_ids is not None else None
    applied = 0
    with transaction.atomic():
        _require_editable(meeting)
        for suggestion in suggest_speakers(meeting):
            if wanted is not None and suggestion.segment_id not in wanted:
                continue
            if not suggestion.speaker.member_id and not suggestion.speaker.label:
                continue
            segment = Segment.objects.get(pk=suggestion.segment_id)
            assign_speaker(segment.pk, suggestion.speaker, segment.revision, by_user)
            applied += 1
        record("meetings.minutes.suggestions_applied", municipality=meeting.municipality, actor=by_user,
               obj=meeting, data={"applied": applied})
    return applied


# ---------------------------------------------------------------- publication

def ensure_minutes(meeting: Meeting) -> Minutes:
    minutes, _created = Minutes.objects.get_or_create(meeting=meeting, defaults={"municipality": meeting.municipality})
    return minutes


def publish_refusals(meeting: Meeting) -> list[str]:
    """Why the minutes cannot be published now (empty: they can)."""
    reasons = []
    if not meeting.public:
        reasons.append(_("非公開の会議の会議録は公開できません。"))
    if meeting.state != MeetingState.HELD:
        reasons.append(_("開催済みの会議だけ、会議録を公開できます。"))
    if not segments_of(meeting):
        reasons.append(_("文字起こしの済んだ発言がありません。"))
    minutes = minutes_of(meeting)
    if minutes is not None and minutes.summary_kind == SummaryKind.AI_DRAFT and minutes.summary_confirmed_at is None:
        reasons.append(_("AIによる要約の下書きが未確認です。内容を確かめて「内容を確認した」を押してから公開してください。"))
    return reasons


def publish_minutes(meeting: Meeting, by: Any) -> Minutes:
    """Publish the minutes to residents (and so to the assistant)."""
    _require_clerk(by, meeting)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        reasons = publish_refusals(meeting)
        if reasons:
            raise Refused(reasons)
        minutes = ensure_minutes(meeting)
        if minutes.published_at is not None:
            raise Refused(_("この会議録はすでに公開しています。"))
        minutes.published_at, minutes.published_by = timezone.now(), by
        minutes.revision += 1
        minutes.save(update_fields=["published_at", "published_by", "revision"])
        record("meetings.minutes.published", municipality=meeting.municipality, actor=by, obj=minutes,
               data={"meeting": str(meeting.uuid)})
    return minutes


def unpublish_minutes(meeting: Meeting, by: Any) -> Minutes:
    """Withdraw the published minutes (to correct them); residents and the assistant no longer see them."""
    _require_clerk(by, meeting)
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
        if minutes is None or minutes.published_at is None:
            raise Refused(_("この会議録は公開していません。"))
        minutes.published_at, minutes.published_by = None, None
        minutes.revision += 1
        minutes.save(update_fields=["published_at", "published_by", "revision"])
        record("meetings.minutes.unpublished", municipality=meeting.municipality, actor=by, obj=minutes,
               data={"meeting": str(meeting.uuid)})
    return minutes
