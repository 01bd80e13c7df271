"""Recording progress (status, values, evidence), the rules that refuse a record, live KPIs, and the to-do."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from tests import factories
from yakuba.kernel import metrics
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.plans import interchange
from yakuba.plans.models import Evidence, Indicator, IndicatorValue, Measure, Source, Status, StatusReport
from yakuba.plans.services import kpis, progress, todo
from yakuba.plans.services.exchange import save_plan
from yakuba.plans.services.progress import ValueInput

from .conftest import small_plan_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = date(2026, 11, 23)  # 令和8年度, the plan's first year


def _measure(plan, title="行政事務の効率化"):
    return Measure.objects.get(plan=plan, title=title)


def _indicator(plan, start):
    return Indicator.objects.get(measure__plan=plan, text__startswith=start)


def test_a_report_is_history_and_the_newest_is_current(small_plan, town_a, staff_a):
    with scope(municipality=town_a):
        measure = _measure(small_plan)
        first = progress.report_status(staff_a, measure, year=2026, status=Status.CONSIDERING, comment="検討開始")
        second = progress.report_status(staff_a, measure, year=2026, status=Status.IN_PROGRESS, comment="整備中",
                                        files=[SimpleUploadedFile("議事録.pdf", PDF, "application/pdf")])
        assert progress.current_status(measure, 2026) == second
        assert StatusReport.objects.filter(measure=measure).count() == 2 and first.pk != second.pk
        assert progress.latest_by_measure(small_plan, 2026)[measure.pk] == second
        [evidence] = Evidence.objects.filter(report=second)
        assert evidence.name == "議事録.pdf" and evidence.content_type == "application/pdf"
        assert AuditEntry.objects.filter(action="plans.status_reported").count() == 2


def test_a_period_outside_the_plan_is_refused_and_nothing_is_saved(small_plan, town_a, staff_a):
    with scope(municipality=town_a):
        measure = _measure(small_plan)
        with pytest.raises(Refused) as refused:
            progress.report_status(staff_a, measure, year=2030, status=Status.DONE)
        assert "計画の期間" in refused.value.errors["year"]
        with pytest.raises(Refused) as refused:
            progress.report_status(staff_a, measure, year=2026, status=Status.DONE, quarter=2)
        assert "quarter" in refused.value.errors
        with pytest.raises(Refused):
            progress.record_value(staff_a, _indicator(small_plan, "テレワーク"), ValueInput(year=2025, value="12"))
        assert not StatusReport.objects.exists() and not IndicatorValue.objects.exists()


def test_a_value_in_another_unit_is_refused(small_plan, town_a, staff_a):
    with scope(municipality=town_a):
        indicator = _indicator(small_plan, "テレワーク")  # 日
        with pytest.raises(Refused) as refused:
            progress.record_value(staff_a, indicator, ValueInput(year=2026, value="3", unit="時間"))
        assert "「日」" in refused.value.errors["unit"]
        with pytest.raises(Refused) as refused:
            progress.record_value(staff_a, indicator, ValueInput(year=2026, value="たくさん", unit="日"))
        assert "数字" in refused.value.errors["value"]
        with pytest.raises(Refused) as refused:
            progress.record_value(staff_a, _indicator(small_plan, "電子決裁"), ValueInput(year=2026, value="120"))
        assert "0〜100" in refused.value.errors["value"]
        assert not IndicatorValue.objects.exists()


def test_values_are_judged_against_the_target(small_plan, town_a, staff_a, admin_a):
    with scope(municipality=town_a):
        telework = _indicator(small_plan, "テレワーク")
        low = progress.record_value(staff_a, telework,
                                    ValueInput(year=2026, value="２５", unit="日", note="庶務係集計"))
        assert low.value == Decimal("25") and low.achieved is False and low.unit == "日"
        high = progress.record_value(staff_a, telework, ValueInput(year=2026, value="31"))
        assert high.achieved is True and progress.current_value(telework, 2026) == high
        done = _indicator(small_plan, "DXご意見箱")
        row = progress.record_value(admin_a, done, ValueInput(year=2026, achieved=True, note="コーナー設置"))
        assert row.value is None and row.achieved is True


def test_only_responsible_departments_and_the_dx_office_record(small_plan, town_a, staff_a_other, admin_a):
    with scope(municipality=town_a):
        measure = _measure(small_plan)  # 総務課 lead, 会計課 related
        assert not progress.may_record(staff_a_other, measure)
        with pytest.raises(Refused) as refused:
            progress.report_status(staff_a_other, measure, year=2026, status=Status.DONE)
        assert "権限" in refused.value.errors["__all__"]
        accounting = factories.make_staff(town_a, department="会計課")
        assert progress.may_record(accounting, measure) and progress.may_record(admin_a, measure)
        whole_office = _measure(small_plan, "行政サービスの利便性向上")  # 全庁: no department named
        assert progress.may_record(staff_a_other, whole_office)


def test_an_unacceptable_file_refuses_the_whole_record(small_plan, town_a, staff_a):
    with scope(municipality=town_a):
        with pytest.raises(Refused) as refused:
            progress.report_status(staff_a, _measure(small_plan), year=2026, status=Status.DONE,
                                   files=[SimpleUploadedFile("a.pdf", PDF, "application/pdf"),
                                          SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 50, "application/pdf")])
        assert "virus.exe" in refused.value.errors["files"]
        assert not StatusReport.objects.exists() and not Evidence.objects.exists()


@pytest.fixture
def visits_metric():
    """A live metric over the town's finished counter visits (the real one, registered by applications)."""
    metric = metrics.get("applications.counter_visits_per_month")
    assert metric is not None and metric.unit == "回/月"
    return metric


def _finish_visits(town, count, when):
    from yakuba.applications.models import CounterVisit

    resident = factories.make_resident(town)
    clerk = factories.make_staff(town, department="住民税務課")
    with scope(municipality=town):
        for _ in range(count):
            CounterVisit.objects.create(municipality=town, resident=resident, staff=clerk, started_at=when,
                                        finished_at=when)


def test_a_bound_indicator_moves_with_real_use(small_plan, town_a, town_b, admin_a, visits_metric):
    from django.utils import timezone

    with scope(municipality=town_a):
        indicator = kpis.bind(admin_a, _indicator(small_plan, "窓口入力支援"), visits_metric.key)
        [kpi] = kpis.kpis(small_plan, today=TODAY, indicators=[indicator])
        assert kpi.live and kpi.point(2026).actual == Decimal("0.0") and kpi.point(2026).partial
    when = timezone.make_aware(timezone.datetime(2026, 10, 5, 10))
    _finish_visits(town_a, 16, when)
    _finish_visits(town_b, 50, when)  # another town's counter does not count
    with scope(municipality=town_a):
        [kpi] = kpis.kpis(small_plan, today=TODAY, indicators=[indicator])
        point = kpi.point(2026)
        assert point.actual == Decimal("2.0") and point.source == Source.METRIC  # 16 visits over Apr–Nov (8 months)
        assert point.achieved is False and point.target == Decimal("10")
        assert kpi.point(2027).actual is None  # a year not begun is not measured
        october = dict(kpi.monthly)[date(2026, 10, 1)]
        assert october == Decimal("16.0")
        # a recorded value for the year is the actual from then on
        progress.record_value(admin_a, indicator, ValueInput(year=2026, value="12", note="窓口集計"))
        [kpi] = kpis.kpis(small_plan, today=TODAY, indicators=[indicator])
        assert kpi.point(2026).actual == Decimal("12") and kpi.point(2026).source == Source.MANUAL


def test_binding_checks_the_role_and_the_unit(small_plan, town_a, staff_a, admin_a, visits_metric):
    with scope(municipality=town_a):
        telework = _indicator(small_plan, "テレワーク")
        with pytest.raises(Refused):
            kpis.bind(staff_a, telework, visits_metric.key)
        with pytest.raises(Refused) as refused:
            kpis.bind(admin_a, telework, visits_metric.key)
        assert "単位" in refused.value.errors["metric"]
        with pytest.raises(Refused):
            kpis.bind(admin_a, telework, "no.such.metric")
        telework.refresh_from_db()
        assert telework.metric == ""


def test_a_snapshot_fixes_live_values_for_the_council(small_plan, town_a, admin_a, visits_metric):
    with scope(municipality=town_a):
        indicator = kpis.bind(admin_a, _indicator(small_plan, "窓口入力支援"), visits_metric.key)
        [row] = kpis.snapshot(admin_a, small_plan, 2026, today=TODAY)
        assert row.source == Source.METRIC and row.indicator == indicator and "時点" in row.note
        assert kpis.snapshot(admin_a, small_plan, 2026, today=TODAY) == []  # already recorded


def test_the_todo_of_a_department(small_plan, town_a, staff_a):
    with scope(municipality=town_a):
        items = todo.for_department(staff_a.department, 2026)
        titles = [item.measure.title for item in items]
        assert titles == ["行政事務の効率化", "情報発信の強化"]  # 総務課 leads both; 全庁 is not a department's
        first = items[0]
        assert first.role == "lead" and not first.reported
        assert {cell.text for _, cell in first.work} == {"システム整備", "運用継続・利用率拡大"}
        assert len(first.due) == 2
        progress.report_status(staff_a, first.measure, year=2026, status=Status.IN_PROGRESS)
        progress.record_value(staff_a, first.due[0], ValueInput(year=2026, value="50"))
        again = todo.for_department(staff_a.department, 2026)
        assert [i.measure.title for i in again] == ["情報発信の強化", "行政事務の効率化"]  # unreported first
        assert again[1].reported and len(again[1].due) == 1
        assert todo.for_department(staff_a.department, 2031) == []  # no plan runs then


def test_interchange_refuses_bad_data_with_where(town_a):
    data = small_plan_data()
    measure = data["policies"][0]["measures"][0]
    measure["indicators"][0]["target"] = "たくさん"
    measure["actions"][0]["schedule"][0]["from"] = "2031"
    measure["indicators"][1]["action"] = "ない取組"
    data["end_year"] = 2020
    problems = {p.where: p.message for p in interchange.validate(data)}
    assert "数値" in problems["policies[0].measures[0].indicators[0].target"]
    assert "計画の期間" in problems["policies[0].measures[0].actions[0].schedule[0].from"]
    assert "ない取組" in problems["policies[0].measures[0].indicators[1].action"]
    assert "開始年度より前" in problems["end_year"]
    with scope(municipality=town_a), pytest.raises(interchange.InvalidPlan):
        save_plan(town_a, data)
    with scope(municipality=town_a):
        from yakuba.plans.models import Plan

        assert not Plan.objects.exists()


def test_reloading_changed_data_keeps_recorded_progress(small_plan, town_a, staff_a):
    with scope(municipality=town_a):
        telework = _indicator(small_plan, "テレワーク")
        progress.record_value(staff_a, telework, ValueInput(year=2026, value="5"))
        data = small_plan_data()
        data["policies"][0]["measures"][0]["indicators"][1]["target"] = "40"
        data["policies"][1]["measures"].pop()  # 情報発信の強化 removed
        save_plan(town_a, data)
        telework.refresh_from_db()
        assert telework.target_value == Decimal("40") and telework.values.count() == 1
        assert not Measure.objects.filter(title="情報発信の強化").exists()
        assert interchange.dump(small_plan)["policies"][1]["measures"][0]["title"] == "行政サービスの利便性向上"
