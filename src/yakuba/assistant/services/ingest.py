"""Writing the knowledge base: adding a document, (re-)ingesting a version from a file or typed text, keeping
synced documents (procedures, notices) in step, and retiring a document. A version replaces the previous passages
in one transaction and bumps the index generation; a version that cannot be read leaves everything as it was."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel import records
from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.files.uploads import private_storage, save_private
from yakuba.kernel.refusal import Refused
from yakuba.kernel.search.text import terms
from yakuba.kernel.tenancy.models import Municipality

from ..models import LEGAL_KINDS, SYNCED_KINDS, Document, Format, IndexState, Ingest, IngestState, Kind, Passage
from . import extract, structure
from .search import generation_key

log = logging.getLogger(__name__)

MAX_UPLOAD = 20 * 1024 * 1024
MAX_TEXT = 2_000_000  # characters of extracted text kept for one document
# Source keys of documents kept from other apps' records (besides every kind an app registers: synced_prefixes).
SYNCED_PREFIXES = ("applications.", "notices.", "meetings.", "website.")


def synced_prefixes() -> tuple[str, ...]:
    """Source keys of documents kept in step with the records an app offers (kernel.records), e.g. "voice.…:"."""
    return (*SYNCED_PREFIXES, *(f"{source.kind}:" for source in records.document_sources()))


@dataclass(frozen=True)
class DocumentFields:
    kind: str
    title: str
    department: Department | None = None
    is_public: bool = True
    keywords: str = ""  # other words residents use for what the document is about
    source: str = ""
    url: str = ""
    version_date: date | None = None


def may_edit(staff: Staff | None, document: Document) -> bool:
    """情報担当, staff of the document's department, or whoever added it; never national documents, nor those kept
    in step with another app's pages (procedures, notices: changed there). Documents the demo loaded may be changed
    like any other."""
    if staff is None or not staff.is_active or document.municipality_id is None:
        return False
    if staff.municipality_id != document.municipality_id or is_synced(document):
        return False
    return (staff.has_role(Role.ADMIN) or (document.department_id is not None
                                           and document.department_id == staff.department_id)
            or document.created_by_id == staff.user_id)


def is_synced(document: Document) -> bool:
    return document.kind in SYNCED_KINDS or document.source_key.startswith(synced_prefixes())


def may_add(staff: Staff | None, municipality: Municipality) -> bool:
    return staff is not None and staff.is_active and staff.municipality_id == municipality.pk


def _require(staff: Staff, document: Document) -> None:
    if not may_edit(staff, document):
        raise Refused({"__all__": _("この文書を変更する権限がありません。")})


def _check_fields(fields: DocumentFields) -> None:
    if not fields.title.strip():
        raise Refused({"title": _("題名を入力してください。")})
    if fields.kind not in Kind.values or fields.kind in SYNCED_KINDS or fields.kind == Kind.LAW:
        raise Refused({"kind": _("種類を選んでください。")})


def create(staff: Staff, municipality: Municipality, fields: DocumentFields, *, text: str = "",
           upload: UploadedFile[bytes] | None = None) -> tuple[Document, Ingest]:
    """Add a document from typed text or a file. Typed text is ingested at once; a file is read by a task."""
    if not may_add(staff, municipality):
        raise Refused({"__all__": _("文書を登録する権限がありません。")})
    _check_fields(fields)
    _check_source(text, upload)
    with transaction.atomic():
        document = Document.objects.create(
            municipality=municipality, kind=fields.kind, title=fields.title.strip()[:200],
            department=fields.department, is_public=fields.is_public, keywords=fields.keywords.strip()[:500],
            source=fields.source.strip()[:300],
            url=fields.url.strip()[:500], version_date=fields.version_date, created_by=staff.user)
        record("assistant.document.created", municipality=municipality, actor=staff.user, obj=document,
               data={"title": document.title, "kind": document.kind})
        ingest = _start(document, staff, text=text, upload=upload, version_date=fields.version_date)
    document.refresh_from_db()
    return document, _refresh(ingest)


def new_version(staff: Staff, document: Document, *, text: str = "", upload: UploadedFile[bytes] | None = None,
                version_date: date | None = None) -> Ingest:
    """Re-ingest a document from a new file or text; its passages are replaced only if the new one reads."""
    _require(staff, document)
    _check_source(text, upload)
    with transaction.atomic():
        ingest = _start(document, staff, text=text, upload=upload, version_date=version_date)
    return _refresh(ingest)


def change(staff: Staff, document: Document, fields: DocumentFields) -> None:
    """Change a document's title, kind, department, audience, source or URL (its text stays)."""
    _require(staff, document)
    _check_fields(fields)
    with transaction.atomic():
        document.kind, document.title, document.department = fields.kind, fields.title.strip()[:200], fields.department
        document.is_public, document.source, document.url = fields.is_public, fields.source.strip(), fields.url.strip()
        document.keywords = fields.keywords.strip()[:500]
        if fields.version_date:
            document.version_date = fields.version_date
        document.save(update_fields=["kind", "title", "department", "is_public", "keywords", "source", "url",
                                     "version_date"])
        # Title and kind are in every passage's terms and citation: rebuild them from the stored text.
        stored = Document.with_national.filter(pk=document.pk, indexed_at__isnull=False).values_list("body", flat=True)
        if stored:
            _replace_passages(document, stored[0])
        record("assistant.document.changed", municipality=document.municipality, actor=staff.user, obj=document,
               data={"title": document.title, "kind": document.kind, "public": document.is_public})


def retire(staff: Staff, document: Document) -> None:
    """Remove a document from search and from the count of registered data (kept for the audit trail)."""
    _require(staff, document)
    with transaction.atomic():
        _retire(document)
        record("assistant.document.retired", municipality=document.municipality, actor=staff.user, obj=document,
               data={"title": document.title})


def _retire(document: Document) -> None:
    document.retired_at = timezone.now()
    document.save(update_fields=["retired_at"])
    Passage.with_national.filter(document=document).delete()
    bump(document.municipality)


def _check_source(text: str, upload: UploadedFile[bytes] | None) -> None:
    if upload is None and not text.strip():
        raise Refused({"file": _("ファイルを選ぶか、本文を入力してください。")})
    if upload is not None:
        name = upload.name or ""
        if extract.format_of(name) is None:
            raise Refused({"file": _("読み取れるのは テキスト（.txt .md）・HTML・PDF・Word（.docx）の"
                                           "ファイルです。")})
        if upload.size is not None and upload.size > MAX_UPLOAD:
            raise Refused({"file": _("ファイルが大きすぎます（%(size).0fMB）。20MB までにしてください。")
                                 % {"size": upload.size / 1024 / 1024}})
        if not upload.size:
            raise Refused({"file": _("ファイルが空です。")})
    elif len(text) > MAX_TEXT:
        raise Refused({"text": _("本文が長すぎます。ファイルにして登録してください。")})


def _start(document: Document, staff: Staff | None, *, text: str, upload: UploadedFile[bytes] | None,
           version_date: date | None) -> Ingest:
    from .. import tasks

    if upload is not None:
        name = upload.name or ""
        ingest = Ingest.objects.create(
            municipality=document.municipality, document=document, format=extract.format_of(name) or Format.TEXT,
            file_name=name[:200], file=save_private(upload, "assistant/documents"), version_date=version_date,
            created_by=staff.user if staff else None)
        transaction.on_commit(lambda: tasks.ingest.enqueue(ingest.pk))
        return ingest
    ingest = Ingest.objects.create(municipality=document.municipality, document=document, format=Format.TYPED,
                                   text=text, version_date=version_date, created_by=staff.user if staff else None)
    process(ingest)
    return ingest


def _refresh(ingest: Ingest) -> Ingest:
    ingest.refresh_from_db()
    return ingest


def process(ingest: Ingest) -> Ingest:
    """Read the version and replace the document's passages, in one transaction; record why if it cannot be read.
    Safe to run twice."""
    if ingest.state != IngestState.PENDING:
        return ingest
    try:
        text = _text_of(ingest)
        sections = structure.split(text, legal=ingest.document.kind in LEGAL_KINDS,
                                   tables=not is_synced(ingest.document))
        if not sections:
            raise extract.Unreadable(_("文章が見つかりませんでした（画像だけのPDFは読み取れません）。"))
    except extract.Unreadable as error:
        return _fail(ingest, str(error))
    with transaction.atomic():
        locked = Ingest.with_national.select_for_update().get(pk=ingest.pk)
        if locked.state != IngestState.PENDING:
            return locked
        document = Document.with_national.select_for_update().get(pk=ingest.document_id)
        now = timezone.now()
        document.body = text
        document.format = ingest.format
        document.file_name = ingest.file_name
        document.sha256 = hashlib.sha256(text.encode()).hexdigest()
        document.version += 1
        document.version_date = ingest.version_date or document.version_date
        document.indexed_at = document.indexed_at or now
        document.updated_at = now
        document.save()
        count = _replace_passages(document, text, sections)
        Ingest.with_national.filter(pk=ingest.pk).update(state=IngestState.DONE, passages=count, finished_at=now,
                                                         error="")
        record("assistant.document.ingested", municipality=document.municipality, actor=ingest.created_by,
               obj=document, data={"version": document.version, "passages": count, "format": ingest.format})
    return _refresh(ingest)


def _text_of(ingest: Ingest) -> str:
    if not ingest.file:
        text = ingest.text
    else:
        try:
            with private_storage().open(ingest.file, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise extract.Unreadable(_("保存したファイルが見つかりません。もう一度登録してください。")) from error
        text = extract.extract(data, ingest.format)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if len(text) > MAX_TEXT:
        raise extract.Unreadable(_("文章が長すぎます（%(count)d文字）。分けて登録してください。")
                                 % {"count": len(text)})
    return text


def _fail(ingest: Ingest, reason: str) -> Ingest:
    with transaction.atomic():
        Ingest.with_national.filter(pk=ingest.pk, state=IngestState.PENDING).update(
            state=IngestState.FAILED, error=reason, finished_at=timezone.now())
        record("assistant.document.unreadable", municipality=ingest.municipality, actor=ingest.created_by,
               obj=ingest.document, data={"reason": reason, "file": ingest.file_name})
    return _refresh(ingest)


def _replace_passages(document: Document, text: str, sections: list[structure.Section] | None = None) -> int:
    if sections is None:
        sections = structure.split(text, legal=document.kind in LEGAL_KINDS, tables=not is_synced(document))
    Passage.with_national.filter(document=document).delete()
    heading = terms(document.title) + terms(document.keywords)
    Passage.with_national.bulk_create([
        Passage(municipality=document.municipality, document=document, ordinal=i, path=s.path[:300],
                anchor=s.anchor[:80], text=s.text,
                tokens=" ".join(heading + terms(s.path) + terms(s.text) + list(s.terms)))
        for i, s in enumerate(sections)], batch_size=500)
    bump(document.municipality)
    return len(sections)


def resplit(municipality: Municipality | None) -> int:
    """Split every live document of the town (None: the national ones) again from its stored text, with today's
    rules for headings, 条・項 and tables: after an upgrade that reads them differently, a document whose text did
    not change keeps its old passages until this runs. No new version: the text is the same. Returns the number of
    documents whose passages changed."""
    changed = 0
    documents = Document.with_national.filter(municipality=municipality, retired_at__isnull=True,
                                              indexed_at__isnull=False).exclude(body="")
    for document_id in documents.values_list("pk", flat=True):
        with transaction.atomic():
            document = Document.with_national.select_for_update().get(pk=document_id)
            sections = structure.split(document.body, legal=document.kind in LEGAL_KINDS,
                                       tables=not is_synced(document))
            old = list(Passage.with_national.filter(document=document).order_by("ordinal")
                       .values_list("path", "text"))
            if not sections or old == [(s.path[:300], s.text) for s in sections]:
                continue
            _replace_passages(document, document.body, sections)
            changed += 1
    return changed


@dataclass
class Summary:
    by_kind: list[tuple[str, int]]  # (kind label, registered documents of the town)
    total: int  # the town's registered documents: the plan KPI assistant.documents
    national: int  # national documents the town also searches
    failing: Sequence[Document]  # documents whose latest file could not be read (`failure` holds the reason)


def summary() -> Summary:
    """The town's knowledge base at a glance (call inside the town's scope)."""
    live = Document.objects.filter(retired_at__isnull=True)
    counts = dict(live.filter(indexed_at__isnull=False).values_list("kind").annotate(n=Count("pk")).values_list(
        "kind", "n"))
    latest = Ingest.objects.filter(document=OuterRef("pk")).order_by("-created_at", "-pk")
    failing = list(live.annotate(last_state=Subquery(latest.values("state")[:1]),
                                 failure=Subquery(latest.values("error")[:1]))
                   .filter(last_state=IngestState.FAILED).order_by("title")[:10])
    national = Document.with_national.filter(municipality__isnull=True, retired_at__isnull=True,
                                             indexed_at__isnull=False).count()
    return Summary(by_kind=[(str(Kind(k).label), n) for k, n in sorted(counts.items())], total=sum(counts.values()),
                   national=national, failing=failing)


def bump(municipality: Municipality | None) -> None:
    """Tell every process its index of this town (or the national one) is stale, in the caller's transaction."""
    key = generation_key(municipality)
    IndexState.objects.get_or_create(key=key)
    IndexState.objects.filter(key=key).update(generation=F("generation") + 1)


# Documents written by the platform itself: synced from other apps, loaded by the demo or by the operator. ------------

def upsert(municipality: Municipality | None, *, source_key: str, fields: DocumentFields,
           text: str) -> Document | None:
    """Create or update the document kept for `source_key` (a procedure, a notice, a seed plan, a national law)
    with `text`. Unchanged text and fields write nothing; empty text retires it (None if there was none)."""
    manager: Any = Document.with_national
    document = manager.filter(municipality=municipality, source_key=source_key).first()
    if not text.strip():
        if document is not None and document.retired_at is None:
            with transaction.atomic():
                _retire(document)
        return document  # type: ignore[no-any-return, unused-ignore]
    digest = hashlib.sha256(text.encode()).hexdigest()
    keywords = fields.keywords or (document.keywords if document is not None else "")  # staff may have added some
    values = {"kind": fields.kind, "title": fields.title[:200], "department": fields.department,
              "is_public": fields.is_public, "keywords": keywords[:500], "source": fields.source[:300],
              "url": fields.url[:500],
              "version_date": fields.version_date}
    if (document is not None and document.retired_at is None and document.sha256 == digest
            and all(getattr(document, k) == v for k, v in values.items())):
        return document
    with transaction.atomic():
        if document is None:
            document = manager.create(municipality=municipality, source_key=source_key, **values)
        else:
            for key, value in values.items():
                setattr(document, key, value)
            document.retired_at = None
            document.save()
        ingest = Ingest.with_national.create(municipality=municipality, document=document, format=Format.TEXT,
                                             text=text, version_date=fields.version_date)
        process(ingest)
    document.refresh_from_db()
    return document
