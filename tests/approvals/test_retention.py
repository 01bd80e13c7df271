"""保存期間満了: the list (past and coming 満了, never 永年), 廃棄 destroying the content and keeping what was
destroyed, 延長 with a reason, 移管 with the archive's zip, each audited and confirmed; and what is refused."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django_scopes import scope

from tests import factories
from tests.approvals.filing_support import make_class
from yakuba.approvals.models import DocumentKind, Record, RecordStatus, Volume, VolumeDecision, VolumeStatus
from yakuba.approvals.services import retention
from yakuba.approvals.services.filing import file_record
from yakuba.approvals.signals import record_disposed, volume_disposal_blockers
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused

TODAY = date(2026, 12, 6)  # 令和8年度: the list runs to 2027-03-31


def _keep(town, code, retention_years, dated, number, *, department="総務課", historical=False,
          content=b"%PDF-1.4 scan"):
    with scope(municipality=town):
        document_class = make_class(town, code, name=f"分類{code}", retention=retention_years, historical=historical,
                                    department=department)
        return file_record(kind=DocumentKind.DECIDED_PAPER, title=f"文書{number}", number=number, dated=dated,
                           department=factories.make_department(town, department), document_class=document_class,
                           actor=None, text=f"{number}の本文", content=content, filename=f"{number}.pdf",
                           content_type="application/pdf")


@pytest.fixture
def volumes(town_a):
    return {
        "expired": _keep(town_a, "A", 3, date(2020, 6, 1), "下総第1号").volume,  # 2024-03-31
        "ending": _keep(town_a, "B", 1, date(2025, 6, 1), "下総第2号").volume,  # 2027-03-31: within this 年度
        "later": _keep(town_a, "C", 5, date(2025, 6, 1), "下総第3号").volume,  # 2031
        "permanent": _keep(town_a, "D", 0, date(1990, 6, 1), "下総第4号").volume,
        "historical": _keep(town_a, "E", 3, date(2019, 6, 1), "下総第5号", historical=True).volume,
        "welfare": _keep(town_a, "F", 1, date(2020, 6, 1), "下福第1号", department="福祉課").volume,
    }


@pytest.fixture
def head(town_a):
    """所属長 of 総務課."""
    return factories.make_staff(town_a, department="総務課", role=Role.APPROVER)


@pytest.mark.django_db
def test_the_list_shows_past_and_this_years_expiries_never_permanent(town_a, volumes):
    with scope(municipality=town_a):
        due = set(retention.due_volumes(town_a, today=TODAY))
        assert due == {volumes["expired"], volumes["ending"], volumes["historical"], volumes["welfare"]}
        soumu = volumes["expired"].department
        assert volumes["welfare"] not in set(retention.due_volumes(town_a, department=soumu, today=TODAY))


@pytest.mark.django_db(transaction=True)
def test_disposal_destroys_files_and_text_and_keeps_what_was_destroyed(town_a, head, volumes):
    disposed = []

    def heard(sender, record, **kwargs):
        disposed.append(record.number)

    record_disposed.connect(heard)
    try:
        with scope(municipality=town_a):
            record = Record.objects.get(volume=volumes["expired"])
            stored = record.file.name
            assert default_storage.exists(stored)
            decision = retention.dispose(head, volumes["expired"], reason="保存期間満了", today=TODAY)
            record.refresh_from_db()
            assert (record.status, record.text, record.file.name) == (RecordStatus.DISPOSED, "", "")
            assert (record.number, record.title) == ("下総第1号", "文書下総第1号")  # the record of it stays
            assert not default_storage.exists(stored)  # the content is really gone
            assert decision.destroyed[0]["number"] == "下総第1号" and decision.destroyed[0]["size"] == 13
            assert decision.destroyed[0]["sha256"] and decision.destroyed[0]["text_chars"] == len("下総第1号の本文")
            assert Volume.objects.get(pk=volumes["expired"].pk).status == VolumeStatus.DISPOSED
            assert AuditEntry.objects.filter(action="approvals.volume.disposed").count() == 1
            assert disposed == ["下総第1号"]
            with pytest.raises(Refused, match="既に廃棄済"):
                retention.dispose(head, volumes["expired"], today=TODAY)
    finally:
        record_disposed.disconnect(heard)


@pytest.mark.django_db
def test_what_may_not_be_disposed(town_a, head, staff_a, volumes):
    with scope(municipality=town_a):
        with pytest.raises(Refused, match="満了していません"):
            retention.dispose(head, volumes["ending"], today=TODAY)
        with pytest.raises(Refused, match="移管してください"):
            retention.dispose(head, volumes["historical"], today=TODAY)
        with pytest.raises(Refused, match="永年保存"):
            retention.dispose(head, volumes["permanent"], today=TODAY)
        planning_head = factories.make_staff(town_a, department="企画課", role=Role.APPROVER)
        with pytest.raises(Refused, match="所属長"):
            retention.dispose(planning_head, volumes["expired"], today=TODAY)  # another 課's volume
        with pytest.raises(Refused, match="所属長"):
            retention.dispose(staff_a, volumes["expired"], today=TODAY)

        def open_draft(sender, volume, **kwargs):
            return ["起案「回答」が決裁されていません。"] if volume.pk == volumes["expired"].pk else []

        volume_disposal_blockers.connect(open_draft)
        try:
            with pytest.raises(Refused, match="決裁されていません"):
                retention.dispose(head, volumes["expired"], today=TODAY)
        finally:
            volume_disposal_blockers.disconnect(open_draft)
        assert not VolumeDecision.objects.exists()
        assert Record.objects.get(volume=volumes["expired"]).text  # nothing half-done


@pytest.mark.django_db
def test_extension_needs_a_reason_and_moves_the_expiry(town_a, head, volumes):
    with scope(municipality=town_a):
        with pytest.raises(Refused) as refused:
            retention.extend(head, volumes["expired"], years=5, reason=" ", today=TODAY)
        assert "reason" in refused.value.errors
        decision = retention.extend(head, volumes["expired"], years=5, reason="訴訟で参照するため", today=TODAY)
        volume = Volume.objects.get(pk=volumes["expired"].pk)
        assert (volume.expires_on, volume.status) == (date(2029, 3, 31), VolumeStatus.EXTENDED)
        assert (decision.expires_before, decision.expires_after) == (date(2024, 3, 31), date(2029, 3, 31))
        assert volume not in set(retention.due_volumes(town_a, today=TODAY))
        assert AuditEntry.objects.get(action="approvals.volume.extended").data["reason"] == "訴訟で参照するため"


@pytest.mark.django_db
def test_transfer_marks_the_records_and_the_package_holds_them(town_a, head, volumes):
    with scope(municipality=town_a):
        package = zipfile.ZipFile(io.BytesIO(retention.archive_package(volumes["historical"])))
        names = package.namelist()
        assert "目録.csv" in names and any("下総第5号" in name for name in names)
        assert "下総第5号" in package.read("目録.csv").decode("utf-8-sig")
        retention.transfer(head, volumes["historical"], reason="県立文書館へ", today=TODAY)
        assert Record.objects.get(volume=volumes["historical"]).status == RecordStatus.TRANSFERRED
        assert Volume.objects.get(pk=volumes["historical"].pk).status == VolumeStatus.TRANSFERRED
        assert AuditEntry.objects.filter(action="approvals.volume.transferred").exists()


@pytest.mark.django_db
def test_the_pages_list_confirm_and_dispose(town_a, head, staff_a, volumes, settings):
    import time_machine

    with time_machine.travel(date(2026, 12, 6), tick=True):
        client = factories.staff_client(head)
        listing = client.get("/t/10382/staff/approvals/retention/").content.decode()
        assert volumes["expired"].title in listing and volumes["permanent"].title not in listing
        assert volumes["welfare"].title not in listing  # own 課 by default
        url = f"/t/10382/staff/approvals/volumes/{volumes['expired'].pk}/dispose/"
        confirm = client.get(url).content.decode()
        assert "元に戻せません" in confirm
        token = confirm.split('name="_once" value="')[1].split('"')[0]
        unconfirmed = client.post(url, {"_once": token})
        assert unconfirmed.status_code == 400 and "チェックを入れてください" in unconfirmed.content.decode()
        done = client.post(url, {"_once": token, "confirm": "on", "reason": "満了"}, follow=True)
        assert "を廃棄しました" in done.content.decode() and "を消去" in done.content.decode()
        assert factories.staff_client(staff_a).get(url).status_code == 403
