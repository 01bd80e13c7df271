"""The council's 進捗状況報告: its content for a 年度 (status per measure, target against actual), the PDF and the
xlsx, the Report row a task renders, and the management command."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pytest
from django.core.management import call_command
from django_scopes import scope
from openpyxl import load_workbook

from tests.support.tasks import run_worker
from yakuba.kernel.files.uploads import private_storage
from yakuba.kernel.refusal import Refused
from yakuba.plans import report
from yakuba.plans.models import Indicator, Measure, Report, ReportState, Status
from yakuba.plans.services.progress import ValueInput, record_value, report_status
from yakuba.plans.services.reports import generate_report, request_report

pytestmark = pytest.mark.django_db
TODAY = date(2027, 5, 10)  # after 2026年度


@pytest.fixture
def recorded(small_plan, town_a, admin_a):
    """2026: 行政事務の効率化 実施中 (e-approval 85 % ≥ 80: met; telework 12 日 < 30: missed), DXご意見箱 done,
    情報発信の強化 unreported; an older report of the first measure was superseded."""
    with scope(municipality=town_a):
        first, second, _third = Measure.objects.filter(plan=small_plan).order_by("sort_order")
        report_status(admin_a, first, year=2026, status=Status.CONSIDERING, comment="古い報告")
        report_status(admin_a, first, year=2026, status=Status.IN_PROGRESS,
                      comment="電子決裁を導入した。\n次年度は財務連携。")
        report_status(admin_a, second, year=2026, status=Status.DONE, comment="")
        report_status(admin_a, second, year=2027, status=Status.REVISED, comment="別の年度")
        indicators = {i.text[:6]: i for i in Indicator.objects.filter(measure__plan=small_plan)}
        record_value(admin_a, indicators["電子決裁シス"], ValueInput(year=2026, value="85"))
        record_value(admin_a, indicators["テレワークの"], ValueInput(year=2026, value="12"))
        record_value(admin_a, indicators["DXご意見箱"], ValueInput(year=2026, achieved=True, note="6月に設置"))
    return small_plan


def _lines(data):
    return {line.measure.title: line for section in data.sections for line in section.measures}


def test_the_report_data_for_a_year(recorded, town_a):
    with scope(municipality=town_a):
        data = report.build(recorded, 2026, today=TODAY)
    assert [s.policy.number for s in data.sections] == ["1", "2"]
    lines = _lines(data)
    first = lines["行政事務の効率化"]
    assert (first.status, first.status_label, first.departments) == ("in_progress", "実施中", "総務課")
    assert first.comment.startswith("電子決裁を導入した。") and first.measure.is_priority
    assert [(i.target, i.actual, i.result_label) for i in first.indicators] == [
        ("80 % 以上", "85 %", "達成"), ("30 日 以上", "12 日", "未達")]
    second = lines["行政サービスの利便性向上"]
    assert (second.status_label, second.departments) == ("完了", "全庁")
    assert [(i.actual, i.result) for i in second.indicators] == [("", "none"), ("実施済み", "met")]
    assert second.indicators[1].note == "6月に設置"
    assert lines["情報発信の強化"].status_label == "未報告" and lines["情報発信の強化"].indicators == []
    counts = {key: count for key, _label, count in data.status_counts}
    assert counts == {"not_started": 0, "considering": 0, "in_progress": 1, "done": 1, "revised": 0,
                      "unreported": 1}
    assert (data.indicators_total, data.indicators_met, data.indicators_missed, data.live_total) == (4, 2, 1, 0)


def test_another_year_has_its_own_statuses(recorded, town_a):
    with scope(municipality=town_a):
        data = report.build(recorded, 2027, today=TODAY)
    lines = _lines(data)
    assert lines["行政サービスの利便性向上"].status_label == "見直し"
    assert lines["行政事務の効率化"].status_label == "未報告"
    # the 2026 actual is not the 2027 one
    assert [i.actual for i in lines["行政事務の効率化"].indicators] == ["", ""]


def test_a_live_indicator_is_marked_and_partial_during_the_year(recorded, town_a, admin_a):
    from yakuba.kernel import metrics

    metric = metrics.get("applications.counter_visits_per_month")
    with scope(municipality=town_a):
        indicator = Indicator.objects.get(measure__plan=recorded, text__startswith="窓口入力支援")
        indicator.metric, indicator.unit = metric.key, metric.unit
        indicator.save()
        data = report.build(recorded, 2026, today=date(2026, 9, 1))
    item = _lines(data)["行政サービスの利便性向上"].indicators[0]
    assert item.live and item.partial and data.live_total == 1


def _pdf_text(content: bytes, tmp_path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils is missing: `make system-deps` installs it"
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def test_the_pdf_renders_with_the_plan_and_measures(recorded, town_a, tmp_path):
    with scope(municipality=town_a):
        content = report.render(recorded, 2026, "pdf", today=TODAY)
    assert content.startswith(b"%PDF")
    text = _pdf_text(content, tmp_path)
    flat = "".join(text.split())
    for words in ("テスト町DX推進計画", "令和8年度", "進捗状況報告", "行政事務の効率化", "情報発信の強化", "未報告",
                  "電子決裁利用率80%以上", "達成", "未達", "2027年5月10日", town_a.name):
        assert words in flat, words
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(tmp_path / "report.pdf"),
                        str(tmp_path / "page")], check=True)
        assert list(tmp_path.glob("page*.png"))


def test_the_xlsx_has_the_summary_and_a_row_per_indicator(recorded, town_a):
    with scope(municipality=town_a):
        content = report.render(recorded, 2026, "xlsx", today=TODAY)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "テスト町DX推進計画" in rows[0][0] and "進捗状況報告" in rows[0][0]
    header = next(i for i, row in enumerate(rows) if row[0] == "方針")
    body = rows[header + 1:]
    assert len(body) == 2 + 2 + 1  # two indicators, two indicators, a measure without any
    assert body[0][2:7] == ("行政事務の効率化", "重点", "総務課", "実施中", "電子決裁を導入した。\n次年度は財務連携。")
    assert body[0][8:12] == ("80 % 以上", 2026, "85 %", "達成")
    assert body[4][2] == "情報発信の強化" and body[4][5] == "未報告"
    assert sheet.freeze_panes == f"A{header + 2}"


@pytest.mark.django_db(transaction=True)  # the worker commits and closes its connection
def test_a_requested_report_is_rendered_by_the_worker(recorded, town_a, admin_a):
    with scope(municipality=town_a):
        row = request_report(admin_a, recorded, 2026, "pdf")
        assert Report.objects.get(pk=row.pk).state == ReportState.PENDING
    run_worker()
    with scope(municipality=town_a):
        row.refresh_from_db()
    assert row.state == ReportState.READY and row.finished_at and row.error == ""
    with private_storage().open(row.file, "rb") as stored:
        content = stored.read()
    assert content.startswith(b"%PDF") and row.size == len(content)
    assert row.file.startswith(f"{town_a.code}/plans/reports/")


def test_a_report_that_cannot_render_is_failed_with_a_short_error(recorded, town_a, caplog):
    with scope(municipality=town_a):
        row = Report.objects.create(municipality=town_a, plan=recorded, year=2026, format="doc")
        generate_report(row)
        row.refresh_from_db()
        assert row.state == ReportState.FAILED and row.file == "" and row.finished_at
        # Staff read what they can do; the traceback is in the log, not the only trace of the failure.
        assert row.error == ("計画の指標・実績の値を確かめて、もう一度作成してください。"
                             "直らないときは情報担当に連絡してください（ValueError）。")
        failure = next(r for r in caplog.records if r.name == "yakuba.plans.services.reports")
        assert failure.exc_info and "unknown report format 'doc'" in str(failure.exc_info[1])
        generate_report(row)  # a finished report is left as it is
        assert Report.objects.get(pk=row.pk).finished_at == row.finished_at


def test_request_refuses_a_year_outside_the_plan(small_plan, town_a, admin_a):
    with scope(municipality=town_a), pytest.raises(Refused):
        request_report(admin_a, small_plan, 2031, "pdf")


def test_the_command_writes_the_report(recorded, town_a, tmp_path):
    out = tmp_path / "r.xlsx"
    call_command("plans_report", "--town", town_a.code, "--plan", "dx-test", "--year", "2026", "--format", "xlsx",
                 "--output", str(out))
    assert load_workbook(out).active["A1"].value.startswith(town_a.name)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("plans_report", "--town", town_a.code, "--plan", "nope", "--year", "2026", "--output",
                     str(out))


def test_the_xlsx_keeps_hostile_text_as_text_and_figures_as_numbers(recorded, town_a, admin_a):
    from tests.kernel.files.test_tables import HOSTILE, assert_inert_xlsx

    for text in HOSTILE:
        with scope(municipality=town_a):
            first = Measure.objects.filter(plan=recorded).order_by("sort_order").first()
            Measure.objects.filter(pk=first.pk).update(title=text)
            report_status(admin_a, first, year=2026, status=Status.IN_PROGRESS, comment=text)
            content = report.render(recorded, 2026, "xlsx", today=TODAY)
        sheet = load_workbook(io.BytesIO(content)).active
        header = next(row[0].row for row in sheet.iter_rows() if row[0].value == "方針")
        first_row = sheet[header + 1]
        assert_inert_xlsx(first_row[2], text)
        assert_inert_xlsx(first_row[6], text.strip())  # the report form strips the comment
        assert first_row[9].value == 2026 and first_row[9].data_type == "n"
