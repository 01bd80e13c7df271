"""Public pages of DX推進計画 through HTTP: the plans with their progress, the tree, the 工程表, the KPI dashboard and
one measure; other towns' plans are not found; evidence and staff names are not shown."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from tests import factories
from tests.plans.conftest import small_plan_data
from yakuba.plans.models import Measure
from yakuba.plans.services import kpis
from yakuba.plans.services.exchange import save_plan
from yakuba.plans.services.progress import ValueInput, record_value, report_status

from .conftest import indicator, measure, text

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOW = "2026-11-23 10:00+09:00"


def url(town, name: str, *args, query: str = "") -> str:
    return factories.town_url(town, reverse(f"plans:{name}", args=args)) + (f"?{query}" if query else "")


@pytest.fixture
def progress(small_plan, admin_a):
    """A status report, a numeric value (with a file) and a done-indicator recorded by 総務課 in 令和8年度."""
    with scope(municipality=small_plan.municipality):
        report_status(admin_a, measure(small_plan, "行政事務の効率化"), year=2026, status="in_progress",
                      comment="電子決裁を試行中", files=[SimpleUploadedFile("minutes.pdf", PDF)])
        record_value(admin_a, indicator(small_plan, "電子決裁"), ValueInput(year=2026, value="85", unit="%"),
                     [SimpleUploadedFile("survey.pdf", PDF)])
        record_value(admin_a, indicator(small_plan, "DXご意見箱"), ValueInput(year=2026, achieved=True))
    return small_plan



@time_machine.travel(NOW, tick=False)
def test_index_lists_the_plans_with_their_progress(client, town_a, progress):
    page = text(client.get(url(town_a, "index")))
    assert "テスト町DX推進計画" in page and "ver1.0" in page
    assert "令和8年度〜令和10年度" in page and "計画期間中" in page
    assert "実施中 1 件" in page and "未報告 2 件" in page
    assert "指標の達成: 4 件中 2 件" in page


@time_machine.travel(NOW, tick=False)
def test_detail_shows_the_tree_with_status_departments_and_indicators(client, town_a, progress):
    response = client.get(url(town_a, "detail", "dx-test"))
    assert response.status_code == 200
    page = text(response)
    assert "誰も取り残さないDX" in page
    assert "1. 庁内業務DX（行政事務の効率化）" in page and "2. 町民サービスDX（町民の利便性向上）" in page
    assert "重点" in page
    assert "担当 総務課" in page and "関係 会計課" in page and "担当 全庁" in page
    assert "令和8年度: 実施中" in page and "令和8年度: 未報告" in page
    assert "電子決裁システムの導入" in page and "目標: 80%以上" in page and "実績: 85%（令和8年度） 達成" in page
    assert "実績: 実施済み" in page
    body = response.content.decode()
    main = body[body.index('<main'):body.index('</main>')]  # the header's 表示・言語 switches are a <details> too
    assert main.count("<details") == 3 and "<summary>" in main
    assert reverse("plans:schedule", args=["dx-test"]) in body and reverse("plans:kpi", args=["dx-test"]) in body
    assert "進捗を記録" not in page


@time_machine.travel(NOW, tick=False)
def test_schedule_is_a_table_with_runs_and_the_current_year_labelled(client, town_a, small_plan):
    body = client.get(url(town_a, "schedule", "dx-test")).content.decode()
    assert re.search(r'<div class="gantt" role="region" aria-labelledby="gantt-caption" tabindex="0">', body)
    assert '<caption id="gantt-caption">' in body
    assert body.count('<th scope="col" class="gantt__period') == 3
    assert body.count('<th scope="row"') == 3 + 3  # three measures, three actions
    assert body.count("gantt__now-label") == 1 and "現在" in body
    assert '<col class="gantt__now">' in body
    # 「テレワークの推進」 runs over all three years in one cell, with its period spoken.
    assert re.search(r'colspan="3"[^>]*><span class="gantt__bar">運用継続・利用率拡大<span class="visually-hidden">'
                     r"（令和8年度〜令和10年度）", body)
    assert "財務連携検討" in body


@time_machine.travel("2030-05-01 10:00+09:00", tick=False)
def test_schedule_of_an_ended_plan_says_so(client, town_a, small_plan):
    page = text(client.get(url(town_a, "schedule", "dx-test")))
    assert "現在（令和12年度）は計画の期間外です。" in page
    assert "終了" in text(client.get(url(town_a, "index")))


@time_machine.travel(NOW, tick=False)
def test_quarter_plans_have_a_column_per_quarter(client, town_a):
    data = small_plan_data()
    data.update(slug="dx-q", granularity="quarter", start_year=2026, end_year=2027)
    data["policies"][0]["measures"][0]["actions"][0]["schedule"] = [{"from": "2026Q2", "to": "2026Q4", "text": "整備"}]
    data["policies"][0]["measures"][0]["actions"][1]["schedule"] = []
    data["policies"][1]["measures"][0]["actions"][0]["schedule"] = []
    data["policies"][1]["measures"][1]["schedule"] = []
    with scope(municipality=town_a):
        save_plan(town_a, data)
    body = client.get(url(town_a, "schedule", "dx-q")).content.decode()
    assert body.count('<th scope="colgroup" colspan="4">') == 2
    assert body.count('<th scope="col" class="gantt__period') == 8
    assert re.search(r'colspan="3"[^>]*><span class="gantt__bar">整備<span class="visually-hidden">'
                     r"（令和8年度 7-9月〜令和8年度 1-3月）", body)
    # 2026-11 is the third quarter (10-12月) of 令和8年度: the seventh column… of the year's four, the third.
    now = re.search(r'<th scope="col" class="gantt__period gantt__period--now">(.*?)</th>', body).group(1)
    assert "10-12月" in now and "現在" in now


@time_machine.travel(NOW, tick=False)
def test_kpi_dashboard_has_charts_tables_and_words(client, town_a, progress, live_metric, admin_a):
    with scope(municipality=town_a):
        kpis.bind(admin_a, indicator(progress, "窓口入力支援"), "test.visits")
    response = client.get(url(town_a, "kpi", "dx-test"))
    body = response.content.decode()
    page = text(response)
    assert body.count('<svg class="chart chart--years"') == 3
    assert body.count('<svg class="chart chart--months"') == 1
    assert body.count("<caption>") == 4
    assert ('aria-label="電子決裁システムの導入: 電子決裁利用率80%以上。目標 80%以上（令和8年度から）。'
            "令和8年度 85%（達成）") in body
    assert "自動計測 テスト来庁者数（回/月）" in page
    assert "12回/月" in page and "達成（途中経過）" in page
    assert "数値のない指標" in page and "DXご意見箱" in page and "実施済み（令和8年度）" in page
    live = client.get(url(town_a, "kpi", "dx-test", query="show=live")).content.decode()
    assert live.count('<svg class="chart chart--years"') == 1 and "DXご意見箱" not in live
    assert 'aria-current="page">自動計測の指標のみ（1件）' in live


@time_machine.travel(NOW, tick=False)
def test_kpi_dashboard_in_english_says_its_units_in_english(client, town_a, progress, live_metric, admin_a):
    with scope(municipality=town_a):
        kpis.bind(admin_a, indicator(progress, "窓口入力支援"), "test.visits")
    client.cookies["yakuba_language"] = "en"
    page = text(client.get(url(town_a, "kpi", "dx-test")))
    assert "12 times a month" in page and "80% or more" in page
    assert "（times a month）" in page  # the live metric's unit beside its name
    assert "回/月" not in page and "件 or more" not in page


@time_machine.travel(NOW, tick=False)
def test_measure_page_shows_fields_history_by_department_and_no_files(client, town_a, progress, admin_a):
    target = measure(progress, "行政事務の効率化")
    response = client.get(url(town_a, "measure", "dx-test", target.pk))
    assert response.status_code == 200
    page = text(response)
    for words in ("現状と課題", "紙の決裁が多い", "業務の自動化・電子化を図る", "担当課 総務課", "関係課 会計課",
                  "電子決裁を試行中", "実施中", "85%（令和8年度）", "記録: 総務課"):
        assert words in page, words
    assert str(admin_a) not in page  # who recorded: the department only
    assert "minutes.pdf" not in page and "survey.pdf" not in page
    assert "/staff/plans/evidence/" not in response.content.decode()
    assert "令和8年度: 85%（達成）" in page


def test_other_towns_and_unknown_plans_are_not_found(client, town_a, town_b, small_plan):
    target = measure(small_plan, "行政事務の効率化")
    for name, args in (("detail", ["dx-test"]), ("schedule", ["dx-test"]), ("kpi", ["dx-test"]),
                       ("measure", ["dx-test", target.pk])):
        assert client.get(url(town_b, name, *args)).status_code == 404, name
        assert client.get(url(town_a, name, *args)).status_code == 200, name
    assert client.get(url(town_a, "detail", "nothing")).status_code == 404
    assert "テスト町DX推進計画" not in text(client.get(url(town_b, "index")))


def test_a_measure_of_another_plan_is_not_found(client, town_a, small_plan):
    data = small_plan_data()
    data["slug"] = "dx-other"
    with scope(municipality=town_a):
        other = save_plan(town_a, data)
        foreign = Measure.objects.filter(plan=other).first()
    assert client.get(url(town_a, "measure", "dx-test", foreign.pk)).status_code == 404


def test_the_home_page_links_the_plans(client, town_a, small_plan):
    body = client.get(factories.town_url(town_a, "/")).content.decode()
    assert reverse("plans:index") in body


def test_a_value_can_be_decimal(client, town_a, small_plan, admin_a):
    with scope(municipality=town_a):
        record_value(admin_a, indicator(small_plan, "テレワーク"), ValueInput(year=2026, value="12.5", unit="日"))
    assert "12.5日（令和8年度）" in text(client.get(url(town_a, "detail", "dx-test")))
