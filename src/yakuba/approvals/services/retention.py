"""保存期間満了: the yearly list of 簿冊 whose period ends, and what is decided on each — 廃棄 (the content destroyed,
the record of what was destroyed kept), 延長 (a new 満了日, with a reason) or 移管 (歴史公文書 handed to the archive,
with a zip of the volume). Each is decided by the 課's 所属長 (or the 文書担当: 情報担当 and the 文書主管課's 所属長),
audited, and shown for confirmation first.

A volume cannot be disposed of while something still needs its documents: the receivers of
`approvals.signals.volume_disposal_blockers` say what (the drafting side answers for 起案 that reply to a record of
the volume and are not decided yet)."""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.audit.services import record as audit
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling.fiscal import bounds, fiscal_year
from yakuba.kernel.tenancy.models import Municipality

from ..models import Record, RecordStatus, Retention, Volume, VolumeAction, VolumeDecision, VolumeStatus
from ..signals import record_disposed, volume_disposal_blockers
from .classes import may_manage

log = logging.getLogger(__name__)

LIVE = (VolumeStatus.OPEN, VolumeStatus.KEPT, VolumeStatus.EXTENDED)
EXTENSION_YEARS = (1, 2, 3, 5, 10)
NOT_YOURS = gettext_lazy("この簿冊を処置できるのは、課の所属長と文書担当（情報担当・文書主管課の所属長）です。")


def list_end(today: date | None = None) -> date:
    """The 満了 list of a year shows volumes whose period has ended or ends by the close of the current 年度."""
    today = today or timezone.localdate()
    return bounds(fiscal_year(today))[1] - timedelta(days=1)


def due_volumes(municipality: Municipality, *, department: Department | None = None,
                today: date | None = None) -> QuerySet[Volume]:
    """The 保存期間満了 list: live volumes (not 永年) whose 満了日 is past or falls in the current 年度."""
    due = Volume.objects.filter(municipality=municipality, status__in=LIVE, expires_on__isnull=False,
                                expires_on__lte=list_end(today)).exclude(retention=Retention.PERMANENT)
    if department is not None:
        due = due.filter(department=department)
    return due.select_related("document_class", "department").order_by("department__sort_order", "expires_on",
                                                                       "document_class__code")


def may_decide(staff: Staff | None, volume: Volume) -> bool:
    """The 課's 所属長 decides on its volumes; the 文書担当 on any."""
    if staff is None or not staff.is_active:
        return False
    return may_manage(staff) or (staff.role >= Role.APPROVER and staff.department_id == volume.department_id)


def blockers(volume: Volume) -> list[str]:
    """Why `volume` cannot be disposed of now (empty: nothing holds it)."""
    reasons: list[str] = []
    for _receiver, answer in volume_disposal_blockers.send(sender=Volume, volume=volume):
        reasons += [str(reason) for reason in answer or []]
    return reasons


def _live(staff: Staff, volume_id: int, *, expired: bool, today: date) -> Volume:
    """The volume locked for the decision, after the checks every decision shares."""
    volume = Volume.objects.select_for_update(of=("self",)).select_related("document_class", "department").get(
        pk=volume_id)
    if not may_decide(staff, volume):
        raise Refused(str(NOT_YOURS))
    if volume.status not in LIVE:
        raise Refused(_("この簿冊は既に%(status)sです。") % {"status": volume.get_status_display()})
    if volume.expires_on is None:
        raise Refused(_("永年保存の簿冊は廃棄・移管できません。"))
    if expired and volume.expires_on >= today:
        raise Refused(_("保存期間（%(date)s まで）が満了していません。満了日の翌日から処置できます。")
                      % {"date": volume.expires_on.isoformat()})
    return volume


@dataclass(frozen=True)
class Destroyed:
    number: str
    title: str
    file: str
    size: int
    sha256: str
    text_chars: int


def _destroy(record: Record) -> tuple[Destroyed, str]:
    """Empty one record; return what was destroyed and the stored file's name (deleted once the decision commits)."""
    name, size, digest = record.file.name or "", 0, ""
    if name:
        try:
            with record.file.open("rb") as stored:
                content = stored.read()
            size, digest = len(content), hashlib.sha256(content).hexdigest()
        except OSError:  # already gone from storage: the record still says what it was
            log.warning("approvals: file %s of record %s missing at disposal", name, record.pk)
    gone = Destroyed(number=record.number, title=record.title, file=name.rsplit("/", 1)[-1], size=size,
                     sha256=digest, text_chars=len(record.text))
    record.file, record.text, record.status = "", "", RecordStatus.DISPOSED
    record.save(update_fields=["file", "text", "status"])
    return gone, name


def dispose(staff: Staff, volume: Volume, *, reason: str = "", today: date | None = None,
            request: HttpRequest | None = None) -> VolumeDecision:
    """廃棄: every record's file and text destroyed (files deleted from storage after commit); the records stay, marked
    廃棄済, and the decision keeps what was destroyed. 歴史公文書 candidates go to 移管 instead."""
    today = today or timezone.localdate()
    with transaction.atomic():
        volume = _live(staff, volume.pk, expired=True, today=today)
        if volume.document_class.historical:
            raise Refused(_("歴史公文書の候補の簿冊です。廃棄せず移管してください。"))
        held = blockers(volume)
        if held:
            raise Refused(held)
        destroyed, names = [], []
        for record in Record.objects.filter(volume=volume, status=RecordStatus.KEPT).order_by("dated", "pk"):
            gone, name = _destroy(record)
            destroyed.append(gone.__dict__)
            names.append(name)
            record_disposed.send(sender=Record, record=record)
        decision = _decide(staff, volume, VolumeAction.DISPOSE, VolumeStatus.DISPOSED, reason, destroyed=destroyed)
        audit("approvals.volume.disposed", municipality=volume.municipality, actor=staff.user, obj=volume,
              request=request, data={"records": len(destroyed), "files": sum(1 for name in names if name),
                                     "decision": decision.pk})
        storage = Record._meta.get_field("file").storage
        transaction.on_commit(lambda: _delete_files(storage, [name for name in names if name]))
    return decision


def _delete_files(storage: object, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)  # type: ignore[attr-defined]
        except OSError:
            log.exception("approvals: could not delete disposed file %s", name)


def extend(staff: Staff, volume: Volume, *, years: int, reason: str, today: date | None = None,
           request: HttpRequest | None = None) -> VolumeDecision:
    """延長: keep the volume `years` more years (from its current 満了日), for a stated reason."""
    today = today or timezone.localdate()
    errors = {}
    if years not in EXTENSION_YEARS:
        errors["years"] = _("延長する年数を選んでください。")
    if not reason.strip():
        errors["reason"] = _("延長する理由を入力してください。")
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        volume = _live(staff, volume.pk, expired=False, today=today)
        before = volume.expires_on
        assert before is not None  # _live refuses 永年
        volume.expires_on = date(before.year + years, before.month, before.day)
        decision = _decide(staff, volume, VolumeAction.EXTEND, VolumeStatus.EXTENDED, reason, before=before)
        audit("approvals.volume.extended", municipality=volume.municipality, actor=staff.user, obj=volume,
              request=request, data={"from": before.isoformat(), "to": volume.expires_on.isoformat(),
                                     "reason": reason.strip()})
    return decision


def transfer(staff: Staff, volume: Volume, *, reason: str = "", today: date | None = None,
             request: HttpRequest | None = None) -> VolumeDecision:
    """移管: the volume goes to the archive (歴史公文書); its records are marked 移管済. The content stays until the
    archive confirms receipt of the package (`archive_package`); deleting it then is a 廃棄 of its own."""
    today = today or timezone.localdate()
    with transaction.atomic():
        volume = _live(staff, volume.pk, expired=True, today=today)
        count = Record.objects.filter(volume=volume, status=RecordStatus.KEPT).update(
            status=RecordStatus.TRANSFERRED)
        decision = _decide(staff, volume, VolumeAction.TRANSFER, VolumeStatus.TRANSFERRED, reason)
        audit("approvals.volume.transferred", municipality=volume.municipality, actor=staff.user, obj=volume,
              request=request, data={"records": count, "decision": decision.pk})
    return decision


def _decide(staff: Staff, volume: Volume, action: str, status: str, reason: str, *, before: date | None = None,
            destroyed: list[dict[str, object]] | None = None) -> VolumeDecision:
    now = timezone.now()
    decision = VolumeDecision.objects.create(
        municipality=volume.municipality, volume=volume, action=action, reason=reason.strip(),
        expires_before=before or volume.expires_on, expires_after=volume.expires_on if before else None,
        destroyed=destroyed or [], decided_by=staff.user)
    volume.status, volume.decided_at, volume.decided_by = status, now, staff.user
    volume.decision_reason = reason.strip()
    volume.save(update_fields=["status", "expires_on", "decided_at", "decided_by", "decision_reason"])
    return decision


def archive_package(volume: Volume) -> bytes:
    """A zip of the volume for the archive: 目録.csv (one line per record) and each record's file."""
    from yakuba.kernel.files.tables import csv_bytes

    buffer = io.BytesIO()
    rows: list[list[object]] = [["文書番号", "件名", "種別", "課", "日付", "ファイル", "本文テキスト"]]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for record in Record.objects.filter(volume=volume).select_related("department").order_by("dated", "pk"):
            stored = ""
            if record.file:
                stored = f"files/{record.pk:06d}_{(record.file.name or '').rsplit('/', 1)[-1]}"
                try:
                    with record.file.open("rb") as source:
                        package.writestr(stored, source.read())
                except OSError:
                    stored = ""
            rows.append([record.number, record.title, record.get_kind_display(), record.department.name,
                         record.dated, stored, record.text])
        package.writestr("目録.csv", csv_bytes(rows))
        package.writestr("簿冊.txt", "\n".join([
            f"簿冊名: {volume.title}", f"文書分類: {volume.document_class}", f"課: {volume.department.name}",
            f"年度: {volume.fiscal_year}", f"保存期間: {volume.get_retention_display()}",
            f"満了日: {volume.expires_on or ''}", ""]))
    return buffer.getvalue()
