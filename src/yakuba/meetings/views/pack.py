"""The pack (会議資料) as members and readers open it: their meetings, a meeting's documents per agenda item, the page
viewer (one page image at a time), page images, search inside the pack, and each member's own notes."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from yakuba.kernel.files.http import private_file_response
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.ui.pagecache import cacheable_public

from ..models import Document, Meeting, MeetingState, Member, Page, Version
from ..registry import PAGES
from ..services import notes, pages, search
from ..services.access import can_read_pack, can_take_notes, is_clerk, member_of, staff_of
from ..services.pack import describe_changes

PUBLIC_MAX_AGE = 3600  # a published pack's page images, for anyone: a withdrawn publication ends within the hour
PRIVATE_MAX_AGE = 86400  # a member's browser keeps a page image a day (a version never changes)


def _login(request: TownRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("accounts:login") + "?" + urlencode({"next": request.get_full_path()}))


def _meeting(request: TownRequest, meeting: UUID) -> Meeting:
    """The meeting if this user may read its pack; otherwise 404, as for a meeting that does not exist."""
    row = Meeting.objects.select_related("body").filter(uuid=meeting).first()
    if row is None or not can_read_pack(request.user, row):
        raise Http404
    return row


def _guarded(view: Any) -> Any:
    """An anonymous visitor who may not read the pack is asked to sign in (any uuid does the same, so nothing is
    told about the meeting); a signed-in person who may not read it gets 404."""
    def wrapped(request: TownRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response: HttpResponseBase = view(request, *args, **kwargs)
        except Http404:
            if not request.user.is_authenticated:
                return _login(request)
            raise
        return response
    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _document(meeting: Meeting, pk: int) -> Document:
    document = (Document.objects.select_related("current", "item").filter(meeting=meeting, pk=pk,
                                                                          current__isnull=False).first())
    if document is None:
        raise Http404
    return document


def my(request: TownRequest) -> HttpResponse:
    """私の会議: the meetings of the bodies the signed-in person sits on, upcoming first, then past ones."""
    if not request.user.is_authenticated:
        return _login(request)
    bodies = Member.objects.filter(user=request.user, active=True).values("body_id")
    meetings = Meeting.objects.filter(body_id__in=bodies).select_related("body")
    now = timezone.now()
    upcoming = meetings.filter(state=MeetingState.PLANNED, starts_at__gte=now - timedelta(hours=12))
    past = meetings.exclude(pk__in=upcoming.values("pk"))
    return render(request, "meetings/pack/my.html", {"upcoming": upcoming.order_by("starts_at"),
                                                     "past": past.order_by("-starts_at")[:50]})


def _rows(meeting: Meeting) -> list[dict[str, Any]]:
    documents = list(Document.objects.filter(meeting=meeting, current__isnull=False).select_related("current"))
    rows: list[dict[str, Any]] = []
    for item in [*meeting.items.all(), None]:
        mine = [d for d in documents if d.item_id == (item.pk if item else None)]
        if mine:
            rows.append({"item": item, "documents": [{"document": d, "version": d.current,
                                                      "changes": describe_changes(d.current)}
                                                     for d in mine if d.current is not None]})
    return rows


@cacheable_public(kinds=(PAGES,))  # a published pack, for anonymous readers (members are signed in: never cached)
@_guarded
def pack(request: TownRequest, meeting: UUID) -> HttpResponse:
    """会議資料: the documents per agenda item, with version, page count and what a 差し替え changed."""
    row = _meeting(request, meeting)
    return render(request, "meetings/pack/pack.html", {"meeting": row, "items": _rows(row),
                                                       "is_member": member_of(request.user, row.body) is not None})


def _page_number(request: TownRequest, version: Version) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    return min(max(number, 1), max(version.pages, 1))


@cacheable_public(kinds=(PAGES,))  # as `pack`: the same page for every anonymous reader of a published pack
@_guarded
def viewer(request: TownRequest, meeting: UUID, document: int) -> HttpResponse:
    """The viewer: page N of the current version, as an image with its text; with ?format=json what the script needs
    to show another page without loading the whole viewer again."""
    row = _meeting(request, meeting)
    doc = _document(row, document)
    version = doc.current
    assert version is not None
    number = _page_number(request, version)
    text = Page.objects.filter(version=version, number=number).values_list("text", flat=True).first() or ""
    alt = f"{doc.title} {number}ページ"
    if request.GET.get("format") == "json":
        return JsonResponse({"page": number, "pages": version.pages, "alt": alt, "text": text},
                            json_dumps_params={"ensure_ascii": False})
    note = notes.note_of(request.user, doc, number)
    return render(request, "meetings/pack/viewer.html", {
        "meeting": row, "document": doc, "version": version, "page": number, "text": text, "alt": alt,
        "changes": describe_changes(version), "note": note, "can_note": can_take_notes(request.user, row),
        "page_range": range(1, version.pages + 1), "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < version.pages else None})


def _version(request: TownRequest, pk: int) -> tuple[Version, bool]:
    """The version if this user may see it, and whether it is open to anyone (a published public pack's current
    version). Members and the 事務局 see every version of their meetings; readers of a published pack the current."""
    version = Version.objects.select_related("document__meeting__body").filter(pk=pk).first()
    if version is None:
        raise Http404
    meeting = version.document.meeting
    public = meeting.public and meeting.pack_published_at is not None and version.document.current_id == version.pk
    insider = member_of(request.user, meeting.body) is not None or is_clerk(staff_of(request.user), meeting.body)
    if not (public or insider):
        raise Http404
    return version, public


@_guarded
def page_image(request: TownRequest, version: int, page: int, size: str = "page") -> HttpResponse:
    """A page as WebP, rendered on its first request."""
    row, public = _version(request, version)
    try:
        data = pages.image(row, page, pages.SIZES[size])
    except ValueError:
        raise Http404 from None
    response = HttpResponse(data, content_type=pages.CONTENT_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    shared = public and not request.user.is_authenticated
    response["Cache-Control"] = (f"public, max-age={PUBLIC_MAX_AGE}" if shared
                                 else f"private, max-age={PRIVATE_MAX_AGE}")
    return response


@_guarded
def version_file(request: TownRequest, version: int, which: str) -> HttpResponseBase:
    """A version's PDF, or its original (an Office file that could not be converted is read this way)."""
    row, _public = _version(request, version)
    if which == "pdf" and row.pdf:
        stem = row.original_name.rsplit(".", 1)[0]
        return private_file_response(row.pdf, content_type="application/pdf", filename=f"{stem}.pdf")
    if which == "original":
        return private_file_response(row.original, content_type=row.original_type, filename=row.original_name)
    raise Http404


@_guarded
def search_view(request: TownRequest, meeting: UUID) -> HttpResponse:
    """資料内を検索: the pages whose text contains the words, each linked to its page in the viewer."""
    row = _meeting(request, meeting)
    query = request.GET.get("q", "").strip()
    return render(request, "meetings/pack/search.html", {"meeting": row, "query": query,
                                                         "hits": search.search(row, query) if query else []})


def _note_json(note: Any, page: int) -> dict[str, Any]:
    return {"page": page, "text": note.text if note else "", "marks": note.marks if note else [],
            "version": note.version_number if note else None}


def _json_body(request: TownRequest) -> dict[str, Any] | None:
    if request.content_type != "application/json":
        return None
    try:
        data = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _form_marks(request: TownRequest, note: Any) -> list[Any]:
    if request.POST.get("clear_marks"):
        return []
    marks = list(note.marks) if note else []
    if request.POST.get("mark_page"):
        marks.append({"x": 0, "y": 0, "w": 1, "h": 1})
    return marks


@_guarded
@require_http_methods(["GET", "POST", "DELETE"])
def notes_view(request: TownRequest, meeting: UUID, document: int) -> HttpResponse:
    """The signed-in member's own note on one page (?page=N): JSON for the viewer's script; a form post (the viewer
    without script) goes back to the page."""
    row = _meeting(request, meeting)
    if not can_take_notes(request.user, row):
        raise Http404
    doc = _document(row, document)
    assert doc.current is not None
    number = _page_number(request, doc.current)
    body = _json_body(request)
    if request.method == "GET":
        return JsonResponse(_note_json(notes.note_of(request.user, doc, number), number),
                            json_dumps_params={"ensure_ascii": False})
    if request.method == "DELETE" or (body is None and request.POST.get("delete")):
        notes.delete_note(request.user, doc, number)
        if body is None and request.method == "POST":
            return HttpResponseRedirect(_viewer_url(row, doc, number))
        return JsonResponse(_note_json(None, number))
    try:
        if body is not None:
            saved = notes.save_note(request.user, doc, number, text=str(body.get("text", "")),
                                    marks=body.get("marks", []))
            return JsonResponse(_note_json(saved, number), json_dumps_params={"ensure_ascii": False})
        current = notes.note_of(request.user, doc, number)
        notes.save_note(request.user, doc, number, text=request.POST.get("text", ""),
                        marks=_form_marks(request, current))
    except Refused as refusal:
        if body is not None:
            return JsonResponse({"errors": refusal.messages}, status=400, json_dumps_params={"ensure_ascii": False})
        return render(request, "meetings/pack/note_refused.html", {"meeting": row, "document": doc, "page": number,
                                                                    "errors": refusal.messages}, status=400)
    return HttpResponseRedirect(_viewer_url(row, doc, number) + "#note")


def _viewer_url(meeting: Meeting, document: Document, page: int) -> str:
    return reverse("meetings:viewer", kwargs={"meeting": meeting.uuid, "document": document.pk}) + f"?page={page}"


urlpatterns = [
    path("meetings/my/", my, name="my"),
    path("meetings/<uuid:meeting>/pack/", pack, name="pack"),
    path("meetings/<uuid:meeting>/pack/search/", search_view, name="search"),
    path("meetings/<uuid:meeting>/pack/<int:document>/", viewer, name="viewer"),
    path("meetings/<uuid:meeting>/pack/<int:document>/notes/", notes_view, name="notes"),
    path("meetings/pack/pages/<int:version>/<int:page>.webp", page_image, name="page"),
    path("meetings/pack/pages/<int:version>/<int:page>.thumb.webp", page_image, {"size": "thumb"}, name="thumb"),
    path("meetings/pack/files/<int:version>/<str:which>/", version_file, name="file"),
]
