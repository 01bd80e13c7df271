"""Seed 004: 下仁田町DX推進計画【第2.1版】令和5年(2023年)11月, transcribed into seed_004.json.

The expected counts below were taken by reading the seed text (/work/shared/seeds/004_a6ade86978ffcba2.txt,
"6. 主な取り組み" and the 工程表 "■各課題解決への取り組みスケジュール(2022~2025年度)(第2.1版)"),
not by counting the JSON.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scope

from yakuba.plans import interchange
from yakuba.plans.demo import seed
from yakuba.plans.models import Indicator, Measure, ScheduleEntry
from yakuba.plans.services.exchange import save_plan

from .conftest import plan_counts as _counts
from .conftest import plan_keys as _pks

# no 基本方針/重点取組 of the town's own: the 課題 all sit in the chapter "6. 主な取り組み"
POLICIES = 1
# 【現状と課題1:情報発信について】 … 【現状と課題 10:情報セキュリティ対策の徹底】
MEASURES = 10
# the seed marks nothing as 重点
PRIORITY = 0
# 主な取り組み rows of the 工程表 per 課題 1-10
ACTIONS = 3 + 3 + 2 + 3 + 1 + 5 + 1 + 3 + 1 + 1
# text phases of the 工程表 per row (課題1: 検討/選定 on 情報システム基盤整備 only | 課題2: 1, 2, 1 | 課題3: 1, 1 |
# 課題4: 1, 1, 3 | 課題5: 3 | 課題6: 3, 3, 1, 1, 1 | 課題7: 1 | 課題8: 4, 2, 2 | 課題9: 2 | 課題10: 1)
CELLS = 2 + (1 + 2 + 1) + (1 + 1) + (1 + 1 + 3) + 3 + (3 + 3 + 1 + 1 + 1) + 1 + (4 + 2 + 2) + 2 + 1
# stated targets: 課題8 工程表 "利用方法・状況検証(年3回)", 課題9 【推奨データ基本編14項目】
INDICATORS = 2
# both carry a number (3 回/年, 14 項目)
NUMERIC = 2
# the seed names no 担当課 for any 課題 or 取り組み (only the 推進体制 lists 総務課長 etc.)
RESPONSIBILITIES = 0


@pytest.fixture
def data():
    return seed("seed_004.json")


def _measures(data):
    return [m for p in data["policies"] for m in p["measures"]]


def test_seed_is_valid_and_complete(data):
    assert interchange.validate(data) == []
    assert (data["slug"], data["start_year"], data["end_year"], data["granularity"]) == (
        "dx-2023", 2022, 2025, "quarter")  # 令和4(2022)年度から令和7(2025)年度まで
    assert data["version"] == "第2.1版"
    assert data["council"] == "下仁田町DX推進協議会"
    measures = _measures(data)
    actions = [a for m in measures for a in m["actions"]]
    indicators = [i for m in measures for i in m["indicators"]]
    assert len(data["policies"]) == POLICIES
    assert len(measures) == MEASURES
    assert sum(m["priority"] for m in measures) == PRIORITY
    assert len(actions) == ACTIONS
    assert sum(len(a["schedule"]) for a in actions) + sum(len(m["schedule"]) for m in measures) == CELLS
    assert len(indicators) == INDICATORS
    assert sum(i["target"] is not None for i in indicators) == NUMERIC
    assert [m["number"] for m in measures] == [f"課題{n}" for n in range(1, 11)]
    # every cell lies in the 工程表's columns 2022年度 10-12月 … 2025年度 1-3月
    cells = [c for a in actions for c in a["schedule"]]
    assert min(c["from"] for c in cells) == "2022Q3"
    assert max(c["to"] for c in cells) == "2025Q4"


def test_seed_saves_into_the_database(town_a, data):
    with scope(municipality=town_a):
        plan = save_plan(town_a, data)
        counts = _counts(plan)
        assert counts == {"policies": POLICIES, "measures": MEASURES, "priority": PRIORITY, "actions": ACTIONS,
                          "cells": CELLS, "indicators": INDICATORS, "numeric": NUMERIC,
                          "roles": RESPONSIBILITIES}
        pks = _pks(plan)

        again = save_plan(town_a, data)
        assert again.pk == plan.pk
        assert _counts(again) == counts
        assert _pks(again) == pks

        # 【現状と課題6:デジタル化による業務効率化・業務改善の推進】, 5 rows in the 工程表, no 担当課 named
        measure = Measure.objects.get(plan=plan, number="課題6")
        assert measure.title == "デジタル化による業務効率化・業務改善の推進"
        assert measure.departments_text == ""
        assert not measure.responsibilities.exists()
        assert list(measure.actions.values_list("title", flat=True)) == [
            "文書管理・電子決裁システム", "ペーパレス会議システム", "議事録作成システム", "AI·RPA等",
            "各種システムの導入を検討"]

        # 課題4 コンビニ交付サービス導入: "・運用開始" in 2024年度 1-3月
        cell = ScheduleEntry.objects.get(measure__number="課題4", action__title="コンビニ交付サービス導入",
                                         text="・運用開始")
        assert (cell.start_year, cell.start_quarter, cell.end_year, cell.end_quarter) == (2024, 4, 2025, 4)

        # 課題9 【推奨データ基本編14項目】
        indicator = Indicator.objects.get(measure__number="課題9")
        assert (indicator.target_value, indicator.unit, indicator.comparator) == (Decimal("14"), "項目", "eq")
        assert indicator.action.title == "各種オープンデータ化"
        assert indicator.text.startswith("【推奨データ基本編14項目】①AED設置箇所一覧 ②介護サービス事業所一覧")
