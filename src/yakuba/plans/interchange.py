"""A plan as plain data: the one format the seed fixtures, the .xlsx import and the .xlsx export share.

    {"slug", "title", "version", "start_year", "end_year", "granularity": "year"|"quarter", "vision", "summary",
     "adopted_on": "YYYY-MM-DD"|null, "council", "source",
     "policies": [{"number", "title", "description",
                   "measures": [{"number", "title", "summary", "issues", "goal", "priority": bool,
                                 "departments_text", "lead": [department names], "related": [...],
                                 "schedule": [{"from": "2026"|"2026Q3", "to": ..., "text"}],   # the measure's own row
                                 "actions": [{"title", "description", "departments_text", "lead", "related",
                                              "schedule": [...]}],
                                 "indicators": [{"kind", "text", "action": title of one of the actions or "",
                                                 "target": "80"|null, "unit", "comparator": "gte|lte|eq|done",
                                                 "baseline": null, "baseline_year": null, "due_year": 2026|null,
                                                 "metric": ""}]}]}]}

Years are 年度 as western years (令和8年度 = 2026); quarters are of the 年度 (Q1 = 4-6月 … Q4 = 1-3月).
`validate` lists every problem with where it is and `dump` reads a plan back; writing a plan is
`services.exchange.save_plan`, which takes this same data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from yakuba.kernel.forms.normalise import finite_number
from yakuba.kernel.refusal import Refused

from .models import Action, Comparator, Granularity, Measure, Plan, Policy, Role

PERIOD = re.compile(r"^(\d{4})(?:Q([1-4]))?$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
LARGEST = Decimal("1e10")  # target and baseline columns hold 14 digits, 4 after the point
RESERVED_SLUGS = frozenset({"import", "todo", "evidence", "reports"})  # staff URLs beside plans/<slug>/


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, and where: a path such as `policies[0].measures[2].indicators[1].target`
    (the spreadsheet import replaces it with sheet, row and column)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class InvalidPlan(Refused):
    """The kernel's refusal, keeping every problem with where it is (the import shows them at their cells)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__([str(p) for p in problems])
        self.problems = problems


def parse_period(text: str) -> tuple[int, int | None]:
    match = PERIOD.match(str(text).strip())
    if not match:
        raise ValueError(text)
    return int(match[1]), int(match[2]) if match[2] else None


def format_period(year: int, quarter: int | None) -> str:
    return f"{year}Q{quarter}" if quarter else str(year)


def parse_decimal(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = finite_number(str(value).replace(",", ""))
    if number is None or abs(number) >= LARGEST:  # nan, inf, 1e309; or more digits than the columns keep
        raise ValueError(value)
    return number


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def text(self, item: dict[str, Any], key: str, where: str, *, required: bool = False, limit: int = 300) -> None:
        value = item.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.add(f"{where}.{key}", _("文字で入力してください。"))
        elif required and not value.strip():
            self.add(f"{where}.{key}", _("入力してください。"))
        elif len(value) > limit:
            self.add(f"{where}.{key}", _("%(limit)d 文字以内にしてください。") % {"limit": limit})

    def year(self, value: Any, where: str, plan: dict[str, Any], *, required: bool = False) -> None:
        if value in (None, ""):
            if required:
                self.add(where, _("年度を入力してください。"))
            return
        if not isinstance(value, int) or isinstance(value, bool) or not 1989 <= value <= 2100:
            self.add(where, _("年度は西暦の4桁で入力してください（例: 2026）。"))
            return
        start, end = plan.get("start_year"), plan.get("end_year")
        if isinstance(start, int) and isinstance(end, int) and not start <= value <= end:
            self.add(where, _("%(year)s は計画の期間（%(start)s〜%(end)s年度）の外です。")
                     % {"year": value, "start": start, "end": end})

    def period(self, value: Any, where: str, plan: dict[str, Any]) -> tuple[int, int | None] | None:
        try:
            year, quarter = parse_period(value)
        except ValueError:
            self.add(where, _("期間は「2026」（年度）か「2026Q3」（年度の四半期）の形で入力してください。"))
            return None
        if quarter and plan.get("granularity") != Granularity.QUARTER:
            self.add(where, _("この計画の工程は年度単位です。四半期は指定できません。"))
        self.year(year, where, plan)
        return year, quarter

    def names(self, item: dict[str, Any], key: str, where: str) -> None:
        value = item.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() and len(v) <= 60 for v in value):
            self.add(f"{where}.{key}", _("課の名前を並べてください（1つ60文字以内）。"))


def validate(data: Any) -> list[Problem]:
    """Every problem of `data`, or [] when it can be saved."""
    check = _Checker()
    if not isinstance(data, dict):
        return [Problem("plan", _("計画のデータがありません。"))]
    _validate_plan_fields(check, data)
    policies = data.get("policies")
    if not isinstance(policies, list) or not policies:
        check.add("policies", _("方針が1つもありません。"))
        return check.problems
    for p, policy in enumerate(policies):
        _validate_policy(check, data, policy, f"policies[{p}]")
    return check.problems


def _validate_plan_fields(check: _Checker, data: dict[str, Any]) -> None:
    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        check.add("slug", _("識別子は半角英小文字・数字・ハイフンで40文字以内にしてください（例: dx-2026）。"))
    elif slug in RESERVED_SLUGS:
        check.add("slug", _("「%(slug)s」は識別子に使えません。別の識別子にしてください。") % {"slug": slug})
    check.text(data, "title", "plan", required=True, limit=200)
    for key in ("version", "council", "source"):
        check.text(data, key, "plan", limit=300 if key == "source" else 200)
    for key in ("vision", "summary"):
        check.text(data, key, "plan", limit=20000)
    start, end = data.get("start_year"), data.get("end_year")
    check.year(start, "start_year", {}, required=True)
    check.year(end, "end_year", {}, required=True)
    if isinstance(start, int) and isinstance(end, int) and end < start:
        check.add("end_year", _("終了年度が開始年度より前です。"))
    if data.get("granularity", Granularity.YEAR) not in Granularity.values:
        check.add("granularity", _("工程の単位は year（年度）か quarter（四半期）です。"))
    adopted = data.get("adopted_on")
    if adopted not in (None, ""):
        try:
            date.fromisoformat(str(adopted))
        except ValueError:
            check.add("adopted_on", _("策定日は 2026-04-01 の形で入力してください。"))


def _validate_policy(check: _Checker, plan: dict[str, Any], policy: Any, where: str) -> None:
    if not isinstance(policy, dict):
        check.add(where, _("方針の形が正しくありません。"))
        return
    check.text(policy, "number", where, limit=20)
    check.text(policy, "title", where, required=True)
    check.text(policy, "description", where, limit=20000)
    measures = policy.get("measures", [])
    if not isinstance(measures, list):
        check.add(f"{where}.measures", _("取組項目の形が正しくありません。"))
        return
    for m, measure in enumerate(measures):
        _validate_measure(check, plan, measure, f"{where}.measures[{m}]")


def _validate_measure(check: _Checker, plan: dict[str, Any], measure: Any, where: str) -> None:
    if not isinstance(measure, dict):
        check.add(where, _("取組項目の形が正しくありません。"))
        return
    check.text(measure, "number", where, limit=20)
    check.text(measure, "title", where, required=True)
    for key in ("summary", "issues", "goal"):
        check.text(measure, key, where, limit=20000)
    check.text(measure, "departments_text", where)
    check.names(measure, "lead", where)
    check.names(measure, "related", where)
    if not isinstance(measure.get("priority", False), bool):
        check.add(f"{where}.priority", _("重点は「はい」か「いいえ」で入力してください。"))
    _validate_schedule(check, plan, measure.get("schedule", []), f"{where}.schedule")
    titles = set()
    for a, action in enumerate(measure.get("actions", []) or []):
        at = f"{where}.actions[{a}]"
        if not isinstance(action, dict):
            check.add(at, _("取組内容の形が正しくありません。"))
            continue
        check.text(action, "title", at, required=True)
        check.text(action, "description", at, limit=20000)
        check.text(action, "departments_text", at)
        check.names(action, "lead", at)
        check.names(action, "related", at)
        _validate_schedule(check, plan, action.get("schedule", []), f"{at}.schedule")
        titles.add(action.get("title"))
    for i, indicator in enumerate(measure.get("indicators", []) or []):
        _validate_indicator(check, plan, indicator, titles, f"{where}.indicators[{i}]")


def _validate_schedule(check: _Checker, plan: dict[str, Any], cells: Any, where: str) -> None:
    if not isinstance(cells, list):
        check.add(where, _("工程の形が正しくありません。"))
        return
    for c, cell in enumerate(cells):
        at = f"{where}[{c}]"
        if not isinstance(cell, dict):
            check.add(at, _("工程の形が正しくありません。"))
            continue
        start = check.period(cell.get("from"), f"{at}.from", plan)
        end = check.period(cell.get("to", cell.get("from")), f"{at}.to", plan)
        if start and end and (end[0], end[1] or 0) < (start[0], start[1] or 0):
            check.add(f"{at}.to", _("終わりが始まりより前です。"))
        check.text(cell, "text", at)


def _validate_indicator(check: _Checker, plan: dict[str, Any], indicator: Any, actions: set[Any],
                        where: str) -> None:
    if not isinstance(indicator, dict):
        check.add(where, _("指標の形が正しくありません。"))
        return
    check.text(indicator, "text", where, required=True, limit=2000)
    check.text(indicator, "kind", where, limit=60)
    check.text(indicator, "unit", where, limit=20)
    comparator = indicator.get("comparator", Comparator.AT_LEAST)
    if comparator not in Comparator.values:
        check.add(f"{where}.comparator", _("達成の条件は gte（以上）・lte（以下）・eq・done（数値なし）のどれかです。"))
    for key in ("target", "baseline"):
        try:
            parse_decimal(indicator.get(key))
        except ValueError:
            check.add(f"{where}.{key}", _("数値で入力してください（例: 80）。"))
    if comparator in (Comparator.AT_LEAST, Comparator.AT_MOST, Comparator.EQUAL) and indicator.get("target") in (
            None, ""):
        check.add(f"{where}.target", _("数値の目標には目標値が必要です（数値がなければ条件を done にしてください）。"))
    check.year(indicator.get("due_year"), f"{where}.due_year", plan)
    baseline_year = indicator.get("baseline_year")
    if baseline_year not in (None, "") and (not isinstance(baseline_year, int) or not 1989 <= baseline_year <= 2100):
        check.add(f"{where}.baseline_year", _("年度は西暦の4桁で入力してください（例: 2026）。"))
    action = indicator.get("action") or ""
    if action and action not in actions:
        check.add(f"{where}.action", _("「%(title)s」という取組内容はこの取組項目にありません。") % {"title": action})
    metric = indicator.get("metric") or ""
    if metric:
        from yakuba.kernel import metrics

        if metrics.get(metric) is None:
            check.add(f"{where}.metric", _("「%(key)s」という自動計測の値はありません。") % {"key": metric})


# --- reading ------------------------------------------------------------------------------------------------------


def dump(plan: Plan) -> dict[str, Any]:
    """The plan as data, in the form `services.exchange.save_plan` takes (what the export writes and the
    round-trip test compares)."""
    measures = (Measure.objects.filter(plan=plan).select_related("policy")
                .prefetch_related("actions__schedule", "actions__responsibilities__department", "schedule",
                                  "responsibilities__department", "indicators__action"))
    by_policy: dict[int | None, list[Measure]] = {}
    for measure in measures:
        by_policy.setdefault(measure.policy_id, []).append(measure)

    def names(rows: Any, action: Action | None, role: str) -> list[str]:
        return [r.department.name for r in rows if r.action_id == (action.pk if action else None) and r.role == role]

    def cells(rows: Any, action: Action | None) -> list[dict[str, Any]]:
        return [{"from": format_period(c.start_year, c.start_quarter), "to": format_period(c.end_year, c.end_quarter),
                 "text": c.text} for c in rows if c.action_id == (action.pk if action else None)]

    def number(value: Decimal | None) -> str | None:
        return None if value is None else format(value.normalize(), "f")

    def measure_data(m: Measure) -> dict[str, Any]:
        roles = list(m.responsibilities.all())
        schedule = list(m.schedule.all())
        return {
            "number": m.number, "title": m.title, "summary": m.summary, "issues": m.issues, "goal": m.goal,
            "priority": m.is_priority, "departments_text": m.departments_text,
            "lead": names(roles, None, Role.LEAD), "related": names(roles, None, Role.RELATED),
            "schedule": cells(schedule, None),
            "actions": [{"title": a.title, "description": a.description, "departments_text": a.departments_text,
                         "lead": names(roles, a, Role.LEAD), "related": names(roles, a, Role.RELATED),
                         "schedule": cells(schedule, a)} for a in m.actions.all()],
            "indicators": [{"kind": i.kind, "text": i.text, "action": i.action.title if i.action else "",
                            "target": number(i.target_value), "unit": i.unit, "comparator": i.comparator,
                            "baseline": number(i.baseline_value), "baseline_year": i.baseline_year,
                            "due_year": i.due_year, "metric": i.metric, "from_seed": i.from_seed}
                           for i in m.indicators.all()],
        }

    return {
        "slug": plan.slug, "title": plan.title, "version": plan.version, "start_year": plan.start_year,
        "end_year": plan.end_year, "granularity": plan.granularity, "vision": plan.vision, "summary": plan.summary,
        "adopted_on": plan.adopted_on.isoformat() if plan.adopted_on else None, "council": plan.council,
        "source": plan.source,
        "policies": [{"number": p.number, "title": p.title, "description": p.description,
                      "measures": [measure_data(m) for m in by_policy.get(p.pk, [])]}
                     for p in Policy.objects.filter(plan=plan)],
    }
