"""What 会議・議事録 offers other systems through the kernel's registries: the public entry on the town's home page,
the staff menu, the kinds of record its public pages follow (kernel/ui/pagecache.py), and each published 会議録 as
assistant documents, one per speech (or a few short speeches together), each carrying the meeting, the speaker and
the time and linking to that place on the public minutes page; publishing, withdrawing or changing minutes
announces it."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakuba.kernel import records
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.ui.registry import Entry, register_public, register_staff

from .models import AgendaItem, Attendance, Body, BodyKind, Document, Meeting, Member, Minutes, Segment, Version
from .services.export import Speech, speeches, when
from .services.minutes import segments_of
from .services.summary import clock

register_public(Entry("meetings:index", _("議会・会議"),
                      _("議会や町の審議会の日程、資料、会議録を見る。"), order=45))
register_staff(Entry("staff:meetings", _("会議・議事録"), role=Role.STAFF, order=9))

# The public meeting pages: a meeting, its agenda and published pack and minutes.
PAGES = "meetings.page"
records.announce_saves(PAGES, Body, Meeting, AgendaItem, Document, Version, Minutes, Segment)

KIND = "meetings.minutes"
PASSAGE_CHARS = 400  # short speeches (「町長。」「異議なし」) are kept together up to about this length


def published_meetings() -> Iterator[Meeting]:
    """Meetings whose minutes residents can read now."""
    yield from (Meeting.objects.filter(public=True, state="held", minutes__published_at__isnull=False)
                .select_related("body__department", "municipality").order_by("starts_at", "pk"))


def passages(items: list[Speech]) -> list[list[Speech]]:
    """Speeches grouped: each long speech alone, short ones with their neighbours up to PASSAGE_CHARS."""
    groups: list[list[Speech]] = []
    size = 0
    for speech in items:
        if groups and size + len(speech.text) <= PASSAGE_CHARS:
            groups[-1].append(speech)
            size += len(speech.text)
        else:
            groups.append([speech])
            size = len(speech.text)
    return groups


def _documents(meeting: Meeting) -> Iterator[records.Document]:
    body = meeting.body
    council = f"{meeting.municipality.name}議会 " if body.kind in (BodyKind.COUNCIL, BodyKind.COMMITTEE) else ""
    page = reverse("meetings:minutes", args=[meeting.uuid])
    for group in passages(speeches(segments_of(meeting))):
        first = group[0]
        lines = "\n".join(f"{speech.heading}（{speech.time}）　{speech.text}" for speech in group)
        yield records.Document(
            key=f"{KIND}:{meeting.pk}:{first.segment_id}", category="minutes",
            title=f"{meeting.title} 会議録 {first.time} {first.speaker}",
            text=(f"{council}{meeting.title} 会議録（{when(meeting.starts_at)}、録音の{clock(first.start)}から）\n"
                  f"{lines}"),
            url=f"{page}#s-{first.segment_id}", version_date=timezone.localdate(meeting.starts_at),
            department=body.department, name=f"{meeting.uuid}:{first.segment_id}")


def documents(municipality: Municipality) -> Iterator[records.Document]:
    for meeting in published_meetings():
        yield from _documents(meeting)


def find(name: str) -> records.Document | None:
    meeting_uuid, _sep, segment = name.partition(":")
    meeting = next((m for m in published_meetings() if str(m.uuid) == meeting_uuid), None)
    if meeting is None:
        return None
    return next((d for d in _documents(meeting) if d.name == name), None)


records.register_documents(records.DocumentSource(KIND, documents, find))
records.announce_saves(KIND, Minutes)
# What else the public minutes page shows (cached pages follow these kinds: kernel/ui/pagecache.py).
CONTENT = "meetings.minutes_content"
records.announce_saves(CONTENT, Meeting, AgendaItem, Attendance, Member, Segment)
