"""The KPI charts: one bar per recorded 年度, a target line over the years it applies, one point per month, and an
accessible name that says the numbers."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope

from yakuba.kernel.metrics import Metric
from yakuba.plans import charts
from yakuba.plans.models import Indicator
from yakuba.plans.services.kpis import Kpi, Point

pytestmark = pytest.mark.django_db


def kpi_of(small_plan, text_start: str, points: list[Point], **extra) -> Kpi:
    with scope(municipality=small_plan.municipality):
        indicator = Indicator.objects.select_related("measure__plan").get(measure__plan=small_plan,
                                                                          text__startswith=text_start)
    return Kpi(indicator=indicator, metric=None, points=points, **extra)


def test_number_formatting():
    assert charts.number(Decimal("80.0000")) == "80"
    assert charts.number(Decimal("1234.5000")) == "1,234.5"
    assert charts.number(Decimal("-0.5")) == "-0.5"
    assert charts.number(None) == ""


def test_year_chart_has_a_bar_per_recorded_year_and_a_target_line(small_plan):
    kpi = kpi_of(small_plan, "電子決裁", [
        Point(2026, Decimal(80), Decimal("75.5"), "manual", False),
        Point(2027, Decimal(80), Decimal(82), "manual", True),
        Point(2028, Decimal(80))])
    svg = str(charts.year_chart(kpi))
    assert svg.count('class="chart__bar"') == 2
    assert svg.count('class="chart__target"') == 3
    assert 'role="img"' in svg and "<title>" in svg
    label = re.search(r'aria-label="([^"]+)"', svg).group(1)
    assert "目標 80%以上（令和8年度から）" in label
    assert "令和8年度 75.5%（未達）" in label and "令和9年度 82%（達成）" in label and "令和10年度 未記録" in label
    assert "R8" in svg and "R10" in svg


def test_a_running_year_is_drawn_as_partial_and_said_so(small_plan):
    kpi = kpi_of(small_plan, "電子決裁", [Point(2026, Decimal(80), Decimal(40), "metric", False, partial=True),
                                         Point(2027, None), Point(2028, None)])
    svg = str(charts.year_chart(kpi))
    assert svg.count("chart__bar--partial") == 1
    assert "未達（途中経過）" in svg


def test_the_target_line_starts_at_its_due_year(small_plan):
    kpi = kpi_of(small_plan, "テレワーク", [Point(2026, None, Decimal(10), "manual"), Point(2027, Decimal(30)),
                                        Point(2028, Decimal(30))])
    svg = str(charts.year_chart(kpi))
    assert svg.count('class="chart__target"') == 2 and svg.count('class="chart__bar"') == 1


def test_monthly_chart_has_a_point_per_month_with_a_value(small_plan):
    metric = Metric("test.chart", "テスト訪問数", "件", lambda start, end: 1)
    months = [(date(2026, 4, 1), Decimal(3)), (date(2026, 5, 1), Decimal(7)), (date(2026, 6, 1), None),
              (date(2026, 7, 1), Decimal("12.5"))]
    kpi = kpi_of(small_plan, "電子決裁", [], monthly=months)
    kpi.metric = metric
    svg = str(charts.monthly_chart(kpi))
    assert svg.count('class="chart__point"') == 3
    assert svg.count("<polyline") == 1
    label = re.search(r'aria-label="([^"]+)"', svg).group(1)
    assert "テスト訪問数 の月ごとの値（令和8年度）" in label
    assert "4月 3%" in label and "6月 なし" in label and "7月 12.5%" in label


def test_no_months_no_chart(small_plan):
    assert str(charts.monthly_chart(kpi_of(small_plan, "電子決裁", []))) == ""


def test_text_is_escaped(small_plan):
    kpi = kpi_of(small_plan, "電子決裁", [Point(2026, None)])
    kpi.indicator.text = '<script>"x"</script>'
    svg = str(charts.year_chart(kpi))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_units_are_translated_with_their_number():
    from django.utils import translation

    assert charts.with_unit(Decimal(30), "件") == "30件" and charts.with_unit(Decimal("12.5"), "%") == "12.5%"
    assert charts.with_unit(Decimal(3), "ポイント") == "3ポイント"  # a unit the table does not know stays as written
    with translation.override("en"):
        assert charts.with_unit(Decimal(30), "件") == "30 cases" and charts.with_unit(Decimal(1), "件") == "1 case"
        assert charts.with_unit(Decimal(1200), "人") == "1,200 people" and charts.with_unit(Decimal(80), "%") == "80%"
        assert charts.unit_name("回/月") == "times a month"
