"""文書管理・収受 in a real browser at 360 px, axe-clean: register a scanned letter, find it by a word that is
only inside the scan, open the 「この文書に回答する起案を作成」 link; the 保存期間満了 list offers 廃棄 and
disposing works."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import NoReverseMatch, reverse
from django_scopes import scope

from tests import factories
from tests.approvals.filing_support import letter_pdf, make_class, needs_ocr
from tests.browser.conftest import assert_accessible, log_in_staff, tab_to
from tests.support.tasks import run_worker
from yakuba.approvals.models import DocumentKind, Record, RecordStatus
from yakuba.approvals.services.filing import file_record
from yakuba.kernel.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page):
    tab_to(page, "main form:not([role=search]) button[type=submit], main form[role=search] button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")


@needs_ocr
def test_a_scanned_letter_is_registered_found_by_a_word_inside_it_and_answered(live_server, phone, tmp_path):
    town = factories.make_town()
    clerk = factories.make_staff(town, department="建設水道課", role=Role.STAFF)
    make_class(town, "01-05-03", name="住民からの要望・陳情", department="建設水道課")
    base = f"{live_server.url}{town.path_prefix}"
    log_in_staff(phone, base, clerk)

    phone.goto(f"{base}/staff/approvals/incoming/new/")
    assert_accessible(phone)
    scan = tmp_path / "要望書.pdf"
    scan.write_bytes(letter_pdf())
    phone.fill("#id_title", "町道三号線の補修についての要望書")
    phone.fill("#id_sender", "馬山地区区長会")
    phone.select_option("#id_document_class", label="01-05-03 住民からの要望・陳情")
    phone.check("#id_needs_answer")
    phone.set_input_files("#id_scan", str(scan))
    _submit(phone)
    assert "R8収受第1号 として収受しました" in phone.inner_text("main") or "収受しました" in phone.inner_text("main")
    assert_accessible(phone)

    run_worker()  # the OCR task, as `yakuba worker` runs it
    phone.goto(f"{base}/staff/approvals/search/")
    assert_accessible(phone)
    phone.fill("#id_q", "馬山橋")  # only in the scanned image
    _submit(phone)
    main = phone.inner_text("main")
    assert "1 件" in main and "町道三号線の補修についての要望書" in main
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="町道三号線の補修についての要望書").click()
    assert "馬山橋" in phone.inner_text("main") and "読み取り済み" in phone.inner_text("main")
    assert_accessible(phone)

    with scope(municipality=town):
        record = Record.objects.get(kind=DocumentKind.RECEIVED)
    try:
        reverse("staff:approvals-draft-new")
    except NoReverseMatch:
        pytest.skip("the drafting half (staff:approvals-draft-new) is not installed: the answer link is hidden")
    link = phone.get_by_role("link", name="この文書に回答する起案を作成")
    assert f"reply_to={record.public_id}" in link.get_attribute("href")
    with phone.expect_navigation():
        link.click()
    assert "について（回答）" in phone.content()
    assert_accessible(phone)


def test_the_expiry_list_offers_disposal_and_disposing_works(live_server, phone):
    town = factories.make_town()
    head = factories.make_staff(town, department="総務課", role=Role.APPROVER)
    document_class = make_class(town, "01-05-02", name="軽易な照会と回答", retention=1)
    with scope(municipality=town):
        old = file_record(kind=DocumentKind.DECIDED_PAPER, title="防犯灯の照会（回答）", number="下総第318号",
                          department=head.department, document_class=document_class, dated=date(2020, 9, 3),
                          actor=None, text="防犯灯の設置場所", content=b"%PDF-1.4 old", filename="old.pdf",
                          content_type="application/pdf")
    base = f"{live_server.url}{town.path_prefix}"
    log_in_staff(phone, base, head)

    phone.goto(f"{base}/staff/approvals/retention/")
    assert_accessible(phone)
    assert old.volume.title in phone.inner_text("main")
    with phone.expect_navigation():
        phone.get_by_role("link", name=f"{old.volume.title}を廃棄").click()
    assert "元に戻せません" in phone.inner_text("main")
    assert_accessible(phone)
    phone.check("#id_confirm")
    phone.fill("#id_reason", "保存期間満了")
    _submit(phone)
    main = phone.inner_text("main")
    assert "を廃棄しました" in main and "下総第318号" in main
    assert_accessible(phone)
    with scope(municipality=town):
        old.refresh_from_db()
        assert (old.status, old.text, old.file.name) == (RecordStatus.DISPOSED, "", "")
