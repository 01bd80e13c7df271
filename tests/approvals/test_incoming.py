"""収受: registering a scanned letter or a mail, its 収受番号, OCR in the worker filling the record's text, an
unreadable scan kept, marked and tried again (automatically, then by a clerk), files that lie about their type, and
paper 決裁 registration."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.approvals.filing_support import letter_pdf, letter_png, make_class, needs_ocr, upload
from tests.support.tasks import run_worker
from yakuba.approvals.models import Channel, DocumentKind, Incoming, Record, Scan, ScanState
from yakuba.approvals.services import incoming
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused

TODAY = date(2026, 11, 10)


def _arrival(town, **overrides):
    department = factories.make_department(town, "建設水道課")
    values = dict(title="町道三号線の補修についての要望書", sender="馬山地区区長会", received_on=TODAY,
                  department=department, document_class=make_class(town), needs_answer=True,
                  answer_by=date(2026, 12, 25))
    values.update(overrides)
    return incoming.Arrival(**values)


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 11, 10, 10)), tick=True):
        yield


@pytest.mark.django_db
def test_receipt_numbers_run_per_fiscal_year_without_gaps(town_a, staff_a, frozen):
    with scope(municipality=town_a):
        arrival = _arrival(town_a, needs_answer=False, answer_by=None, text="メール本文")
        first = incoming.receive(town_a, arrival, actor=staff_a.user)
        second = incoming.receive(town_a, arrival, actor=staff_a.user)
        older = incoming.receive(town_a, _arrival(town_a, received_on=date(2026, 3, 31), needs_answer=False,
                                                  answer_by=None, text="前年度"), actor=staff_a.user)
        assert [first.record.number, second.record.number, older.record.number] == [
            "R8収受第1号", "R8収受第2号", "R7収受第1号"]
        assert first.record.kind == DocumentKind.RECEIVED and first.record.volume.fiscal_year == 2026
        assert not Scan.objects.exists()  # a mail without a scan has nothing to read
        assert AuditEntry.objects.filter(action="approvals.incoming.received").count() == 3


@pytest.mark.django_db
def test_an_email_arrival_is_registered_by_the_service(town_a, frozen):
    """What an inbound-mail integration calls: no user, the mail's body as text, its attachment as the scan."""
    with scope(municipality=town_a):
        arrival = _arrival(town_a, channel=Channel.EMAIL, sender="山田一郎", sender_address="yamada@example.jp",
                           text="件名: 補修のお願い\n馬山橋の穴を直してください。")
        received = incoming.receive(town_a, arrival, actor=None,
                                    scan=incoming.Scanned(letter_png(), "image/png", "photo.png"))
        assert received.channel == Channel.EMAIL and "馬山橋" in received.record.text
        assert Scan.objects.get(record=received.record).state == ScanState.PENDING


@pytest.mark.django_db
def test_bad_arrivals_are_refused_with_reasons(town_a, frozen):
    with scope(municipality=town_a):
        with pytest.raises(Refused) as refused:
            incoming.receive(town_a, _arrival(town_a, title=" ", sender="", received_on=date(2027, 1, 1),
                                              answer_by=date(2026, 1, 1)), actor=None)
        assert set(refused.value.errors) == {"title", "sender", "received_on", "answer_by"}
        assert not Record.objects.exists()


@pytest.mark.parametrize(("name", "content"), [("letter.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100),
                                               ("letter.jpg", b"%PDF-1.4\n%%EOF\n"),
                                               ("letter.txt", b"%PDF-1.4\n%%EOF\n"),
                                               ("letter.pdf", b"MZ\x90\x00 an executable")])
def test_a_scan_that_is_not_what_its_name_says_is_refused(name, content):
    with pytest.raises(Refused) as refused:
        incoming.check_scan(upload(name, content))
    assert "scan" in refused.value.errors


@pytest.mark.django_db
def test_reading_fills_the_text_and_an_unreadable_scan_is_kept_and_marked(town_a, staff_a, frozen):
    with scope(municipality=town_a):
        broken = incoming.receive(town_a, _arrival(town_a), actor=staff_a.user,
                                  scan=incoming.Scanned(b"%PDF-1.4\nbroken", "application/pdf", "broken.pdf"))
        scan = incoming.read_scan(Scan.objects.get(record=broken.record))
        assert scan.attempts == 1 and scan.state == ScanState.PENDING and scan.next_try_at is not None
        assert "壊れている" in scan.message
        broken.record.refresh_from_db()
        assert broken.record.file and broken.record.text == ""  # kept
        with pytest.raises(Refused):
            incoming.retry_reading(staff_a, broken.record)  # a try is already waiting


@pytest.mark.django_db(transaction=True)
def test_an_unreadable_scan_is_tried_again_with_backoff_then_by_a_clerk(town_a, staff_a):
    start = timezone.now()
    with time_machine.travel(start, tick=False), scope(municipality=town_a):
        received = incoming.receive(town_a, _arrival(town_a, received_on=timezone.localdate()), actor=staff_a.user,
                                    scan=incoming.Scanned(b"%PDF-1.4\nbroken", "application/pdf", "broken.pdf"))
        run_worker()
        scan = Scan.objects.get(record=received.record)
        assert (scan.attempts, scan.state) == (1, ScanState.PENDING)
        first_wait = scan.next_try_at - start
    with time_machine.travel(start + first_wait + timedelta(seconds=5), tick=False), scope(municipality=town_a):
        run_worker()
        scan.refresh_from_db()
        assert (scan.attempts, scan.state) == (2, ScanState.PENDING)
        second_wait = scan.next_try_at - timezone.now()
        assert second_wait > first_wait  # backoff grows
    with time_machine.travel(scan.next_try_at + timedelta(seconds=5), tick=False), scope(municipality=town_a):
        run_worker()
        scan.refresh_from_db()
        assert (scan.attempts, scan.state, scan.next_try_at) == (3, ScanState.UNREADABLE, None)
        run_worker()
        scan.refresh_from_db()
        assert scan.attempts == 3  # no more automatic tries
    client = factories.staff_client(staff_a)
    page = client.get(f"/t/10382/staff/approvals/records/{received.record.public_id}/")
    body = page.content.decode()
    assert "読み取れない" in body and "もう一度読み取る" in body
    token = body.split('name="_once" value="')[1].split('"')[0]
    client.post(f"/t/10382/staff/approvals/records/{received.record.public_id}/retry/", {"_once": token})
    with scope(municipality=town_a):
        assert Scan.objects.get(pk=scan.pk).state == ScanState.PENDING
        run_worker()
        assert Scan.objects.get(pk=scan.pk).attempts == 4
        assert Record.objects.get(pk=received.record.pk).file  # still kept


@needs_ocr
@pytest.mark.django_db(transaction=True)
def test_a_scanned_letter_is_registered_read_and_shown(town_a, staff_a):
    """The staff form with a scanned PDF; the worker reads it; the document page shows the text and the answer
    link; the kept PDF now has a text layer."""
    document_class = make_class(town_a)
    factories.make_department(town_a, "建設水道課")
    client = factories.staff_client(staff_a)
    form = client.get("/t/10382/staff/approvals/incoming/new/")
    token = form.content.decode().split('name="_once" value="')[1].split('"')[0]
    with scope(municipality=town_a):
        department = factories.make_department(town_a, "建設水道課")
    response = client.post("/t/10382/staff/approvals/incoming/new/", {
        "_once": token, "channel": "paper", "title": "町道三号線の補修についての要望書", "sender": "馬山地区区長会",
        "received_on": timezone.localdate().isoformat(), "department": department.pk,
        "document_class": document_class.pk, "needs_answer": "on",
        "scan": upload("要望書.pdf", letter_pdf(), "application/pdf")})
    assert response.status_code == 302, response.content.decode()[:3000]
    run_worker()
    with scope(municipality=town_a):
        record = Record.objects.get(kind=DocumentKind.RECEIVED)
        assert Scan.objects.get(record=record).state == ScanState.DONE
        assert "馬山橋" in record.text and "要望書" in record.text
        assert Incoming.objects.get(record=record).needs_answer
    page = client.get(response["Location"]).content.decode()
    assert "馬山橋" in page and "建設水道課" in page and "読み取り済み" in page
    with scope(municipality=town_a):
        assert AuditEntry.objects.filter(action="approvals.scan.read").exists()
    scan = client.get(f"/t/10382/staff/approvals/records/{record.public_id}/file/?inline=1")
    assert scan["Content-Type"] == "application/pdf" and b"%PDF" in scan.content[:10]


@pytest.mark.django_db
def test_the_form_refuses_a_scan_that_lies_and_keeps_what_was_typed(town_a, staff_a):
    document_class = make_class(town_a)
    client = factories.staff_client(staff_a)
    token = client.get("/t/10382/staff/approvals/incoming/new/").content.decode().split(
        'name="_once" value="')[1].split('"')[0]
    response = client.post("/t/10382/staff/approvals/incoming/new/", {
        "_once": token, "channel": "paper", "title": "偽のPDF", "sender": "誰か", "received_on": "2026-04-02",
        "department": staff_a.department_id, "document_class": document_class.pk,
        "scan": upload("letter.pdf", letter_png(), "application/pdf")})
    body = response.content.decode()
    assert response.status_code == 400 and "拡張子と合いません" in body and 'value="偽のPDF"' in body
    with scope(municipality=town_a):
        assert not Record.objects.exists()
    empty = client.post("/t/10382/staff/approvals/incoming/new/", {"_once": token, "title": "x"})
    assert empty.status_code == 400 and "スキャンを添えるか、本文を貼り付けてください" in empty.content.decode()


@pytest.mark.django_db
def test_paper_decisions_are_registered_once_per_number(town_a, staff_a, frozen):
    document_class = make_class(town_a, "03-02-01", name="支出負担行為")
    with scope(municipality=town_a):
        paper = incoming.PaperDecision(number="下総第45号", title="消耗品の購入について", department=staff_a.department,
                                       document_class=document_class, decided_on=date(2026, 10, 1))
        record = incoming.register_paper_decision(staff_a, paper)
        assert (record.kind, record.number, record.volume.expires_on) == (
            DocumentKind.DECIDED_PAPER, "下総第45号", date(2032, 3, 31))
        with pytest.raises(Refused) as refused:
            incoming.register_paper_decision(staff_a, paper)
        assert "既に登録されています" in refused.value.errors["number"]
        assert Record.objects.count() == 1
