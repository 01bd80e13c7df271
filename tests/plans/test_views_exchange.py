"""Staff pages of the plan exchange through HTTP: import (new plan, replacing after confirmation, errors per cell,
once), export and template, council reports (request, worker, download) and who may do what."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from tests import factories
from tests.support.tasks import run_worker
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.ui.once import new_token
from yakuba.plans import interchange, spreadsheet
from yakuba.plans.models import Measure, Plan, Report, ReportState

pytestmark = pytest.mark.django_db
XLSX = spreadsheet.CONTENT_TYPE


def url(town, name: str, *args) -> str:
    return factories.town_url(town, reverse(f"staff:{name}", args=args))


def upload(content: bytes, name: str = "plan.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def audits(action: str):
    with scopes_disabled():
        return list(AuditEntry.objects.filter(action=action))


def _exported(town, plan) -> bytes:
    with scope(municipality=town):
        return spreadsheet.export(plan)


def _with(content: bytes, sheet: str, row: int, col: int, value) -> bytes:
    book = load_workbook(io.BytesIO(content))
    book[sheet].cell(row, col).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Access ------------------------------------------------------------------------------------------------------------

def test_only_the_dx_office_may_import(town_a, staff_a, small_plan):
    client = factories.staff_client(staff_a)
    assert client.get(url(town_a, "plan-import")).status_code == 403
    assert client.get(url(town_a, "plan-template")).status_code == 403
    response = client.post(url(town_a, "plan-import"), {"file": upload(_exported(town_a, small_plan))})
    assert response.status_code == 403
    # any staff member may export and ask for a report
    assert client.get(url(town_a, "plan-export", "dx-test")).status_code == 200
    assert client.get(url(town_a, "plan-report", "dx-test")).status_code == 200


def test_another_towns_plan_and_report_are_404(town_a, town_b, small_plan, staff_b, admin_a):
    with scope(municipality=town_a):
        row = Report.objects.create(municipality=town_a, plan=small_plan, year=2026, format="pdf",
                                    state=ReportState.READY, file="x")
    client = factories.staff_client(staff_b)  # 情報担当 of town B
    assert client.get(url(town_b, "plan-export", "dx-test")).status_code == 404
    assert client.get(url(town_b, "plan-report", "dx-test")).status_code == 404
    assert client.get(url(town_b, "plan-report-file", row.pk)).status_code == 404
    assert client.get(url(town_a, "plan-export", "dx-test")).status_code == 403


def test_anonymous_goes_to_login(town_a, small_plan, client):
    response = client.get(url(town_a, "plan-report", "dx-test"))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


# Import --------------------------------------------------------------------------------------------------------------

def test_the_import_page_and_the_template(town_a, admin_a):
    client = factories.staff_client(admin_a)
    page = client.get(url(town_a, "plan-import")).content.decode()
    assert "DX推進計画の取り込み" in page and 'type="file"' in page and "_once" in page
    response = client.get(url(town_a, "plan-template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "計画"


def test_importing_a_new_plan(town_a, town_b, small_plan, staff_b):
    content = _exported(town_a, small_plan)
    client = factories.staff_client(staff_b)
    response = client.post(url(town_b, "plan-import"), {"file": upload(content), "_once": new_token()})
    assert response.status_code == 302 and response["Location"].endswith("/plans/dx-test/report/")
    with scope(municipality=town_b):
        plan = Plan.objects.get(slug="dx-test")
        with scope(municipality=town_a):
            original = interchange.dump(small_plan)
        assert interchange.dump(plan) == original
    assert [e.data["measures"] for e in audits("plans.imported")] == [3]


def test_a_wrong_file_lists_every_problem_by_sheet_row_column_and_imports_nothing(town_a, small_plan, admin_a):
    content = _exported(town_a, small_plan)
    content = _with(content, "指標", 2, 5, "たくさん")  # E: 目標値
    content = _with(content, "工程", 3, 3, "令和八")  # C: 開始
    content = _with(content, "計画", 2, 2, "dx-new")  # a new slug: it would be a new plan
    client = factories.staff_client(admin_a)
    response = client.post(url(town_a, "plan-import"), {"file": upload(content), "_once": new_token()})
    page = response.content.decode()
    assert response.status_code == 400
    assert "2 件の問題があります" in page
    assert "「指標」シート" in page and "2行目 E列（目標値）: 数値で入力してください" in page
    assert "「工程」シート" in page and "3行目 C列（開始）" in page
    with scope(municipality=town_a):
        assert list(Plan.objects.values_list("slug", flat=True)) == ["dx-test"]


def test_not_an_xlsx_and_no_file_are_400(town_a, admin_a):
    client = factories.staff_client(admin_a)
    response = client.post(url(town_a, "plan-import"), {"file": upload(b"hello", "plan.csv")})
    assert response.status_code == 400 and "Excel ファイル（.xlsx）ではありません" in response.content.decode()
    response = client.post(url(town_a, "plan-import"), {})
    assert response.status_code == 400 and "ファイル（.xlsx）を選んでください" in response.content.decode()


def test_replacing_a_plan_asks_first_then_replaces_once(town_a, small_plan, admin_a):
    content = _exported(town_a, small_plan)
    book = load_workbook(io.BytesIO(content))
    book["取組項目"].delete_rows(4)  # 情報発信の強化 goes
    book["工程"].delete_rows(7)
    out = io.BytesIO()
    book.save(out)
    client = factories.staff_client(admin_a)
    response = client.post(url(town_a, "plan-import"), {"file": upload(out.getvalue()), "_once": new_token()})
    page = response.content.decode()
    assert response.status_code == 200 and "計画の置き換えの確認" in page
    assert "<th scope=\"row\">取組項目</th><td>3</td><td><strong>2</strong></td>" in page
    with scope(municipality=town_a):
        assert Measure.objects.filter(plan=small_plan).count() == 3  # nothing yet
    token = new_token()
    response = client.post(url(town_a, "plan-import"), {"step": "confirm", "slug": "dx-test", "_once": token})
    assert response.status_code == 302
    with scope(municipality=town_a):
        assert Measure.objects.filter(plan=small_plan).count() == 2
        assert Plan.objects.count() == 1
    again = client.post(url(town_a, "plan-import"), {"step": "confirm", "slug": "dx-test", "_once": token})
    assert again.status_code == 302 and again["Location"].endswith("/plans/import/")
    assert len(audits("plans.imported")) == 1


# Export and reports ------------------------------------------------------------------------------------------

def test_export_is_audited(town_a, small_plan, staff_a):
    response = factories.staff_client(staff_a).get(url(town_a, "plan-export", "dx-test"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "dx-test.xlsx" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content))["取組項目"]["D2"].value == "行政事務の効率化"
    assert len(audits("plans.exported")) == 1


@pytest.mark.django_db(transaction=True)  # the worker commits and closes its connection
def test_requesting_a_report_then_downloading_it(town_a, small_plan, staff_a):
    client = factories.staff_client(staff_a)
    page = client.get(url(town_a, "plan-report", "dx-test")).content.decode()
    assert "令和8年度（2026）" in page and "まだありません" in page
    response = client.post(url(town_a, "plan-report", "dx-test"),
                           {"year": "2026", "format": "xlsx", "_once": new_token()})
    assert response.status_code == 302
    page = client.get(url(town_a, "plan-report", "dx-test")).content.decode()
    assert "作成中" in page and "更新" in page
    run_worker()
    with scope(municipality=town_a):
        row = Report.objects.get()
    assert row.state == ReportState.READY and row.requested_by == staff_a
    page = client.get(url(town_a, "plan-report", "dx-test")).content.decode()
    assert url(town_a, "plan-report-file", row.pk) in page
    response = client.get(url(town_a, "plan-report-file", row.pk))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "dx-test-2026-progress.xlsx" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).active["A1"].value
    assert len(audits("plans.report_downloaded")) == 1


def test_a_year_outside_the_plan_is_400(town_a, small_plan, staff_a):
    client = factories.staff_client(staff_a)
    response = client.post(url(town_a, "plan-report", "dx-test"), {"year": "2031", "format": "pdf"})
    assert response.status_code == 400 and "年度を選び直してください" in response.content.decode()
    with scope(municipality=town_a):
        assert not Report.objects.exists()


def test_a_pending_report_cannot_be_downloaded(town_a, small_plan, staff_a):
    with scope(municipality=town_a):
        row = Report.objects.create(municipality=town_a, plan=small_plan, year=2026, format="pdf")
    assert factories.staff_client(staff_a).get(url(town_a, "plan-report-file", row.pk)).status_code == 404
