"""Writing a plan from its plain data (`interchange`): the seed fixtures, the demo and the .xlsx import.

`save_plan` writes a valid plan in one transaction, updating rows in place by their position so that a reload
keeps the progress already recorded against them; `import_plan` is the 情報担当's import, recorded in the audit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Department, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.files.uploads import private_storage, save_private
from yakuba.kernel.tenancy.models import Municipality

from .. import spreadsheet
from ..interchange import InvalidPlan, dump, parse_decimal, parse_period, validate
from ..models import (
    Action,
    Comparator,
    Granularity,
    Indicator,
    Measure,
    Plan,
    Policy,
    Responsibility,
    Role,
    ScheduleEntry,
)


def import_plan(staff: Staff, data: dict[str, Any], *, replace: Plan | None = None,
                request: HttpRequest | None = None) -> Plan:
    """Save the plan data read from a workbook, as a new plan or in place of `replace` (whose 識別子 it must keep),
    and record who imported it. Raises SpreadsheetRejected or InvalidPlan; nothing is written then."""
    if replace is not None and data["slug"] != replace.slug:
        raise spreadsheet.SpreadsheetRejected([spreadsheet.CellProblem(spreadsheet.PLAN, None, "", "識別子", _(
            "識別子が置き換える計画（%(slug)s）と違います。") % {"slug": replace.slug})])
    with transaction.atomic():
        plan = save_plan(staff.municipality, data, replace=replace)
        counts = spreadsheet.counts(dump(plan) if replace is not None else data)
        record("plans.imported", municipality=staff.municipality, actor=staff.user, obj=plan, request=request,
               data={"replaced": replace is not None, **counts})
    return plan


def hold_upload(municipality: Municipality, content: bytes) -> str:
    """Keep an uploaded workbook in private storage until the 情報担当 confirms replacing a plan with it."""
    return save_private(ContentFile(content), f"{municipality.code}/plans/imports")


def release_upload(path: str) -> None:
    """Forget a held workbook (replaced with, or abandoned)."""
    private_storage().delete(path)


def _put(model: type[Any], lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    from yakuba.kernel.ops.demo import _upsert

    return _upsert(model, lookup, values)


def save_plan(municipality: Municipality, data: dict[str, Any], *, replace: Plan | None = None) -> Plan:
    """Write a valid plan (raises InvalidPlan otherwise). Rows are matched by position, so loading the same data
    twice writes nothing and a changed fixture keeps the progress recorded against unchanged rows; rows the new
    data no longer has are removed."""
    problems = validate(data)
    if problems:
        raise InvalidPlan(problems)
    with transaction.atomic():
        lookup = {"pk": replace.pk} if replace else {"slug": data["slug"]}
        values = {
            "slug": data["slug"], "title": data["title"], "version": data.get("version") or "",
            "start_year": data["start_year"], "end_year": data["end_year"],
            "granularity": data.get("granularity") or Granularity.YEAR,
            "vision": data.get("vision") or "", "summary": data.get("summary") or "",
            "adopted_on": date.fromisoformat(data["adopted_on"]) if data.get("adopted_on") else None,
            "council": data.get("council") or "", "source": data.get("source") or "",
        }
        plan = _put(Plan, {"municipality": municipality, **lookup}, values)
        departments = _Departments(municipality)
        kept_policies, kept_measures = [], []
        measure_order = 0
        for p, policy in enumerate(data["policies"]):
            policy_row = _put(Policy, {"municipality": municipality, "plan": plan, "sort_order": p}, {
                "number": policy.get("number") or "", "title": policy["title"],
                "description": policy.get("description") or ""})
            kept_policies.append(policy_row.pk)
            for measure in policy.get("measures", []):
                kept_measures.append(_save_measure(municipality, plan, policy_row, measure, measure_order,
                                                   departments).pk)
                measure_order += 1
        Measure.objects.filter(plan=plan).exclude(pk__in=kept_measures).delete()
        Policy.objects.filter(plan=plan).exclude(pk__in=kept_policies).delete()
        return plan


class _Departments:
    """The town's departments by name; a name the town does not have yet is added (a plan names its own)."""

    def __init__(self, municipality: Municipality) -> None:
        self.municipality = municipality
        self.by_name = {d.name: d for d in Department.objects.filter(municipality=municipality)}

    def get(self, name: str) -> Department:
        name = name.strip()
        if name not in self.by_name:
            order = max((d.sort_order for d in self.by_name.values()), default=0) + 1
            self.by_name[name] = Department.objects.create(municipality=self.municipality, name=name,
                                                           sort_order=order)
        return self.by_name[name]


def _save_measure(municipality: Municipality, plan: Plan, policy: Policy, data: dict[str, Any], order: int,
                  departments: _Departments) -> Measure:
    measure = _put(Measure, {"municipality": municipality, "plan": plan, "sort_order": order}, {
        "policy": policy, "number": data.get("number") or "", "title": data["title"],
        "summary": data.get("summary") or "", "issues": data.get("issues") or "", "goal": data.get("goal") or "",
        "is_priority": bool(data.get("priority")), "departments_text": data.get("departments_text") or ""})
    kept_actions, kept_cells, kept_roles, kept_indicators = [], [], [], []
    kept_cells += _save_schedule(municipality, measure, None, data.get("schedule", []))
    kept_roles += _save_roles(municipality, measure, None, data, departments)
    actions: dict[str, Action] = {}
    for a, item in enumerate(data.get("actions", []) or []):
        action = _put(Action, {"municipality": municipality, "measure": measure, "sort_order": a}, {
            "title": item["title"], "description": item.get("description") or "",
            "departments_text": item.get("departments_text") or ""})
        actions.setdefault(item["title"], action)
        kept_actions.append(action.pk)
        kept_cells += _save_schedule(municipality, measure, action, item.get("schedule", []))
        kept_roles += _save_roles(municipality, measure, action, item, departments)
    for i, item in enumerate(data.get("indicators", []) or []):
        indicator = _put(Indicator, {"municipality": municipality, "measure": measure, "sort_order": i}, {
            "action": actions.get(item.get("action") or ""), "kind": item.get("kind") or "", "text": item["text"],
            "target_value": parse_decimal(item.get("target")), "unit": item.get("unit") or "",
            "comparator": item.get("comparator") or Comparator.AT_LEAST,
            "baseline_value": parse_decimal(item.get("baseline")), "baseline_year": item.get("baseline_year") or None,
            "due_year": item.get("due_year") or None, "metric": item.get("metric") or "",
            "from_seed": bool(item.get("from_seed", True))})
        kept_indicators.append(indicator.pk)
    Action.objects.filter(measure=measure).exclude(pk__in=kept_actions).delete()
    ScheduleEntry.objects.filter(measure=measure).exclude(pk__in=kept_cells).delete()
    Responsibility.objects.filter(measure=measure).exclude(pk__in=kept_roles).delete()
    Indicator.objects.filter(measure=measure).exclude(pk__in=kept_indicators).delete()
    return measure


def _save_schedule(municipality: Municipality, measure: Measure, action: Action | None,
                   cells: list[dict[str, Any]]) -> list[int]:
    kept = []
    for c, cell in enumerate(cells):
        start_year, start_quarter = parse_period(cell["from"])
        end_year, end_quarter = parse_period(cell.get("to") or cell["from"])
        row = _put(ScheduleEntry, {"municipality": municipality, "measure": measure, "action": action,
                                   "sort_order": c}, {
            "start_year": start_year, "start_quarter": start_quarter, "end_year": end_year,
            "end_quarter": end_quarter, "text": cell.get("text") or ""})
        kept.append(row.pk)
    return kept


def _save_roles(municipality: Municipality, measure: Measure, action: Action | None, data: dict[str, Any],
                departments: _Departments) -> list[int]:
    kept = []
    for role, key in ((Role.LEAD, "lead"), (Role.RELATED, "related")):
        for name in dict.fromkeys(data.get(key, []) or []):
            row, _created = Responsibility.objects.get_or_create(
                municipality=municipality, measure=measure, action=action, department=departments.get(name),
                role=role)
            kept.append(row.pk)
    return kept
