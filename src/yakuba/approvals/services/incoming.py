"""収受 and paper 決裁: registering a document that arrived (a scanned letter, a mail, an 電子申請 arrival) or a 決裁
made on paper, as a kept Record; reading its scan in a task, and trying again when it could not be read.

Other code (an inbound-mail integration, 電子申請) calls `receive()` with `Arrival(channel=Channel.EMAIL, …)`
and the message's attachment as `scan` bytes (or none: then the mail's text is the record's text)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Department, Staff, User
from yakuba.kernel.audit.services import record as audit
from yakuba.kernel.files import ocr
from yakuba.kernel.files.uploads import UploadRejected, check_upload
from yakuba.kernel.numbering.services import take
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling.fiscal import fiscal_year
from yakuba.kernel.tenancy.models import Municipality

from ..models import Channel, DocumentClass, DocumentKind, Incoming, Record, RecordStatus, Scan, ScanState
from .filing import file_record

SCAN_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/heic")
SCAN_MAX_BYTES = 50 * 1024 * 1024  # a 20-page letter scanned at 300 dpi in colour
RECEIPT_SERIES = "approvals.receipt"
AUTOMATIC_TRIES = 3  # the first reading and two automatic retries
BACKOFF = (timedelta(minutes=5), timedelta(minutes=30))  # wait before the 2nd and 3rd try


@dataclass(frozen=True)
class Scanned:
    """A scan as checked: its bytes and what they are (by content, not by name)."""

    content: bytes
    content_type: str
    name: str


def check_scan(upload: UploadedFile[bytes]) -> Scanned:
    """A scan accepted only if its bytes are a PDF or an image and match its extension (a JPEG named .pdf is
    refused: the name is what staff see in the 収受簿, the content is what we keep)."""
    try:
        checked = check_upload(upload, accept=SCAN_TYPES, max_size=SCAN_MAX_BYTES, match_extension=True)
    except UploadRejected as error:
        raise Refused({"scan": str(error)}) from error
    upload.seek(0)
    return Scanned(content=upload.read(), content_type=checked.content_type, name=checked.name)


def receipt_number(municipality: Municipality, day: date) -> str:
    """The next 収受番号 of the 年度 of `day` (収受第1号 from each 1 April; gapless, in the caller's transaction)."""
    year = fiscal_year(day)
    return _("%(era)s収受第%(n)d号") % {"era": _short_era(year), "n": take(municipality, RECEIPT_SERIES, year)}


def _short_era(year: int) -> str:
    return f"R{year - 2018}" if year >= 2019 else f"H{year - 1988}"


@dataclass(frozen=True)
class Arrival:
    """What the 収受簿 needs of a received document."""

    title: str
    sender: str
    received_on: date
    department: Department
    document_class: DocumentClass
    channel: str = Channel.PAPER
    sender_address: str = ""
    needs_answer: bool = False
    answer_by: date | None = None
    text: str = ""  # a mail's body, an 電子申請's content; OCR adds a scan's text
    note: str = ""


def _check_arrival(arrival: Arrival, municipality: Municipality) -> None:
    errors: dict[str, str] = {}
    if not arrival.title.strip():
        errors["title"] = _("件名を入力してください。")
    if not arrival.sender.strip():
        errors["sender"] = _("差出人を入力してください。")
    if arrival.received_on > timezone.localdate():
        errors["received_on"] = _("収受日に未来の日付は入れられません。")
    if arrival.answer_by is not None and not arrival.needs_answer:
        errors["answer_by"] = _("回答期限は「回答が必要」のときだけ入れられます。")
    if arrival.answer_by is not None and arrival.answer_by < arrival.received_on:
        errors["answer_by"] = _("回答期限は収受日より後の日付にしてください。")
    if arrival.channel not in Channel.values:
        errors["channel"] = _("収受の方法を選んでください。")
    if not arrival.document_class.is_active or arrival.document_class.municipality_id != municipality.pk:
        errors["document_class"] = _("使用中の文書分類を選んでください。")
    if arrival.department.municipality_id != municipality.pk:
        errors["department"] = _("課を選んでください。")
    if errors:
        raise Refused(errors)


def receive(municipality: Municipality, arrival: Arrival, *, actor: User | None, scan: Scanned | None = None,
            request: HttpRequest | None = None) -> Incoming:
    """Register a received document in the 収受簿 with its 収受番号, and start reading its scan (after commit)."""
    _check_arrival(arrival, municipality)
    with transaction.atomic():
        number = receipt_number(municipality, arrival.received_on)
        record = file_record(kind=DocumentKind.RECEIVED, title=arrival.title.strip(), department=arrival.department,
                             document_class=arrival.document_class, dated=arrival.received_on, actor=actor,
                             number=number, text=arrival.text.strip(),
                             content=scan.content if scan else None, filename=scan.name if scan else "",
                             content_type=scan.content_type if scan else "")
        incoming = Incoming.objects.create(
            municipality=municipality, record=record, sender=arrival.sender.strip(),
            sender_address=arrival.sender_address.strip(), channel=arrival.channel,
            needs_answer=arrival.needs_answer, answer_by=arrival.answer_by, note=arrival.note.strip())
        audit("approvals.incoming.received", municipality=municipality, actor=actor, obj=record, request=request,
              data={"number": number, "channel": arrival.channel, "department": arrival.department.pk,
                    "scan": _fingerprint(scan)})
        if scan is not None:
            _queue_reading(record)
    return incoming


@dataclass(frozen=True)
class PaperDecision:
    """A 決裁 made on paper outside the system."""

    number: str
    title: str
    department: Department
    document_class: DocumentClass
    decided_on: date
    text: str = ""


def register_paper_decision(staff: Staff, paper: PaperDecision, *, scan: Scanned | None = None,
                            request: HttpRequest | None = None) -> Record:
    """Keep a paper 決裁 as a record (so that 電子決裁利用率 counts it), with its scan if there is one. Its number
    was given on paper: it must not be any other 決裁's number, electronic or paper."""
    errors: dict[str, str] = {}
    number, title = paper.number.strip(), paper.title.strip()
    if not number:
        errors["number"] = _("文書番号を入力してください。")
    elif Record.objects.filter(municipality=staff.municipality, number=number,
                               kind__in=[DocumentKind.DECIDED, DocumentKind.DECIDED_PAPER]).exists():
        errors["number"] = _("文書番号「%(number)s」の決裁は既に登録されています。") % {"number": number}
    if not title:
        errors["title"] = _("件名を入力してください。")
    if paper.decided_on > timezone.localdate():
        errors["decided_on"] = _("決裁日に未来の日付は入れられません。")
    if not paper.document_class.is_active:
        errors["document_class"] = _("使用中の文書分類を選んでください。")
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        record = file_record(kind=DocumentKind.DECIDED_PAPER, title=title, department=paper.department,
                             document_class=paper.document_class, dated=paper.decided_on, actor=staff.user,
                             number=number, text=paper.text.strip(), content=scan.content if scan else None,
                             filename=scan.name if scan else "", content_type=scan.content_type if scan else "")
        audit("approvals.paper_decision.registered", municipality=staff.municipality, actor=staff.user, obj=record,
              request=request, data={"number": number, "scan": _fingerprint(scan)})
        if scan is not None:
            _queue_reading(record)
    return record


def _fingerprint(scan: Scanned | None) -> dict[str, object] | None:
    if scan is None:
        return None
    return {"name": scan.name, "size": len(scan.content), "sha256": hashlib.sha256(scan.content).hexdigest()}


# Reading the scan ---------------------------------------------------------------------------------------------------

def _queue_reading(record: Record, *, after: timedelta | None = None) -> Scan:
    from .. import tasks_filing

    when = timezone.now() + after if after else None
    scan, _created = Scan.objects.update_or_create(
        municipality_id=record.municipality_id, record=record,
        defaults={"state": ScanState.PENDING, "message": "", "next_try_at": when})
    task = tasks_filing.read_scan.using(run_after=when) if when else tasks_filing.read_scan
    transaction.on_commit(lambda: task.enqueue(scan.pk))
    return scan


def read_scan(scan: Scan) -> Scan:
    """Read the record's scan (called by the task): its text goes into the record; a failure is kept on the scan
    and, while tries remain, the next try is queued with a growing wait. Safe to run twice."""
    record = scan.record
    if scan.state != ScanState.PENDING or record.status != RecordStatus.KEPT or not record.file:
        return scan
    try:
        with record.file.open("rb") as stored:
            content = stored.read()
    except OSError:  # the stored file is gone (storage trouble): report it like a scan that cannot be read
        content = b""
    reading = ocr.read(content, record.content_type)
    with transaction.atomic():
        scan = Scan.objects.select_for_update().get(pk=scan.pk)
        if scan.state != ScanState.PENDING:
            return scan
        scan.attempts += 1
        scan.pages, scan.method, scan.next_try_at = reading.pages, str(reading.outcome), None
        if reading.ok:
            scan.state, scan.message = ScanState.DONE, ""
            _keep_text(record, reading)
        else:
            scan.state = ScanState.NO_TEXT if reading.outcome == ocr.Outcome.NO_TEXT else ScanState.UNREADABLE
            scan.message = reading.message[:300]
        scan.save()
        audit("approvals.scan.read", municipality=record.municipality, obj=record,
              data={"state": scan.state, "attempt": scan.attempts, "pages": scan.pages, "method": scan.method})
        if scan.state == ScanState.UNREADABLE and scan.attempts < AUTOMATIC_TRIES:
            # A tool that failed may succeed later (a worker short of memory, a timeout under load).
            scan = _queue_reading(record, after=BACKOFF[min(scan.attempts, len(BACKOFF)) - 1])
            scan.message = reading.message[:300]
            scan.save(update_fields=["message"])
    return scan


def _keep_text(record: Record, reading: ocr.Reading) -> None:
    """The OCR text goes after any text the record already had (a mail's body); a scanned PDF is replaced by the same
    PDF with OCRmyPDF's invisible text layer, so that the kept file can be searched too (its images are unchanged)."""
    record.text = f"{record.text.strip()}\n\n{reading.text}" if record.text.strip() else reading.text
    fields = ["text"]
    if reading.searchable_pdf:
        old = record.file.name or ""
        record.file.save(old.rsplit("/", 1)[-1], ContentFile(reading.searchable_pdf), save=False)
        record.file.storage.delete(old)
        fields.append("file")
    record.save(update_fields=fields)


def retry_reading(staff: Staff, record: Record, *, request: HttpRequest | None = None) -> Scan:
    """A clerk asks to read an unreadable (or textless) scan again."""
    scan = Scan.objects.filter(record=record).first()
    if scan is None or not record.file:
        raise Refused(_("この文書には読み取るスキャンがありません。"))
    if record.status != RecordStatus.KEPT:
        raise Refused(_("廃棄・移管された文書は読み取れません。"))
    if scan.state == ScanState.PENDING:
        raise Refused(_("読み取りを待っています。しばらくしてから画面を更新してください。"))
    if scan.state == ScanState.DONE:
        raise Refused(_("この文書は読み取り済みです。"))
    audit("approvals.scan.retried", municipality=staff.municipality, actor=staff.user, obj=record, request=request,
          data={"attempts": scan.attempts})
    return _queue_reading(record)
