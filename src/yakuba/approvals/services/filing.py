"""Putting a document in its 簿冊: the one way a decided draft, a paper 決裁 or a 収受 becomes a kept record."""

from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from yakuba.kernel.accounts.models import Department, User
from yakuba.kernel.audit.services import record as audit
from yakuba.kernel.scheduling.fiscal import fiscal_year

from ..models import DocumentClass, Record, Retention, Volume


def expiry(fiscal: int, retention: int) -> date | None:
    """保存期間満了日: the 保存期間 counts from 1 April after the 年度 ends; 永年 never expires."""
    if retention == Retention.PERMANENT:
        return None
    return date(fiscal + 1 + retention, 3, 31)


def volume_for(document_class: DocumentClass, department: Department, day: date) -> Volume:
    """The 簿冊 of `document_class` and `department` for the 年度 of `day`, opened the first time it is needed."""
    fiscal = fiscal_year(day)
    found = Volume.objects.filter(municipality_id=department.municipality_id, document_class=document_class,
                                  department=department, fiscal_year=fiscal).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():  # a savepoint: another clerk may open the same volume at the same moment
            return Volume.objects.create(
                municipality_id=department.municipality_id, document_class=document_class, department=department,
                fiscal_year=fiscal, title=f"{document_class.name}（{fiscal}年度 {department.name}）",
                retention=document_class.retention, expires_on=expiry(fiscal, document_class.retention))
    except IntegrityError:
        return Volume.objects.get(municipality_id=department.municipality_id, document_class=document_class,
                                  department=department, fiscal_year=fiscal)


def file_record(*, kind: str, title: str, department: Department, document_class: DocumentClass, dated: date,
                actor: User | None, number: str = "", text: str = "", content: bytes | None = None,
                filename: str = "", content_type: str = "") -> Record:
    """Keep a document in its 簿冊 (call inside the transaction that decided or received it)."""
    volume = volume_for(document_class, department, dated)
    record = Record(municipality_id=department.municipality_id, kind=kind, number=number, title=title,
                    department=department, volume=volume, dated=dated, text=text, content_type=content_type,
                    created_by=actor if actor is not None and actor.is_authenticated else None)
    if content is not None:
        record.file.save(filename or "document.pdf", ContentFile(content), save=False)
    record.save()
    audit("approvals.record.filed", municipality=department.municipality, actor=actor, obj=record,
          data={"kind": kind, "number": number, "volume": volume.pk})
    return record
