"""Public records 施設予約 offers the other apps through the kernel: its published facilities (公共施設一覧 or
子育て施設一覧, as the town chooses) and the published 講座 sessions of the year ahead (イベント一覧), as rows in the
columns of the 自治体標準オープンデータセット; each bookable facility's 使用料と予約のきまり (guide.py) as a document
the assistant answers from; a change to a facility, a room, its booking rules, a 団体区分, a 講座 or a session
announces it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import localtime

from yakuba.kernel import records
from yakuba.kernel.scheduling.models import Resource
from yakuba.kernel.tenancy.models import Municipality

from . import guide
from .models import AppointmentType, Course, Facility, GroupCategory, Room, Session

FACILITY = "reservations.facility"
GUIDE = "reservations.guide"
SESSION = "reservations.session"
EVENTS_AHEAD = timedelta(days=366)


def facility_rows(municipality: Municipality) -> list[records.Row]:
    rows = []
    for facility in (Facility.objects.filter(is_published=True).select_related("department")
                     .prefetch_related("rooms")):
        url = municipality.absolute_url(reverse("reservations:facility", args=[facility.slug]))
        address = facility.address
        rows.append(records.Row(facility.slug, {
            "ID": facility.slug, "名称": facility.name, "名称_カナ": facility.name_kana, "種別": facility.category,
            "所在地_連結表記": address, "住所": address, "所在地": address,
            "緯度": facility.latitude or "", "経度": facility.longitude or "",
            "電話番号": facility.phone or (facility.department.phone if facility.department else ""),
            "利用可能日時特記事項": facility.opening_hours, "説明": facility.description, "URL": url,
            "収容定員": sum(room.people or 0 for room in facility.rooms.all()) or "",
        }))
    return rows


def session_rows(municipality: Municipality) -> list[records.Row]:
    now = timezone.now()
    sessions = (Session.objects.filter(course__is_published=True, starts_at__gte=now, starts_at__lte=now + EVENTS_AHEAD)
                .select_related("course__department", "resource").order_by("starts_at", "pk"))
    rows = []
    for session in sessions:
        start, end = localtime(session.starts_at), localtime(session.ends_at)
        course = session.course
        department = course.department
        rows.append(records.Row(f"session-{session.pk}", {
            "ID": f"session-{session.pk}", "イベント名": course.title, "開始日": start.date().isoformat(),
            "終了日": end.date().isoformat(), "開始時間": start.strftime("%H:%M"), "終了時間": end.strftime("%H:%M"),
            "説明": course.description, "料金(基本)": "", "場所名称": session.place, "定員": session.resource.capacity,
            "連絡先名称": department.name if department else "",
            "連絡先電話番号": (department.phone if department else "") or municipality.phone,
            "主催者": f"{municipality.name}{department.name if department else ''}",
            "参加申込方法": "ウェブサイトから申込", "URL": municipality.absolute_url(
                reverse("reservations:course", args=[course.slug])),
        }))
    return rows


def _guides(slug: str | None = None) -> Iterator[records.Document]:
    facilities = Facility.objects.filter(is_published=True).select_related("department").order_by("sort_order", "pk")
    if slug is not None:
        facilities = facilities.filter(slug=slug)
    categories = list(GroupCategory.objects.order_by("sort_order", "pk"))
    for facility in facilities:
        rooms = list(facility.rooms.select_related("resource").filter(resource__is_active=True))
        if not rooms:
            continue
        yield records.Document(
            key=f"{GUIDE}:{facility.pk}", category="procedure", title=guide.title(facility),
            text=guide.text(facility, rooms, categories),
            url=reverse("reservations:facility", args=[facility.slug]), version_date=None,
            department=facility.department, name=facility.slug)


def guide_documents(municipality: Municipality) -> Iterator[records.Document]:
    return _guides()


def find_guide(name: str) -> records.Document | None:
    return next(_guides(name), None)


records.register_rows(records.RowSource(FACILITY, facility_rows, datasets=("public-facilities", "childcare-facilities"),
                                        chosen=True))
records.register_rows(records.RowSource(SESSION, session_rows, datasets=("events",)))
records.announce_saves(FACILITY, Facility, Room)
records.announce_saves(SESSION, Course, Session)
records.register_documents(records.DocumentSource(GUIDE, guide_documents, find_guide))
records.announce_saves(GUIDE, Facility, Room, Resource, GroupCategory)

# What else the public facility pages show (cached pages follow these kinds: kernel/ui/pagecache.py).
PAGES = "reservations.page"
records.announce_saves(PAGES, AppointmentType)
