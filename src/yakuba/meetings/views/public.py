"""Residents' pages: the public meetings of the town (議会, 委員会, 審議会), each with its agenda, its pack once
published and its minutes once published. Cached through the kernel (they change only with meeting records)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.pagecache import cacheable_public

from ..models import AgendaItem, Meeting, MeetingState, Minutes
from ..registry import PAGES


@require_GET
@cacheable_public(kinds=(PAGES,))
def index(request: TownRequest) -> HttpResponse:
    """議会・会議: upcoming public meetings first, then the held ones with their minutes."""
    rows = Meeting.objects.filter(public=True).exclude(state=MeetingState.CANCELLED).select_related("body")
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    published = set(Minutes.objects.filter(published_at__isnull=False).values_list("meeting_id", flat=True))
    past = list(rows.filter(starts_at__lt=today).order_by("-starts_at")[:60])
    return render(request, "meetings/public/index.html", {
        "upcoming": rows.filter(starts_at__gte=today).order_by("starts_at"),
        "past": [(meeting, meeting.pk in published) for meeting in past]})


@require_GET
@cacheable_public(kinds=(PAGES,))
def meeting(request: TownRequest, uuid: UUID) -> HttpResponse:
    row: Meeting = get_object_or_404(Meeting.objects.select_related("body"), uuid=uuid, public=True)
    if row.state == MeetingState.CANCELLED and row.pack_published_at is None:
        raise Http404
    minutes = Minutes.objects.filter(meeting=row, published_at__isnull=False).first()
    documents: list[Any] = []
    if row.pack_published_at is not None:
        documents = list(row.documents.filter(current__isnull=False).select_related("current"))
    return render(request, "meetings/public/meeting.html", {
        "meeting": row, "items": AgendaItem.objects.filter(meeting=row), "documents": documents,
        "loose": [document for document in documents if document.item_id is None], "minutes": minutes})


urlpatterns = [
    path("meetings/", index, name="index"),
    path("meetings/<uuid:uuid>/", meeting, name="meeting"),
]
staff_urlpatterns: list[Any] = []
