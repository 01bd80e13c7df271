"""The assistant reads every public page of the town's site, section by section: each part under an h2 heading
(and each よくある質問) is one document, so an answer cites the very part of the official page, with a link to it
(the page's URL and the heading's anchor). Pages announce PAGES on every change (registry.py), which is also the
kind of these documents, so the assistant syncs the town's documents after each publication."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone

from yakuba.kernel import records
from yakuba.kernel.tenancy.models import Municipality

from . import blocks as page_blocks
from .models import Page, PageKind
from .registry import PAGES

KIND = PAGES
# The assistant's kinds of document (assistant.models.Kind) a page's sections count as.
CATEGORY = {
    PageKind.PROCEDURE: "procedure",  # 手続の案内
    PageKind.FACILITY: "procedure",  # how to use and book a facility
    PageKind.ARTICLE: "notice",  # お知らせ
    PageKind.EVENT: "notice",
    PageKind.FAQ: "faq",  # よくある質問
}
OTHER = "other"


def _details_text(page: Page) -> str:
    """The facts of a page's kind, as lines the assistant can match (手数料, 持ち物, 場所 …)."""
    from .views.public import _detail_rows, linked_of

    version = page.live
    if version is None:
        return ""
    rows = _detail_rows(page, version, linked_of(page.municipality, page, version))
    return "\n".join(f"{label}: {value}" for label, value, _lang in rows)


def _documents(page: Page) -> Iterator[records.Document]:
    version = page.live
    if version is None:
        return
    try:
        parsed = page_blocks.parse(version.blocks)
    except page_blocks.BlockError:
        return
    url = reverse("website:page", args=[page.path])
    category = CATEGORY.get(PageKind(page.kind), OTHER) if page.kind in PageKind.values else OTHER
    published = timezone.localdate(version.published_at) if version.published_at else None
    facts = _details_text(page)
    for section in page_blocks.sections(parsed):
        title = f"{version.title} — {section.heading}" if section.heading else version.title
        lead = [version.title, version.summary, facts] if not section.anchor else [title]
        text = "\n".join(line for line in [*lead, section.text] if line)
        yield records.Document(
            key=f"{KIND}:{page.pk}:{section.anchor}", category=category, title=title, text=text,
            url=f"{url}#{section.anchor}" if section.anchor else url, version_date=published,
            department=page.department, name=f"{page.uuid}:{section.anchor}")


def _public() -> Iterator[Page]:
    from .views.public import public_pages

    yield from public_pages().select_related("live", "department", "municipality").order_by("path")


def documents(municipality: Municipality) -> Iterator[records.Document]:
    for page in _public():
        yield from _documents(page)


def find(name: str) -> records.Document | None:
    """The section `name` ("<page uuid>:<anchor>", anchor "" for the lead) of a public page, or None."""
    page_uuid, _sep, anchor = name.partition(":")
    try:
        wanted = uuid.UUID(page_uuid)
    except ValueError:
        return None
    from .views.public import public_pages

    page = public_pages().select_related("live", "department", "municipality").filter(uuid=wanted).first()
    if page is None:
        return None
    return next((document for document in _documents(page) if document.name == f"{page.uuid}:{anchor}"), None)


records.register_documents(records.DocumentSource(KIND, documents, find))
