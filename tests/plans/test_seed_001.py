"""Seed 001: 中之条町DX推進計画 (推進期間 令和8年度～令和12年度) transcribed as data.

Counts come from reading the seed text (../shared/seeds/001_b522a709d80ea6d9.txt), not from the JSON.
"""

from __future__ import annotations

import pytest
from django_scopes import scope

from yakuba.plans import demo, interchange
from yakuba.plans.models import Indicator, Measure, Plan, ScheduleEntry
from yakuba.plans.services.exchange import save_plan

from .conftest import plan_counts as _counts
from .conftest import plan_keys as _keys

FILE = "seed_001.json"

# 目次 and 4 計画推進の基本方針: 【方針1】…【方針4】
POLICIES = 4
# 目次: 方針1 (1)-(3), 方針2 (1)-(5), 方針3 (1)-(2), 方針4 セキュリティ対策の徹底 (unnumbered) = 3 + 5 + 2 + 1
MEASURES = 11
# the seed marks no measure as 重点 ("重点" occurs only in the national 「デジタル社会の実現に向けた重点計画」)
PRIORITY = 0
# ■今後の取り組み bullets per measure page: 3, 2, 2 | 2, 3, 2, 2, 2 | 2, 4 | 3 = 27. The 4 schedule-table rows add
# none: 2-(4) "テレワークが可能な業務の選定・拡大…" is its bullet 1 and 3-(2) "中小企業のサポートなど…" its bullet 4;
# 2-(3)'s row and 3-(2)'s "GIGAスクール構想の推進、地域課題に応じたデジタル実装" sum up several bullets (the measure)
ACTIONS = 27
# schedule tables (2026(令和8)年度-2030(令和12)年度, one bar per row) on pages 2-(3) 1 row, 2-(4) 1, 3-(2) 2
SCHEDULE_CELLS = 4
# one ■成果目標■ per measure page
INDICATORS = 11
# no 成果目標 has a number (83.2% マイナンバーカード保有枚数率 is a 現状 figure in 1-(2)'s 現状と課題, not a target)
NUMERIC_INDICATORS = 0
# the seed names no department anywhere (3 推進体制 only names 情報化推進委員会 and each 課's ITリーダー)
RESPONSIBILITIES = 0


@pytest.fixture
def data():
    return demo.seed(FILE)


def test_seed_is_valid_and_complete(data):
    assert interchange.validate(data) == []
    assert (data["slug"], data["start_year"], data["end_year"], data["granularity"]) == ("dx-2026", 2026, 2030, "year")
    assert data["council"] == "中之条町情報化推進委員会"
    policies = data["policies"]
    measures = [m for p in policies for m in p["measures"]]
    actions = [a for m in measures for a in m["actions"]]
    indicators = [i for m in measures for i in m["indicators"]]
    cells = [c for m in measures for c in m["schedule"]] + [c for a in actions for c in a["schedule"]]
    assert len(policies) == POLICIES
    assert len(measures) == MEASURES
    assert sum(m["priority"] for m in measures) == PRIORITY
    assert len(actions) == ACTIONS
    assert len(cells) == SCHEDULE_CELLS
    assert len(indicators) == INDICATORS
    assert sum(i["target"] is not None for i in indicators) == NUMERIC_INDICATORS
    assert [len(p["measures"]) for p in policies] == [3, 5, 2, 1]
    assert [len(m["actions"]) for m in measures] == [3, 2, 2, 2, 3, 2, 2, 2, 2, 4, 3]
    assert all(i["kind"] == "成果目標" and i["comparator"] == "done" for i in indicators)
    assert not any(m["lead"] or m["related"] or m["departments_text"] for m in measures)


def test_seed_saves_and_reloads_unchanged(town_a, data):
    with scope(municipality=town_a):
        plan = save_plan(town_a, data)
        expected = {"policies": POLICIES, "measures": MEASURES, "priority": PRIORITY, "actions": ACTIONS,
                    "cells": SCHEDULE_CELLS, "indicators": INDICATORS, "numeric": NUMERIC_INDICATORS,
                    "roles": RESPONSIBILITIES}
        assert _counts(plan) == expected
        keys = _keys(plan)

        again = save_plan(town_a, data)
        assert again.pk == plan.pk
        assert Plan.objects.filter(slug="dx-2026").count() == 1
        assert _counts(again) == expected
        assert _keys(again) == keys

        assert plan.title == "中之条町DX推進計画"
        assert "「持続可能なまちづくり」を目指します" in plan.vision

        # 方針2-(4) テレワークの推進, under 【方針2】行政運営の簡素化・効率化; no department named
        measure = Measure.objects.get(plan=plan, number="2-(4)")
        assert measure.title == "テレワークの推進"
        assert measure.policy.title == "行政運営の簡素化・効率化"
        assert measure.departments_text == ""
        assert not measure.responsibilities.exists()

        # 方針2-(3): one bar across 2026(令和8)年度-2030(令和12)年度 for the measure as a whole
        cells = ScheduleEntry.objects.filter(measure__plan=plan, measure__number="2-(3)")
        assert [(c.action_id, c.start_year, c.end_year, c.text) for c in cells] == [
            (None, 2026, 2030, "内部調査・調整、内部情報系システムの導入や仕組みづくりによる合理化・適正化")]

        # 方針4 ■成果目標■: a statement without a number
        indicator = Indicator.objects.get(measure__plan=plan, measure__title="セキュリティ対策の徹底")
        assert indicator.text == "セキュリティ対策の徹底により、安全・安全な行政基盤を確保"
        assert (indicator.target_value, indicator.unit, indicator.comparator) == (None, "", "done")
