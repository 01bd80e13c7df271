"""Seed 003: 小山町DXガイドライン 2022-2026 【概要】 ver.1.0.0 (2022年3月), transcribed in seed_003.json.

The seed is the 概要 (summary) edition: its 行動計画 is only the 取組一覧 (35 取組, ★ = 重点) grouped by 基本方針 I-III
and 基本施策 ①-③, plus short 主な取組 descriptions for 12 of them. It has no per-取組 担当所属, 取組工程 or R8目標
(those are in the 別冊 the seed does not contain), so the plan has no actions, schedule cells, departments or
indicators. The counts below were taken from the seed text, not from the JSON.
"""

from __future__ import annotations

import pytest
from django_scopes import scope

from yakuba.plans import interchange
from yakuba.plans.demo import seed
from yakuba.plans.models import Action, Indicator, Measure, Plan, Policy, Responsibility, ScheduleEntry
from yakuba.plans.services.exchange import save_plan

NAME = "seed_003.json"

# 003 【Ⅵ- 基本構想】③ / 【Ⅷ- 行動計画】② 取組一覧: 3 基本方針 × 3 基本施策 (I-① … III-③) group the 取組
POLICIES = 9
# 003 【Ⅷ- 行動計画】② 「取組一覧（計35項目）」: No.01 … No.35
MEASURES = 35
# 003 【Ⅷ- 行動計画】① 「優先して取り組むべき17の取組」; 17 names marked ★ in the 取組一覧
PRIORITY = 17
# 003 取組一覧, 取組 per 基本施策: I-① No.01-04, I-② 05-06, I-③ 07-08, II-① 09-12, II-② 13-21, II-③ 22-23,
# III-① 24-28, III-② 29-32, III-③ 33-35
PER_POLICY = [4, 2, 2, 4, 9, 2, 5, 4, 3]
# 003 【Ⅷ- 行動計画】③④⑤ 主な取組: 4 short descriptions per 基本方針 (→ measure summary)
SUMMARIES = 12
# 003 is the 概要 edition: no 実施内容, 取組工程, R8目標 or 担当所属/関係所属 per 取組 anywhere in the text
ACTIONS = 0
SCHEDULE_CELLS = 0
INDICATORS = 0
NUMERIC_INDICATORS = 0
RESPONSIBILITIES = 0


def _measures(data):
    return [m for p in data["policies"] for m in p["measures"]]


def test_seed_file_is_valid_and_complete():
    data = seed(NAME)
    assert interchange.validate(data) == []
    assert (data["slug"], data["start_year"], data["end_year"], data["granularity"]) == ("dx-2022", 2022, 2026, "year")
    assert data["version"] == "ver.1.0.0"
    assert data["vision"] == "デジタルで人と地域が〈つながる〉まち 小山町"
    assert len(data["policies"]) == POLICIES
    assert [len(p["measures"]) for p in data["policies"]] == PER_POLICY
    measures = _measures(data)
    assert len(measures) == MEASURES
    assert [m["number"] for m in measures] == [f"{n:02d}" for n in range(1, 36)]
    assert sum(m["priority"] for m in measures) == PRIORITY
    assert sum(bool(m["summary"]) for m in measures) == SUMMARIES
    actions = [a for m in measures for a in m.get("actions", [])]
    assert len(actions) == ACTIONS
    cells = [c for m in measures for c in m.get("schedule", [])] + [c for a in actions for c in a.get("schedule", [])]
    assert len(cells) == SCHEDULE_CELLS
    indicators = [i for m in measures for i in m.get("indicators", [])]
    assert len(indicators) == INDICATORS
    assert sum(i.get("target") is not None for i in indicators) == NUMERIC_INDICATORS
    assert not any(m["lead"] or m["related"] for m in measures)
    assert not any("★" in m["title"] for m in measures)


def _counts(plan):
    return (Policy.objects.filter(plan=plan).count(), Measure.objects.filter(plan=plan).count(),
            Measure.objects.filter(plan=plan, is_priority=True).count(),
            Action.objects.filter(measure__plan=plan).count(),
            ScheduleEntry.objects.filter(measure__plan=plan).count(),
            Indicator.objects.filter(measure__plan=plan).count(),
            Indicator.objects.filter(measure__plan=plan, target_value__isnull=False).count(),
            Responsibility.objects.filter(measure__plan=plan).count())


def _keys(plan):
    return (list(Policy.objects.filter(plan=plan).order_by("pk").values_list("pk", flat=True)),
            list(Measure.objects.filter(plan=plan).order_by("pk").values_list("pk", flat=True)))


@pytest.mark.django_db
def test_seed_saves_with_the_same_counts_and_is_idempotent(town_a):
    data = seed(NAME)
    expected = (POLICIES, MEASURES, PRIORITY, ACTIONS, SCHEDULE_CELLS, INDICATORS, NUMERIC_INDICATORS,
                RESPONSIBILITIES)
    with scope(municipality=town_a):
        plan = save_plan(town_a, data)
        assert _counts(plan) == expected
        keys = _keys(plan)

        again = save_plan(town_a, data)
        assert again.pk == plan.pk
        assert Plan.objects.filter(slug="dx-2022").count() == 1
        assert _counts(again) == expected
        assert _keys(again) == keys

        # 取組一覧 No.29 ★行政情報システムの標準化・共通化 (III-② 情報システムの最適化, 重点, no 担当 in the 概要)
        measure = Measure.objects.get(plan=plan, number="29")
        assert measure.title == "行政情報システムの標準化・共通化"
        assert measure.is_priority
        assert measure.policy.number == "III-②" and measure.policy.title == "情報システムの最適化"
        assert measure.summary == "個別にカスタマイズしていたシステムを、標準化・共通化"
        assert not measure.responsibilities.exists()
        # No.27 文書管理・電子決裁システムの導入・活用 is not ★
        assert not Measure.objects.get(plan=plan, number="27").is_priority
        # 基本施策 II-② with its 基本方針 and the skeleton's examples
        policy = Policy.objects.get(plan=plan, number="II-②")
        assert policy.title == "地域の産業・文化・教育のスマート化"
        assert policy.description.startswith("基本方針II デジタルによる持続可能なまちづくり\n")
        assert policy.description.endswith("デジタル教材活用、ワーケーション推進 等")
        assert plan.council == "行政改革推進本部・行財政改革審議会"
