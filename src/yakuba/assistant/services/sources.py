"""Documents kept from the platform's own pages, as the apps offer them through kernel.records: each published
procedure (手続の案内) and each notice residents can see now (お知らせ) is one document, updated when it changes and
retired when it is withdrawn."""

from __future__ import annotations

from django.db.models import Q

from yakuba.kernel import records
from yakuba.kernel.tenancy.models import Municipality

from ..models import SYNCED_KINDS, Document, Kind
from .ingest import DocumentFields, synced_prefixes, upsert


def sync(municipality: Municipality) -> int:
    """Bring the documents the apps offer (procedures, notices) in line with what residents see now; the number of
    documents written."""
    written = 0
    seen: set[str] = set()
    for source in records.document_sources():
        for offered in source.documents(municipality):
            seen.add(offered.key)
            before = _version(municipality, offered.key)
            document = upsert(municipality, source_key=offered.key, text=offered.text, fields=DocumentFields(
                kind=_kind(offered.category), title=offered.title, department=offered.department,
                url=_path(offered.url), version_date=offered.version_date))
            written += document is not None and document.version != before
    synced = Q(kind__in=[Kind.PROCEDURE, Kind.NOTICE])
    for prefix in synced_prefixes():  # kept from another app under a kind of their own (会議録: その他の文書)
        synced |= Q(source_key__startswith=prefix)
    stale = (Document.objects.filter(synced, retired_at__isnull=True)
             .exclude(source_key="").exclude(source_key__in=seen).values_list("source_key", flat=True))
    for key in list(stale):
        upsert(municipality, source_key=key, text="", fields=DocumentFields(kind=Kind.OTHER, title=""))
        written += 1
    return written


def _kind(category: str) -> Kind:
    """The kind a synced document is shown as: 手続の案内, お知らせ, よくある質問 (a site page's Q&A); else その他."""
    return Kind(category) if category in SYNCED_KINDS or category == Kind.FAQ else Kind.OTHER


def _version(municipality: Municipality, key: str) -> int:
    found = Document.objects.filter(source_key=key, retired_at__isnull=True).values_list("version", flat=True).first()
    return found or 0


def _path(url: str) -> str:
    """A platform path without the /t/<code> prefix a request adds; the town's prefix is added when shown."""
    from django.urls import get_script_prefix

    prefix = get_script_prefix().rstrip("/")
    return url[len(prefix):] if prefix and url.startswith(prefix + "/") else url
