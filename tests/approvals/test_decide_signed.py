"""The 決裁済 PDF: rendered and signed by the worker after the deciding transaction, kept in the Record, validated
with pyHanko; the approvers are mailed when a draft waits for them."""

from __future__ import annotations

import pytest
from django.core import mail
from django_scopes import scope
from pypdf import PdfReader

from tests.approvals.decide_factories import make_office
from tests.support.tasks import run_worker
from yakuba.approvals.models import Draft, Record
from yakuba.approvals.services import decide
from yakuba.kernel.files import signing


@pytest.mark.django_db(transaction=True)
def test_decided_draft_gets_a_signed_pdf_that_validates_and_shows_tampering(town_a):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfWriter

    office = make_office(town_a)
    writer = PdfWriter()
    writer.add_blank_page(300, 300)
    quote = io.BytesIO()
    writer.write(quote)
    with scope(municipality=town_a):
        draft = office.draft(500_000, attachments=[SimpleUploadedFile("見積書.pdf", quote.getvalue())])
        decide.send(office.clerk, draft)
    run_worker()
    assert [m.to for m in mail.outbox] == [[office.chief.user.email]]
    with scope(municipality=town_a):
        decide.approve(office.chief, draft)
        decide.approve(office.director, draft)
    run_worker()
    with scope(municipality=town_a):
        draft = Draft.objects.get(pk=draft.pk)
        record = Record.objects.get(pk=draft.record_id)
        assert record.file and record.content_type == "application/pdf"
        with record.file.open("rb") as handle:
            signed = handle.read()
    report = signing.validate(signed)
    assert report.ok and report.trusted and report.demo
    assert len(PdfReader(io.BytesIO(signed)).pages) >= 2  # the sheet, then the attached quote
    text = PdfReader(io.BytesIO(signed)).pages[0].extract_text()
    assert "下総第1号" in text and "総務課長" in text
    changed = bytearray(signed)
    changed[len(changed) // 3] ^= 0x01
    assert not signing.validate(bytes(changed)).ok
