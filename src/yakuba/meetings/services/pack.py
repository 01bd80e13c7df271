"""会議資料: adding a document to a meeting's pack and replacing it (差し替え), keeping every version, finding the pages
that changed, and telling the members."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.audit.services import record
from yakuba.kernel.files import office
from yakuba.kernel.files.uploads import UploadRejected, check_upload, save_private
from yakuba.kernel.refusal import Refused

from ..models import AgendaItem, Document, Meeting, Page, Version
from .access import is_clerk, staff_of

PDF = "application/pdf"
ACCEPT = (PDF, *office.SUFFIXES)
MAX_SIZE = 100 * 1024 * 1024  # a 300-page 予算書 with scans stays well under this
TITLE_MAX = 150
REASON_MAX = 300
DIGEST_WIDTH = 48  # px: a tiny grey rendering joins the text in a page's digest, so a changed figure counts too


@dataclass(frozen=True)
class ReadPdf:
    """What a PDF holds: the text of every page and each page's digest."""

    texts: list[str]
    digests: list[str]


def read_pdf(data: bytes) -> ReadPdf:
    """The text and digest of every page, or Refused with the reason in Japanese. An encrypted PDF is refused
    even when it opens with an empty password: its restrictions (no copying, no printing) are the author's wish,
    and a pack must be searchable and readable by every member, so the 事務局 is asked for an unprotected copy."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise Refused({"upload": _("パスワードで保護されたPDFは登録できません。保護を外したPDFを選んでください。")
                           }) from None
        raise Refused({"upload": _("PDFが壊れているため読めません。元のファイルから作り直したPDFを選んでください。")
                       }) from None
    try:
        if pdfium_c.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1:
            raise Refused({"upload": _("パスワードで保護されたPDF（暗号化されたPDF）は登録できません。"
                                       "保護を外したPDFを選んでください。")})
        if len(pdf) == 0:
            raise Refused({"upload": _("PDFにページがありません。")})
        texts, digests = [], []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            text = textpage.get_text_bounded().replace("\r\n", "\n").replace("\x00", "")
            textpage.close()
            width = page.get_width() or 1
            bitmap = page.render(scale=DIGEST_WIDTH / width, grayscale=True)
            digest = hashlib.sha256(text.encode())
            digest.update(bytes(bitmap.buffer))
            bitmap.close()
            page.close()
            texts.append(text.strip())
            digests.append(digest.hexdigest())
    except pdfium.PdfiumError:
        raise Refused({"upload": _("PDFの一部が壊れているため読めません。"
                                   "元のファイルから作り直したPDFを選んでください。")}) from None
    finally:
        pdf.close()
    return ReadPdf(texts, digests)


def changed_pages(before: list[str], after: list[str]) -> list[int]:
    """Page numbers whose digest differs, with pages added at the end (or removed from it)."""
    return [n + 1 for n in range(max(len(before), len(after)))
            if n >= len(before) or n >= len(after) or before[n] != after[n]]


def describe_pages(pages: list[int]) -> str:
    """[3, 7, 8, 9] → 「3, 7–9」: runs of pages joined with an en dash."""
    runs: list[list[int]] = []
    for number in sorted(set(pages)):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def describe_changes(version: Version) -> str:
    """「変更箇所：3, 7–9ページ」 for a replacement, or why none can be shown."""
    if version.number == 1:
        return ""
    if not version.pages:
        return _("変更箇所：PDFに変換できないファイルのため示せません")
    if not version.changed_pages:
        return _("変更箇所：なし（内容は前の版と同じです）")
    return _("変更箇所：%(pages)sページ") % {"pages": describe_pages(list(version.changed_pages))}


def in_session(meeting: Meeting, now: datetime | None = None) -> bool:
    """会議中: the meeting has started and is not recorded as held (an end time passed without the record counts
    as still in session, so a late replacement is never taken for one made before the meeting)."""
    return not meeting.frozen and meeting.starts_at <= (now or timezone.now())


@dataclass(frozen=True)
class Prepared:
    checked_name: str
    content_type: str
    size: int
    sha256: str
    original: bytes
    pdf: bytes | None
    read: ReadPdf | None


def _prepare(upload: UploadedFile[bytes]) -> Prepared:
    """Check the file by its content, convert an Office file where the machine can, read the PDF's pages."""
    try:
        checked = check_upload(upload, accept=ACCEPT, max_size=MAX_SIZE, match_extension=True)
    except UploadRejected as error:
        raise Refused({"upload": str(error)}) from None
    upload.seek(0)
    data = upload.read()
    pdf = data if checked.content_type == PDF else office.to_pdf(data, checked.content_type)
    read = read_pdf(pdf) if pdf is not None else None
    return Prepared(checked.name, checked.content_type, checked.size, checked.sha256, data, pdf, read)


def _may_prepare(meeting: Meeting, by_user: Any) -> None:
    if not is_clerk(staff_of(by_user), meeting.body):
        raise Refused(_("この会議の資料を扱えるのは事務局の職員です。"))


def _store(document: Document, number: int, prepared: Prepared, *, by_user: Any, reason: str = "",
           during: bool = False, before: list[str] | None = None) -> Version:
    folder = f"{document.municipality.code}/meetings/packs"
    original = save_private(ContentFile(prepared.original), folder)
    pdf_path = ""
    if prepared.pdf is not None:
        pdf_path = original if prepared.content_type == PDF else save_private(ContentFile(prepared.pdf), folder)
    read = prepared.read
    changed = changed_pages(before, read.digests) if before is not None and read is not None else []
    version = Version.objects.create(
        municipality=document.municipality, document=document, number=number, original=original,
        original_name=prepared.checked_name, original_type=prepared.content_type, pdf=pdf_path,
        pages=len(read.texts) if read else 0, size=prepared.size, sha256=prepared.sha256, changed_pages=changed,
        reason=reason, during_meeting=during, uploaded_by=by_user)
    if read is not None:
        Page.objects.bulk_create([Page(municipality=document.municipality, version=version, number=n + 1, text=text,
                                       digest=digest)
                                  for n, (text, digest) in enumerate(zip(read.texts, read.digests, strict=True))],
                                 batch_size=500)
    document.current = version
    document.save(update_fields=["current"])
    return version


def add_document(meeting: Meeting, item: AgendaItem | None, title: str, upload: UploadedFile[bytes] | None,
                 by_user: Any) -> Document:
    """資料を登録する: a new document of the pack, version 1. Refused (nothing saved) for a file that is not a PDF or
    an Office document by its content, is too large, encrypted or broken, or once the meeting is over."""
    _may_prepare(meeting, by_user)
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("資料名を入力してください。")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("資料名は%(max)d文字以内で入力してください。") % {"max": TITLE_MAX}
    if item is not None and item.meeting_id != meeting.pk:
        errors["item"] = _("この会議の議題を選んでください。")
    if meeting.frozen:
        errors["__all__"] = _("会議後の資料は確定しています。資料を追加することはできません。")
    if upload is None:
        errors["upload"] = _("ファイルを選んでください。")
    if errors:
        raise Refused(errors)
    assert upload is not None
    prepared = _prepare(upload)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.frozen:
            raise Refused(_("会議後の資料は確定しています。資料を追加することはできません。"))
        order = (Document.objects.filter(meeting=meeting).aggregate(n=Max("sort_order"))["n"] or 0) + 1
        document = Document.objects.create(municipality=meeting.municipality, meeting=meeting, item=item,
                                           title=title, sort_order=order)
        version = _store(document, 1, prepared, by_user=by_user)
        record("meetings.document.added", municipality=meeting.municipality, actor=by_user, obj=document,
               data={"meeting": str(meeting.uuid), "version": version.number, "pages": version.pages,
                     "type": version.original_type, "converted": bool(version.pdf), "sha256": version.sha256})
    return document


def replace_document(document: Document, upload: UploadedFile[bytes] | None, reason: str, by_user: Any,
                     during_meeting_confirmed: bool = False) -> Version:
    """差し替え: a new version becomes current; the old ones stay. Refused once the meeting is held or cancelled;
    during the meeting only when the clerk confirms it, with a reason. Members are told after commit."""
    from .. import tasks_pack

    meeting = document.meeting
    _may_prepare(meeting, by_user)
    reason = (reason or "").strip()
    if meeting.frozen:
        raise Refused(_("会議後の資料は確定しています。差し替えはできません。"))
    during = in_session(meeting)
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("差し替えの理由を入力してください（委員にお知らせします）。")
    elif len(reason) > REASON_MAX:
        errors["reason"] = _("理由は%(max)d文字以内で入力してください。") % {"max": REASON_MAX}
    if during and not during_meeting_confirmed:
        errors["confirm"] = _("会議が始まっています。会議中の差し替えであることを確認してください"
                              "（委員にすぐお知らせし、記録に残ります）。")
    if upload is None:
        errors["upload"] = _("ファイルを選んでください。")
    if errors:
        raise Refused(errors)
    assert upload is not None
    prepared = _prepare(upload)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.frozen:
            raise Refused(_("会議後の資料は確定しています。差し替えはできません。"))
        document = Document.objects.select_for_update(of=("self",)).select_related("current").get(pk=document.pk)
        previous = document.current
        before = list(Page.objects.filter(version=previous).order_by("number").values_list("digest", flat=True)) \
            if previous is not None else []
        number = (Version.objects.filter(document=document).aggregate(n=Max("number"))["n"] or 0) + 1
        version = _store(document, number, prepared, by_user=by_user, reason=reason, during=during, before=before)
        record("meetings.document.replaced", municipality=meeting.municipality, actor=by_user, obj=document,
               data={"meeting": str(meeting.uuid), "version": version.number, "reason": reason,
                     "during_meeting": during, "changed_pages": version.changed_pages, "pages": version.pages,
                     "sha256": version.sha256})
        transaction.on_commit(lambda: tasks_pack.tell_members.enqueue(version.pk))
    return version
