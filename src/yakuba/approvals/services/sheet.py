"""The 起案用紙 as a PDF: the sheet with its 決裁欄 (who, which post, when, 代決 and 後閲 marks), the images among the
attachments on pages of their own, the PDF attachments appended, Office attachments appended as PDF when LibreOffice
is installed (else the original file embedded in the PDF, listed as such); signed with the town's key once
decided."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from yakuba.kernel.audit.services import record as audit
from yakuba.kernel.files import office, signing
from yakuba.kernel.files.pdf import render_pdf
from yakuba.kernel.files.uploads import private_storage

from ..models import Draft, LateReview, Record, StepState

IMAGES = frozenset({"image/jpeg", "image/png"})


@dataclass
class _Attachment:
    name: str
    appended: bool
    original: bool = False  # an Office file kept as it is (embedded in the PDF), not converted


def _read(path: str) -> bytes:
    with private_storage().open(path, "rb") as handle:
        data: bytes = handle.read()
    return data


def route_for_sheet(draft: Draft) -> list[Any]:
    """The steps of the route as it stands: decided and pending ones, not those that were done again."""
    steps = list(draft.steps.exclude(state__in=[StepState.SUPERSEDED, StepState.RETURNED])
                 .select_related("post", "decided_by").order_by("sequence", "pk"))
    review = LateReview.objects.filter(draft=draft).select_related("done_by").first()
    for step in steps:
        step.late_review = review if review is not None and step.by_deputy else None  # type: ignore[attr-defined]
    return steps


def render(draft: Draft, *, convert_office: bool = False) -> bytes:
    """The sheet and its attachments as one PDF (unsigned): a preview before 決裁, the content of the signed copy
    after. With `convert_office` (the worker making the signed copy: LibreOffice may take a while) Office files are
    converted to PDF pages where LibreOffice is installed; any not converted is embedded as it is."""
    from pypdf import PdfReader, PdfWriter

    attachments = list(draft.attachments.exclude(path=""))
    images = [{"name": a.name, "uri": f"data:{a.content_type};base64,{base64.b64encode(_read(a.path)).decode()}"}
              for a in attachments if a.content_type in IMAGES]
    converted = {a.pk: pdf for a in attachments if convert_office and office.is_office(a.content_type)
                 and (pdf := office.to_pdf(_read(a.path), a.content_type)) is not None}
    listed = [_Attachment(a.name, a.content_type == "application/pdf" or a.content_type in IMAGES
                          or a.pk in converted, original=office.is_office(a.content_type) and a.pk not in converted)
              for a in attachments]
    amount = f"{draft.amount:,}円" if draft.amount is not None else ""
    sheet = render_pdf("approvals/pdf/draft.html", {
        "draft": draft, "steps": route_for_sheet(draft), "attachments": listed, "images": images,
        "decided": draft.is_decided, "amount": amount, "municipality": draft.department.municipality})
    appended = [a for a in attachments if a.content_type == "application/pdf" or a.pk in converted]
    originals = [a for a in attachments if office.is_office(a.content_type) and a.pk not in converted]
    if not appended and not originals:
        return sheet
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(sheet)))
    for attachment in appended:
        try:
            data = converted.get(attachment.pk) or _read(attachment.path)
            writer.append(PdfReader(io.BytesIO(data)))
        except Exception:  # an attachment pypdf cannot read stays listed on the sheet and kept as a file
            continue
    for attachment in originals:  # the file itself travels inside the (signed) PDF
        writer.add_attachment(attachment.name, _read(attachment.path))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_decided(draft_id: int) -> Record | None:
    """Render and sign the decided draft's PDF and put it in its Record (once; a second run does nothing)."""
    draft = Draft.objects.select_related("department__municipality", "document_class", "drafter", "record",
                                         "corrects").filter(pk=draft_id).first()
    if draft is None or draft.record is None or draft.record.file:
        return None
    signed = signing.sign(render(draft, convert_office=True), reason=f"{draft.number} 決裁",
                          location=draft.department.municipality.name)
    with transaction.atomic():
        record = Record.objects.select_for_update().get(pk=draft.record.pk)
        if record.file:
            return None
        record.file.save(f"{draft.number or draft.pk}.pdf", ContentFile(signed), save=False)
        record.content_type = "application/pdf"
        record.save(update_fields=["file", "content_type"])
        audit("approvals.draft.signed", municipality=draft.department.municipality, actor=None, obj=draft,
              data={"record": record.pk, "at": timezone.now().isoformat(), "demo": signing.is_demo()})
    return record
