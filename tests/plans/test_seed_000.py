"""Seed 000: 下仁田町DX推進計画 令和8年度～令和10年度 (ver1.0), transcribed into seed_000.json.

The expected counts below were taken by reading the seed text (/work/shared/seeds/000_ffb1246b6e1f852c.txt,
section 3 "DXで何をするの? ～アクションプラン～"), not by counting the JSON.
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

# 2. 基本方針（DX実現の3本柱）: 基本方針 1 庁内業務DX, 2 町民サービスDX, 3 デジタル人材DX
POLICIES = 3
# 3章: 庁内業務DX 取組項目①-③, 町民サービスDX ①-⑥, デジタル人材DX ①-③
MEASURES = 3 + 6 + 3
# no 取組項目 is marked 重点 anywhere in the seed
PRIORITY = 0
# 主な取組内容 bullets ∪ 取組内容とスケジュール rows, per 取組項目: 8, 6, 3 | 4, 3, 2, 2, 1, 2 | 3, 3, 3
ACTIONS = (8 + 6 + 3) + (4 + 3 + 2 + 2 + 1 + 2) + (3 + 3 + 3)
# filled R8/R9/R10 cells of the schedule tables: 10, 7, 5 | 4, 6, 2, 4, 2, 3 | 5, 3, 5
CELLS = (10 + 7 + 5) + (4 + 6 + 2 + 4 + 2 + 3) + (5 + 3 + 5)
# bullets of 初年度指標(小さな一歩: 行動) / 目指す成果: 8, 6, 3 | 4, 3, 2, 2, 1, 2 | 3, 3, 3
INDICATORS = (8 + 6 + 3) + (4 + 3 + 2 + 2 + 1 + 2) + (3 + 3 + 3)
# of those, bullets with a number (…80%以上, 3社以上 …): 8, 6, 2 | 4, 2, 2, 2, 0, 2 | 1, 2, 1
NUMERIC = (8 + 6 + 2) + (4 + 2 + 2 + 2 + 0 + 2) + (1 + 2 + 1)
# 担当課 naming real departments: ①総務課、建設水道課、会計課、教育課等 (4), ③住民税務課 福祉課 総務課 (3) |
# ②総務課, ③教育課, ④福祉課、保健課 (2), ⑤企画課, ⑥企画課 総務課 農林課等 (3) | ③総務課; 全庁 names none
RESPONSIBILITIES = (4 + 3) + (1 + 1 + 2 + 1 + 3) + 1


@pytest.fixture
def data():
    return seed("seed_000.json")


def _measures(data):
    return [m for p in data["policies"] for m in p["measures"]]


def test_seed_is_valid_and_complete(data):
    assert interchange.validate(data) == []
    assert (data["slug"], data["start_year"], data["end_year"], data["granularity"]) == ("dx-2026", 2026, 2028, "year")
    assert data["adopted_on"] == "2026-04-01"  # 令和8年4月1日
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
    assert all(i["kind"] == "初年度指標・目指す成果" and i["due_year"] == 2026 for i in indicators)
    assert [p["title"] for p in data["policies"]] == [
        "庁内業務DX（行政事務の効率化）", "町民サービスDX（町民の利便性向上）",
        "デジタル人材DX（DX推進の意識醸成と人材育成）"]


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

        # 1. 庁内業務DX 取組項目① 行政事務の効率化, 担当課 総務課、建設水道課、会計課、教育課等
        measure = Measure.objects.get(plan=plan, policy__number="1", number="①")
        assert measure.title == "行政事務の効率化"
        assert measure.departments_text == "総務課、建設水道課、会計課、教育課等"
        assert sorted(r.department.name for r in measure.responsibilities.filter(action=None)) == sorted(
            ["総務課", "建設水道課", "会計課", "教育課"])

        # 電子決裁システムの導入 | R8 システム整備 | R9 財務連携検討 | R10 運用継続・利用率拡大
        cell = ScheduleEntry.objects.get(measure=measure, action__title="電子決裁システムの導入", start_year=2027)
        assert (cell.end_year, cell.start_quarter, cell.text) == (2027, None, "財務連携検討")

        # 2. 町民サービスDX 取組項目①: 窓口入力支援システムの活用：月平均10回以上の利用
        indicator = Indicator.objects.get(measure__plan=plan, text="窓口入力支援システムの活用：月平均10回以上の利用")
        assert (indicator.target_value, indicator.unit, indicator.comparator) == (Decimal("10"), "回/月", "gte")
        assert indicator.action.title == "窓口入力支援システムの活用"
        assert indicator.due_year == 2026
