"""会議録: the 事務局's segment editor (play from a segment, correct, name speakers, merge, split, suggestions,
summary, export, publish), the recording streamed with Range so the player can seek, and the published minutes
residents read."""

from __future__ import annotations

import mimetypes
from bisect import bisect_right
from typing import Any
from uuid import UUID

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yakuba.kernel import ai
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.files.http import bytes_response, ranged_file_response
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.ui.actions import act_once, attempt, error_summary
from yakuba.kernel.ui.pagecache import cacheable_public

from ..models import Meeting, Member, Recording, Segment, SummaryKind
from ..registry import CONTENT, KIND
from ..services import export
from ..services import minutes as service
from ..services import summary as summaries
from ..services.access import is_clerk
from ..services.summary import Line, clock

# Types browsers' <audio> plays by these names (mimetypes says audio/mp4a-latm for .m4a, which they do not).
AUDIO_TYPES = {"mp3": "audio/mpeg", "m4a": "audio/mp4", "aac": "audio/aac", "wav": "audio/wav", "ogg": "audio/ogg",
               "oga": "audio/ogg", "opus": "audio/ogg", "webm": "audio/webm", "flac": "audio/flac", "mp4": "video/mp4",
               "mov": "video/quicktime"}
PAGE_SIZE = 100  # segments a page: a four-hour meeting has thousands
COMMON_LABELS = ("事務局長", "議会事務局長", "書記", "参考人", "説明員")


def _clerk_meeting(request: TownRequest, meeting: UUID) -> Meeting:
    """The meeting, for its 事務局 only: anyone else is told it does not exist."""
    found: Meeting = get_object_or_404(Meeting.objects.select_related("body"), uuid=meeting)
    if not is_clerk(request.staff, found.body):
        raise Http404
    return found


def _speaker_choices(meeting: Meeting, segments: list[Segment]) -> list[tuple[str, str]]:
    members = [(f"m:{m.pk}", f"{m.title}（{m.name}）") for m in Member.objects.filter(body_id=meeting.body_id)]
    labels = sorted({s.speaker_label for s in segments if s.speaker_label and not s.speaker_id} | set(COMMON_LABELS))
    return [("", _("（未設定）")), *members, *[(f"l:{label}", label) for label in labels]]


def place(segment: Segment) -> str:
    """The query and anchor of a segment on the editor's pages (positions run 0…n, PAGE_SIZE a page)."""
    return f"?page={segment.position // PAGE_SIZE + 1}#s-{segment.pk}"


def _summary_links(lines: list[Line], segments: list[Segment]) -> list[dict[str, Any]]:
    """Each summary line with the place of the segment its time falls in (the link to that place)."""
    starts = [s.start for s in segments]
    shown = []
    for line in lines:
        href = ""
        if line.start is not None and segments:
            href = place(segments[max(bisect_right(starts, line.start + 0.5) - 1, 0)])
        shown.append({"line": line, "href": href, "time": clock(line.start) if line.start is not None else ""})
    return shown


def _editor(request: TownRequest, meeting: Meeting, *, status: int = 200, errors: list[Any] | None = None,
            conflict: dict[str, Any] | None = None) -> HttpResponse:
    segments = service.segments_of(meeting)
    minutes = service.minutes_of(meeting)
    recording = service.recording_of(meeting)
    suggestions = service.suggest_speakers(meeting) if segments else []
    by_segment = {s.segment_id: s for s in suggestions}
    by_pk = {s.pk: s for s in segments}
    wanted = request.GET.get("page")
    if conflict is not None and conflict["segment"] in by_pk:
        wanted = str(by_pk[conflict["segment"]].position // PAGE_SIZE + 1)
    page = Paginator(segments, PAGE_SIZE).get_page(wanted)
    applicable = [s for s in suggestions if s.speaker.member_id or s.speaker.label]
    return render(request, "meetings/staff/minutes.html", {
        "meeting": meeting, "recording": recording, "minutes": minutes, "page": page,
        "rows": [{"segment": s, "time": clock(s.start), "suggestion": by_segment.get(s.pk),
                  "speaker_value": service.Speaker(s.speaker_id, "" if s.speaker_id else s.speaker_label).value,
                  "has_next": s.position < len(segments) - 1,
                  "conflict": conflict if conflict and conflict["segment"] == s.pk else None}
                 for s in page.object_list],
        "choices": _speaker_choices(meeting, segments),
        "applicable": [{"suggestion": s, "href": place(by_pk[s.segment_id])} for s in applicable],
        "summary": _summary_links(summaries.parse(minutes.summary), segments) if minutes and minutes.summary else [],
        "unconfirmed": minutes is not None and minutes.summary_kind == SummaryKind.AI_DRAFT
        and minutes.summary_confirmed_at is None,
        "published": minutes is not None and minutes.published_at is not None,
        "publish_refusals": service.publish_refusals(meeting), "ai_enabled": ai.enabled(),
        "errors": errors or []}, status=status)


@staff_required()
def editor(request: TownRequest, meeting: UUID) -> HttpResponse:
    """会議録の編集: every segment with its time, speaker and text."""
    return _editor(request, _clerk_meeting(request, meeting))


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _segment_json(segment: Segment) -> dict[str, Any]:
    return {"id": segment.pk, "revision": segment.revision, "text": segment.text, "speaker": segment.who,
            "start": segment.start, "end": segment.end}


def _int(value: str | None, default: int = -1) -> int:
    try:
        return int(value or "")
    except ValueError:
        return default


@staff_required()
@require_POST
def segment_action(request: TownRequest, pk: int) -> HttpResponse:
    """One segment's form: 保存 (text and speaker), 次の区切りまで同じ発言者, 次と結合, カーソル位置で分割."""
    segment: Segment = get_object_or_404(Segment.objects.select_related("recording__meeting__body"), pk=pk)
    meeting = segment.recording.meeting
    if not is_clerk(request.staff, meeting.body):
        raise Http404
    post, user = request.POST, request.user
    revision, action = _int(post.get("revision")), post.get("action", "save")
    speaker = service.Speaker.parse(post.get("label", "").strip() or post.get("speaker", ""))
    actions = {
        "save": lambda: service.save_segment(pk, post.get("text", ""), speaker, revision, user),
        "speaker_run": lambda: service.save_segment(pk, post.get("text", ""), speaker, revision, user, run=True),
        "merge": lambda: service.merge_with_next(pk, revision, user),
        "split": lambda: service.split_segment(pk, _int(post.get("offset")), revision, user)[0],
    }
    if action not in actions:
        raise Http404
    back = reverse("staff:meetings-minutes", args=[meeting.uuid]) + place(segment)
    if _wants_json(request):
        outcome = attempt(request, actions[action])
        if outcome.refused is not None:
            return _refusal_json(outcome.refused, pk, post.get("text", ""))
        if outcome.repeated or outcome.result is None:
            return JsonResponse({"ok": False, "message": _("この操作はすでに受け付けています。")}, status=409)
        return JsonResponse({"ok": True, "message": _("保存しました。"), "segment": _segment_json(outcome.result)})
    return act_once(request, actions[action], back=back, done={
        "save": _("保存しました。"), "speaker_run": _("次の間（ま）まで同じ発言者にしました。"),
        "merge": _("次の発言と結合しました。"), "split": _("発言を分割しました。")}[action],
        refused=lambda error: _segment_refused(request, meeting, pk, error, post.get("text", "")))


def _refusal_json(error: Refused, pk: int, yours: str) -> JsonResponse:
    current = Segment.objects.filter(pk=pk).first()
    return JsonResponse({"ok": False, "message": error.message, "yours": yours,
                         "current": _segment_json(current) if current is not None else None}, status=409)


def _segment_refused(request: TownRequest, meeting: Meeting, pk: int, error: Refused, yours: str) -> HttpResponse:
    """The page again, the refusal on top and, at the segment, what is saved now beside what the clerk typed."""
    current = Segment.objects.filter(pk=pk).first()
    conflict = {"segment": pk, "current": current.text if current else "", "yours": yours,
                "message": error.message}
    return _editor(request, meeting, status=409, errors=error_summary(refused=error), conflict=conflict)


@staff_required()
@require_POST
def segment_split(request: TownRequest, pk: int) -> HttpResponse:
    """分割 without script: the clerk marks the place with a line break."""
    segment: Segment = get_object_or_404(Segment.objects.select_related("recording__meeting__body"), pk=pk)
    meeting = segment.recording.meeting
    if not is_clerk(request.staff, meeting.body):
        raise Http404
    return act_once(request, lambda: service.split_at_newline(pk, request.POST.get("marked", ""),
                                                              _int(request.POST.get("revision")), request.user),
                    done=_("発言を分割しました。"),
                    back=reverse("staff:meetings-minutes", args=[meeting.uuid]) + place(segment),
                    refused=lambda error: _segment_refused(request, meeting, pk, error, ""))


@staff_required()
@require_POST
def suggestions(request: TownRequest, meeting: UUID) -> HttpResponse:
    """提案を適用: one suggestion (segment=…) or all of them."""
    found = _clerk_meeting(request, meeting)
    chosen = request.POST.get("segment")
    ids = [_int(chosen)] if chosen else None
    return act_once(request, lambda: service.apply_suggestions(found, request.user, ids),
                    done=lambda n: _("%(n)s件の提案を適用しました。") % {"n": n},
                    back=reverse("staff:meetings-minutes", args=[found.uuid]))


@staff_required()
@require_POST
def summary(request: TownRequest, meeting: UUID) -> HttpResponse:
    """要約: 発言から作る, AIで下書き, 保存, 確認した."""
    found = _clerk_meeting(request, meeting)
    user, text = request.user, request.POST.get("summary", "")
    actions = {
        "extract": (lambda: summaries.make_extractive(found, user), _("発言から要約を作りました。")),
        "ai": (lambda: summaries.make_ai_draft(found, user),
               _("AIで要約の下書きを作りました。内容を確かめて「内容を確認した」を押してください。")),
        "save": (lambda: summaries.save_summary(found, text, user), _("要約を保存しました。")),
        "confirm": (lambda: summaries.confirm_summary(found, user, text or None), _("要約を確認しました。")),
    }
    chosen = actions.get(request.POST.get("action", ""))
    if chosen is None:
        raise Http404
    return act_once(request, chosen[0], done=chosen[1],
                    back=reverse("staff:meetings-minutes", args=[found.uuid]) + "#summary")


@staff_required()
@require_POST
def publication(request: TownRequest, meeting: UUID) -> HttpResponse:
    found = _clerk_meeting(request, meeting)
    back = reverse("staff:meetings-minutes", args=[found.uuid]) + "#publish"
    if request.POST.get("action") == "unpublish":
        return act_once(request, lambda: service.unpublish_minutes(found, request.user),
                        done=_("会議録の公開を取り消しました。"), back=back)
    return act_once(request, lambda: service.publish_minutes(found, request.user),
                    done=_("会議録を公開しました。"), back=back)


@staff_required()
def export_minutes(request: TownRequest, meeting: UUID, fmt: str) -> HttpResponse:
    """会議録の書き出し: PDF or DOCX."""
    found = _clerk_meeting(request, meeting)
    name = f"{found.title} 会議録"
    if fmt == "pdf":
        return bytes_response(export.pdf(found), content_type="application/pdf", filename=f"{name}.pdf")
    if fmt == "docx":
        return bytes_response(export.docx(found), filename=f"{name}.docx", content_type=(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    raise Http404


@staff_required()
def recording_audio(request: TownRequest, pk: int) -> HttpResponse:
    """The recording, streamed with HTTP Range so the player seeks (「ここから再生」)."""
    recording: Recording = get_object_or_404(Recording.objects.select_related("meeting__body"), pk=pk)
    if not is_clerk(request.staff, recording.meeting.body) or not recording.file:
        raise Http404
    extension = recording.original_name.rpartition(".")[2].lower()
    content_type = AUDIO_TYPES.get(extension) or mimetypes.guess_type(recording.original_name)[0] or \
        "application/octet-stream"
    response = ranged_file_response(request, recording.file, content_type=content_type,
                                    filename=recording.original_name)
    return response  # type: ignore[return-value]


@cacheable_public(kinds=(KIND, CONTENT))
def public_minutes(request: TownRequest, meeting: UUID) -> HttpResponse:
    """公開された会議録: each speech with its speaker and time, the summary first."""
    found: Meeting = get_object_or_404(Meeting.objects.select_related("body"), uuid=meeting, public=True, state="held",
                              minutes__published_at__isnull=False)
    doc = export.document(found)
    starts = [s.start for s in doc.speeches]
    summary = []
    for line in doc.summary:
        target = None
        if line.start is not None and doc.speeches:
            target = doc.speeches[max(bisect_right(starts, line.start + 0.5) - 1, 0)].segment_id
        summary.append({"line": line, "segment": target, "time": clock(line.start) if line.start is not None else ""})
    return render(request, "meetings/public/minutes.html", {"meeting": found, "doc": doc, "summary": summary})


urlpatterns: list[URLPattern | URLResolver] = [
    path("meetings/<uuid:meeting>/minutes/", public_minutes, name="minutes"),
]
staff_urlpatterns: list[URLPattern | URLResolver] = [
    path("meetings/<uuid:meeting>/minutes/", editor, name="meetings-minutes"),
    path("meetings/<uuid:meeting>/minutes.<str:fmt>", export_minutes, name="meetings-minutes-export"),
    path("meetings/<uuid:meeting>/minutes/suggestions/", suggestions, name="meetings-minutes-suggestions"),
    path("meetings/<uuid:meeting>/minutes/summary/", summary, name="meetings-minutes-summary"),
    path("meetings/<uuid:meeting>/minutes/publication/", publication, name="meetings-minutes-publication"),
    path("meetings/minutes/segments/<int:pk>/", segment_action, name="meetings-segment"),
    path("meetings/minutes/segments/<int:pk>/split/", segment_split, name="meetings-segment-split"),
    path("meetings/recordings/<int:pk>/audio/", recording_audio, name="meetings-recording-audio"),
]
