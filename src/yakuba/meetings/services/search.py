"""資料内を検索: pages of a meeting's current documents whose text contains the words asked for."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Document, Meeting, Page

LIMIT = 200
AROUND = 40  # characters of text shown on each side of the match


@dataclass(frozen=True)
class Hit:
    document: Document
    page: int
    before: str
    match: str
    after: str


def _snippet(text: str, query: str) -> tuple[str, str, str]:
    flat = " ".join(text.split())
    at = flat.lower().find(query.lower())
    if at < 0:
        return flat[:AROUND * 2], "", ""
    start = max(0, at - AROUND)
    end = at + len(query)
    return (("…" if start else "") + flat[start:at], flat[at:end],
            flat[end:end + AROUND] + ("…" if end + AROUND < len(flat) else ""))


def search(meeting: Meeting, query: str) -> list[Hit]:
    """Every page (of the current version of each document) containing `query`, in pack order."""
    query = " ".join(query.split())[:100]
    if not query:
        return []
    documents = {d.pk: d for d in Document.objects.filter(meeting=meeting, current__isnull=False)}
    current = {d.current_id: d for d in documents.values()}
    pages = (Page.objects.filter(version_id__in=list(current), text__icontains=query)
             .order_by("version__document__sort_order", "version__document_id", "number")
             .only("version_id", "number", "text")[:LIMIT])
    return [Hit(current[page.version_id], page.number, *_snippet(page.text, query)) for page in pages]
