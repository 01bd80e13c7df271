"""Seed 002: 甘楽町 DX推進計画 (2024年10月18日, 企画課 情報政策係) transcribed as data.

Counts come from reading the seed text (../shared/seeds/002_9d7b4dede1be732b.txt), not from the JSON.
"""

from __future__ import annotations

import pytest
from django_scopes import scope

from yakuba.plans import demo, interchange
from yakuba.plans.models import Indicator, Measure, Plan, Role, ScheduleEntry
from yakuba.plans.services.exchange import save_plan

from .conftest import plan_counts as _counts
from .conftest import plan_keys as _keys

FILE = "seed_002.json"

# 6. 対応施策の取り組み方針, first table: 6 甘楽町のDX目標 cells (充実した外部発信; the combined cell
# "便利で使いやすいデジタルインフラ いち早い安心・安全情報の提供" for No.2-5; いち早い安心・安全情報の提供 for No.6;
# 庁内のデジタル対応; 持続可能なICT基盤の構築; その他)
POLICIES = 6
# 6.: No.1-No.14 対応施策, each with its own 課題/対応/期待効果 page
MEASURES = 14
# the seed marks no measure as 重点 (the 重点取り組み事項 of section 4 are the national plan's, not measures)
PRIORITY = 0
# no 主な取組内容 bullets; section 9 schedules each measure as a whole (one row per 対応施策), so no actions
ACTIONS = 0
# 9. DX推進スケジュール: filled cells per row: No.1 2, No.2 1, No.3 2, No.4 1, No.5 1, No.6 2, No.7-13 1 each,
# No.14 4 (令和7年度-令和10年度以降 "情報収集・施策検討・計画") = 20
SCHEDULE_CELLS = 20
# 9.: "各施策の開始時に個別スケジュールやKPIを定め" - the seed states no indicator and no numeric goal
INDICATORS = 0
NUMERIC_INDICATORS = 0
# the plan names only its author, 企画課 情報政策係 (cover page), as the one lead for every measure
RESPONSIBILITIES = 14


@pytest.fixture
def data():
    return demo.seed(FILE)


def test_seed_is_valid_and_complete(data):
    assert interchange.validate(data) == []
    assert (data["slug"], data["start_year"], data["end_year"], data["granularity"]) == ("dx-2024", 2024, 2028, "year")
    assert data["adopted_on"] == "2024-10-18"
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
    assert [m["number"] for m in measures] == [f"No.{n}" for n in range(1, 15)]
    # 6.: No.2-5 sit under the combined goal cell
    assert [m["number"] for m in policies[1]["measures"]] == ["No.2", "No.3", "No.4", "No.5"]


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
        assert Plan.objects.filter(slug="dx-2024").count() == 1
        assert _counts(again) == expected
        assert _keys(again) == keys

        assert plan.title == "甘楽町DX推進計画"
        assert "しあわせホームタウン甘楽" in plan.vision

        # 6. No.9 電子決裁の導入 under 庁内のデジタル対応
        measure = Measure.objects.get(plan=plan, number="No.9")
        assert measure.title == "電子決裁の導入"
        assert measure.policy.title == "庁内のデジタル対応"
        assert measure.summary == "決裁を電子化し、添付書類もデータで授受可能にする"
        assert measure.departments_text == "企画課 情報政策係"
        # the section 情報政策係 belongs to 企画課
        assert [r.department.name for r in measure.responsibilities.filter(role=Role.LEAD)] == ["企画課"]

        # 9. No.6 相互コミュニケーションツールの導入: 令和9年度 製品選定・試験運用, 令和10年度以降 導入
        cells = ScheduleEntry.objects.filter(measure__plan=plan, measure__number="No.6", action=None)
        assert [(c.start_year, c.end_year, c.text) for c in cells] == [
            (2027, 2027, "製品選定・試験運用"), (2028, 2028, "導入")]

        # No indicator to spot-check: the seed defers KPIs to each measure's start (9.), so none may be invented.
        assert not Indicator.objects.filter(measure__plan=plan).exists()
        assert measure.goal.splitlines() == ["印刷の手間や保管スペースの削減", "決裁のスピードの向上",
                                             "庁舎外からペーパーレスによる決裁の起案が可能となる"]
