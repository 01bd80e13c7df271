"""A small plan of every shape the seeds use, for the plans tests (the seed plans have their own tests)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django_scopes import scope

from yakuba.kernel.accounts.models import Department
from yakuba.plans.models import Plan
from yakuba.plans.services.exchange import save_plan

SMALL_PLAN: dict[str, Any] = {
    "slug": "dx-test", "title": "テスト町DX推進計画", "version": "ver1.0", "start_year": 2026, "end_year": 2028,
    "granularity": "year", "vision": "誰も取り残さないDX", "summary": "総合計画を上位計画とする。",
    "adopted_on": "2026-04-01", "council": "テスト町DX推進協議会", "source": "テスト町DX推進計画 ver1.0",
    "policies": [
        {"number": "1", "title": "庁内業務DX（行政事務の効率化）", "description": "", "measures": [
            {"number": "①", "title": "行政事務の効率化", "summary": "業務の自動化・電子化を図る",
             "issues": "紙の決裁が多い", "goal": "", "priority": True, "departments_text": "総務課、会計課等",
             "lead": ["総務課"],
             "related": ["会計課"], "schedule": [],
             "actions": [
                 {"title": "電子決裁システムの導入", "description": "", "departments_text": "", "lead": [],
                  "related": [], "schedule": [{"from": "2026", "to": "2026", "text": "システム整備"},
                               {"from": "2027", "to": "2027", "text": "財務連携検討"},
                               {"from": "2028", "to": "2028", "text": "運用継続・利用率拡大"}]},
                 {"title": "テレワークの推進", "description": "", "departments_text": "", "lead": [], "related": [],
                  "schedule": [{"from": "2026", "to": "2028", "text": "運用継続・利用率拡大"}]}],
             "indicators": [
                 {"kind": "初年度指標・目指す成果", "text": "電子決裁システムの導入: 電子決裁利用率80%以上",
                  "action": "電子決裁システムの導入", "target": "80", "unit": "%", "comparator": "gte",
                  "baseline": None, "baseline_year": None, "due_year": 2026, "metric": ""},
                 {"kind": "初年度指標・目指す成果", "text": "テレワークの推進: 年間のテレワーク延べ実施日数30日以上",
                  "action": "テレワークの推進", "target": "30", "unit": "日", "comparator": "gte",
                  "baseline": None, "baseline_year": None, "due_year": 2026, "metric": ""}]}]},
        {"number": "2", "title": "町民サービスDX（町民の利便性向上）", "description": "", "measures": [
            {"number": "①", "title": "行政サービスの利便性向上", "summary": "", "issues": "", "goal": "",
             "priority": False, "departments_text": "全庁", "lead": [], "related": [], "schedule": [],
             "actions": [
                 {"title": "窓口入力支援システムの活用", "description": "", "departments_text": "", "lead": [],
                  "related": [], "schedule": [{"from": "2026", "to": "2028", "text": "利用促進"}]}],
             "indicators": [
                 {"kind": "初年度指標・目指す成果", "text": "窓口入力支援システムの活用：月平均10回以上の利用",
                  "action": "窓口入力支援システムの活用", "target": "10", "unit": "回/月", "comparator": "gte",
                  "baseline": None, "baseline_year": None, "due_year": 2026, "metric": ""},
                 {"kind": "初年度指標・目指す成果", "text": "DXご意見箱：ホームページへのコーナー設置", "action": "",
                  "target": None, "unit": "", "comparator": "done", "baseline": None, "baseline_year": None,
                  "due_year": 2026, "metric": ""}]},
            {"number": "②", "title": "情報発信の強化", "summary": "", "issues": "", "goal": "", "priority": False,
             "departments_text": "総務課", "lead": ["総務課"], "related": [],
             "schedule": [{"from": "2026", "to": "2027", "text": "検討"}], "actions": [], "indicators": []}]},
    ],
}


def small_plan_data() -> dict[str, Any]:
    return copy.deepcopy(SMALL_PLAN)


@pytest.fixture
def small_plan(town_a) -> Plan:
    """The small plan saved in town A (its 総務課 and 会計課 are created if the town lacks them)."""
    with scope(municipality=town_a):
        plan = save_plan(town_a, small_plan_data())
        assert Department.objects.filter(municipality=town_a, name="総務課").exists()
        return plan


def plan_counts(plan: Plan) -> dict[str, int]:
    """Rows of each level of a saved plan (the seed tests compare them with the seed's own counts)."""
    from yakuba.plans.models import Action, Indicator, Measure, Policy, Responsibility, ScheduleEntry

    return {
        "policies": Policy.objects.filter(plan=plan).count(),
        "measures": Measure.objects.filter(plan=plan).count(),
        "priority": Measure.objects.filter(plan=plan, is_priority=True).count(),
        "actions": Action.objects.filter(measure__plan=plan).count(),
        "cells": ScheduleEntry.objects.filter(measure__plan=plan).count(),
        "indicators": Indicator.objects.filter(measure__plan=plan).count(),
        "numeric": Indicator.objects.filter(measure__plan=plan, target_value__isnull=False).count(),
        "roles": Responsibility.objects.filter(measure__plan=plan).count(),
    }


def plan_keys(plan: Plan) -> dict[str, list[int]]:
    """Primary keys of every row of a saved plan: saving the same data again must keep them."""
    from yakuba.plans.models import Action, Indicator, Measure, Policy, Responsibility, ScheduleEntry

    return {model.__name__: sorted(model.objects.filter(**{key: plan.pk}).values_list("pk", flat=True))
            for model, key in ((Policy, "plan"), (Measure, "plan"), (Action, "measure__plan"),
                               (ScheduleEntry, "measure__plan"), (Indicator, "measure__plan"),
                               (Responsibility, "measure__plan"))}


def _twelve_visits(start, end):
    return 12


@pytest.fixture
def live_metric():
    """A metric registered for one test (12 回/月 whatever the window), so an indicator can be live."""
    from yakuba.kernel import metrics
    from yakuba.kernel.metrics import Metric

    metric = metrics.register(Metric("test.visits", "テスト来庁者数", "回/月", _twelve_visits, app="test"))
    yield metric
    metrics._registry.pop("test.visits", None)


def measure(plan: Plan, title: str) -> Any:
    from yakuba.plans.models import Measure

    with scope(municipality=plan.municipality):
        return Measure.objects.select_related("plan").get(plan=plan, title=title)


def indicator(plan: Plan, start: str) -> Any:
    from yakuba.plans.models import Indicator

    with scope(municipality=plan.municipality):
        return Indicator.objects.select_related("measure__plan").get(measure__plan=plan, text__startswith=start)


def text(response: Any) -> str:
    """A response's text without tags, whitespace runs made one space."""
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
