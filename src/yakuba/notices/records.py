"""Public records お知らせ offers the other apps through the kernel: each notice residents can see now as a document
the assistant answers from; a saved or deleted notice announces a change."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone

from yakuba.kernel import records
from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.ui.pagecache import ALERT

from .models import Area, Category, DisasterMode, DisasterSettings, Notice, NoticeAttachment, NoticeTranslation, Shelter

KIND = "notices.notice"


def _document(notice: Notice) -> records.Document:
    return records.Document(
        key=f"{KIND}:{notice.pk}", category="notice", title=notice.title, text=f"{notice.title}\n\n{notice.body}",
        url=reverse("notices:detail", args=[notice.public_id]), version_date=timezone.localdate(notice.publish_at),
        department=notice.department, name=str(notice.public_id))


def documents(municipality: Municipality) -> Iterator[records.Document]:
    for notice in Notice.objects.visible().select_related("department"):
        yield _document(notice)


def find(name: str) -> records.Document | None:
    try:
        public_id = uuid.UUID(name)
    except ValueError:
        return None
    notice = Notice.objects.visible().select_related("department").filter(public_id=public_id).first()
    return _document(notice) if notice is not None else None


records.register_documents(records.DocumentSource(KIND, documents, find))
records.announce_saves(KIND, Notice)
# What else the public pages show (cached pages follow these kinds: kernel/ui/pagecache.py).
SHELTER = "notices.shelter"
CONTENT = "notices.content"
records.announce_saves(SHELTER, Shelter)
records.announce_saves(CONTENT, Category, Area, NoticeTranslation, NoticeAttachment)
# 災害モード: its start, change and end are the town's alert, part of every cached page's key; its settings show on the
# light home page only.
DISASTER_SETTINGS = "notices.disaster_settings"
records.announce_saves(ALERT, DisasterMode)
records.announce_saves(DISASTER_SETTINGS, DisasterSettings)
