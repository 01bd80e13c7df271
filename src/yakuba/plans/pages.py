"""What the plan pages show, computed from the models and services: the plan tree with current statuses, the
Gantt rows of the 工程表, KPI cards with their charts, a measure's history. Shared by the public and staff views."""


from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from yakuba.kernel.http import TownRequest

from . import charts
from .models import (
    Action,
    Comparator,
    Granularity,
    Indicator,
    IndicatorValue,
    Measure,
    Plan,
    Policy,
    Responsibility,
    Role,
    ScheduleEntry,
    Status,
    StatusReport,
)
from .periods import QUARTER_MONTHS, fiscal_year, period_label, quarter_of, short, wareki
from .services import kpis as kpi_services
from .services.progress import latest_by_measure, latest_values

# Periods -----------------------------------------------------------------------------------------------------------


def today() -> date:
    return timezone.localdate()


def shown_year(plan: Plan) -> int:
    """The 年度 whose progress a page shows: this one, or the plan's nearest year when it is not running."""
    return min(max(fiscal_year(today()), plan.start_year), plan.end_year)


def plan_state(plan: Plan) -> str:
    current = fiscal_year(today())
    if current > plan.end_year:
        return _("終了")
    if current < plan.start_year:
        return _("開始前")
    return _("計画期間中")


def plan_period(plan: Plan) -> str:
    return _("%(start)s〜%(end)s") % {"start": wareki(plan.start_year), "end": wareki(plan.end_year)}


def town_plan(request: TownRequest, slug: str) -> Plan:
    plan: Plan = get_object_or_404(Plan.objects.filter(municipality=request.municipality), slug=slug)
    return plan


# The tree ----------------------------------------------------------------------------------------------------------

@dataclass
class IndicatorRow:
    indicator: Indicator
    target: str
    latest: IndicatorValue | None
    actual: str  # the latest actual in words: 「75%（令和8年度）」, 実施済み, 未記録
    judgement: str  # 達成 / 未達 / ""
    due: str = ""  # 令和8年度


@dataclass
class MeasureRow:
    measure: Measure
    lead: list[str]
    related: list[str]
    report: StatusReport | None
    actions: list[tuple[Action, list[IndicatorRow]]] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)  # not tied to an action
    recordable: bool = False

    @property
    def departments(self) -> str:
        return self.measure.departments_text


def latest_per_indicator(plan: Plan) -> dict[int, IndicatorValue]:
    """The current value of the latest 年度 recorded, per indicator id."""
    latest: dict[int, IndicatorValue] = {}
    for (indicator_id, _year), value in sorted(latest_values(plan).items(), key=lambda item: item[0][1]):
        latest[indicator_id] = value
    return latest


def value_words(indicator: Indicator, value: IndicatorValue | None) -> tuple[str, str]:
    """(actual, judgement) of a recorded value, in words."""
    if value is None:
        return _("未記録"), ""
    if indicator.comparator == Comparator.DONE and value.value is None:
        return (_("実施済み") if value.achieved else _("未実施")), ""
    actual = _("%(value)s（%(year)s）") % {"value": charts.with_unit(value.value, indicator.unit) or _("なし"),
                                          "year": wareki(value.year)}
    judgement = "" if value.achieved is None else (_("達成") if value.achieved else _("未達"))
    return actual, judgement


def indicator_row(indicator: Indicator, latest: dict[int, IndicatorValue]) -> IndicatorRow:
    value = latest.get(indicator.pk)
    actual, judgement = value_words(indicator, value)
    due = wareki(indicator.due_year) if indicator.due_year else ""
    return IndicatorRow(indicator, charts.target_text(indicator), value, actual, judgement, due)


def measures_of(plan: Plan) -> list[Measure]:
    return list(Measure.objects.filter(plan=plan).select_related("policy").prefetch_related(
        "actions", "indicators",
        Prefetch("responsibilities", queryset=Responsibility.objects.select_related("department"))))


def measure_row(measure: Measure, reports: dict[int, StatusReport], latest: dict[int, IndicatorValue]) -> MeasureRow:
    names: dict[str, list[str]] = {Role.LEAD: [], Role.RELATED: []}
    for responsibility in measure.responsibilities.all():
        if responsibility.department.name not in names[responsibility.role]:
            names[responsibility.role].append(responsibility.department.name)
    row = MeasureRow(measure, names[Role.LEAD], [n for n in names[Role.RELATED] if n not in names[Role.LEAD]],
                     reports.get(measure.pk))
    indicators = list(measure.indicators.all())
    for action in measure.actions.all():
        row.actions.append((action, [indicator_row(i, latest) for i in indicators if i.action_id == action.pk]))
    row.indicators = [indicator_row(i, latest) for i in indicators if i.action_id is None]
    return row


def plan_tree(plan: Plan, year: int) -> list[tuple[Policy | None, list[MeasureRow]]]:
    """The policies of `plan` with their measures (status of `year`), actions and indicators."""
    reports = latest_by_measure(plan, year)
    latest = latest_per_indicator(plan)
    groups: dict[int | None, list[MeasureRow]] = {}
    for measure in measures_of(plan):
        groups.setdefault(measure.policy_id, []).append(measure_row(measure, reports, latest))
    tree: list[tuple[Policy | None, list[MeasureRow]]] = [
        (policy, groups.pop(policy.pk)) for policy in Policy.objects.filter(plan=plan) if policy.pk in groups]
    tree += [(None, rows) for rows in groups.values()]
    return tree


def progress_summary(plan: Plan) -> dict[str, Any]:
    """Measures by current status this 年度, and indicators met out of all."""
    year = shown_year(plan)
    measures = list(Measure.objects.filter(plan=plan).values_list("pk", flat=True))
    reports = latest_by_measure(plan, year)
    counts = Counter(report.status for report in reports.values())
    statuses: list[tuple[str, int]] = [(str(label), counts[value]) for value, label in Status.choices]
    statuses.append((_("未報告"), len(measures) - len(reports)))
    latest = latest_per_indicator(plan)
    total = Indicator.objects.filter(measure__plan=plan).count()
    met = sum(1 for value in latest.values() if value.achieved)
    return {"year": year, "year_label": wareki(year), "statuses": statuses, "measures": len(measures), "met": met,
            "indicators": total}


# The Gantt ----------------------------------------------------------------------------------------------------------

@dataclass
class Column:
    year: int
    quarter: int | None
    label: str
    long_label: str
    current: bool


@dataclass
class Cell:
    span: int
    text: str = ""
    period: str = ""  # 「令和8年度〜令和10年度」 for a run, read out beside its text
    run: bool = False
    current: bool = False


@dataclass
class GanttRow:
    title: str
    number: str
    level: str  # "measure" or "action"
    lanes: list[list[Cell]]
    measure: Measure


def columns(plan: Plan) -> list[Column]:
    day = today()
    now = (fiscal_year(day), quarter_of(day))
    if plan.granularity != Granularity.QUARTER:
        return [Column(y, None, short(y), wareki(y), y == now[0]) for y in plan.years]
    return [Column(y, q, QUARTER_MONTHS[q], period_label(y, q), (y, q) == now)
            for y in plan.years for q in (1, 2, 3, 4)]


def _index(plan: Plan, year: int, quarter: int | None, *, end: bool) -> int:
    if plan.granularity != Granularity.QUARTER:
        return year - plan.start_year
    return (year - plan.start_year) * 4 + (quarter or (4 if end else 1)) - 1


def _span_label(plan: Plan, entry: ScheduleEntry) -> str:
    quarterly = plan.granularity == Granularity.QUARTER
    start = period_label(entry.start_year, entry.start_quarter if quarterly else None)
    end = period_label(entry.end_year, entry.end_quarter if quarterly else None)
    return start if start == end else _("%(start)s〜%(end)s") % {"start": start, "end": end}


def lanes(plan: Plan, entries: list[ScheduleEntry], cols: list[Column]) -> list[list[Cell]]:
    """The runs of a row laid over the columns; overlapping runs go to a lane of their own."""
    runs: list[tuple[int, int, ScheduleEntry]] = []
    for entry in entries:
        first = max(_index(plan, entry.start_year, entry.start_quarter, end=False), 0)
        last = min(_index(plan, entry.end_year, entry.end_quarter, end=True), len(cols) - 1)
        if first <= last:
            runs.append((first, last, entry))
    placed: list[list[tuple[int, int, ScheduleEntry]]] = []
    for run in sorted(runs, key=lambda r: (r[0], r[1])):
        lane = next((lane for lane in placed if lane[-1][1] < run[0]), None)
        if lane is None:
            placed.append([run])
        else:
            lane.append(run)
    return [_cells(plan, lane, cols) for lane in placed] or [_cells(plan, [], cols)]


def _cells(plan: Plan, lane: list[tuple[int, int, ScheduleEntry]], cols: list[Column]) -> list[Cell]:
    cells: list[Cell] = []
    position = 0
    for first, last, entry in lane:
        cells += [Cell(1, current=cols[i].current) for i in range(position, first)]
        cells.append(Cell(last - first + 1, entry.text or _("実施"), _span_label(plan, entry), True,
                          any(c.current for c in cols[first:last + 1])))
        position = last + 1
    cells += [Cell(1, current=cols[i].current) for i in range(position, len(cols))]
    return cells


def gantt(plan: Plan, measures: list[Measure] | None = None) -> dict[str, Any]:
    """Rows = measures and their actions, columns = 年度 (or quarters), cells = runs of the 工程表."""
    cols = columns(plan)
    measures = measures if measures is not None else list(
        Measure.objects.filter(plan=plan).prefetch_related("actions"))
    entries: dict[tuple[int, int | None], list[ScheduleEntry]] = {}
    for entry in ScheduleEntry.objects.filter(measure__in=measures):
        entries.setdefault((entry.measure_id, entry.action_id), []).append(entry)
    rows = []
    for measure in measures:
        rows.append(GanttRow(measure.title, measure.number, "measure",
                             lanes(plan, entries.get((measure.pk, None), []), cols), measure))
        for action in measure.actions.all():
            rows.append(GanttRow(action.title, "", "action", lanes(plan, entries.get((measure.pk, action.pk), []),
                                                                    cols), measure))
    years = [(y, 4 if plan.granularity == Granularity.QUARTER else 1, any(c.current for c in cols if c.year == y))
             for y in plan.years]
    return {"columns": cols, "rows": rows, "quarterly": plan.granularity == Granularity.QUARTER,
            "year_headers": [(short(y), wareki(y), span, current) for y, span, current in years],
            "has_current": any(c.current for c in cols), "now_label": period_label(fiscal_year(today()))}


# KPIs ----------------------------------------------------------------------------------------------------------------

@dataclass
class KpiCard:
    kpi: kpi_services.Kpi
    target: str
    chart: SafeString
    monthly_chart: SafeString
    rows: list[dict[str, Any]]
    monthly_rows: list[tuple[str, str]]
    due_label: str
    metric_unit: str = ""  # the live metric's unit in the active language (「件」, "cases")


def kpi_card(kpi: kpi_services.Kpi) -> KpiCard:
    unit = kpi.indicator.unit
    rows = [{"year": wareki(p.year), "target": charts.with_unit(p.target, unit) or "—",
             "actual": charts.with_unit(p.actual, unit) or _("未記録"), "judgement": charts.judgement(p),
             "note": p.note, "recorded": p.actual is not None, "done": done_point(p)} for p in kpi.points]
    monthly = [(charts.month_label(month), charts.with_unit(value, unit) or _("なし")) for month, value in kpi.monthly]
    due = kpi.indicator.due_year
    return KpiCard(kpi, charts.target_text(kpi.indicator), charts.year_chart(kpi), charts.monthly_chart(kpi), rows,
                   monthly, wareki(due) if due else "",
                   charts.unit_name(kpi.metric.unit) if kpi.metric is not None else "")


def done_point(point: kpi_services.Point) -> str:
    if point.achieved is None:
        return _("未記録")
    return _("実施済み") if point.achieved else _("未実施")


def done_words(kpi: kpi_services.Kpi) -> str:
    recorded = [p for p in kpi.points if p.achieved is not None or p.actual is not None]
    if not recorded:
        return _("未記録")
    last = recorded[-1]
    if kpi.indicator.comparator == Comparator.DONE:
        return (_("実施済み") if last.achieved else _("未実施")) + f"（{wareki(last.year)}）"
    return f"{charts.with_unit(last.actual, kpi.indicator.unit)}（{wareki(last.year)}）"

def tabs(plan: Plan, current: str) -> dict[str, Any]:
    return {"plan": plan, "tab": current, "period": plan_period(plan), "state": plan_state(plan)}


def town_measure(plan: Plan, pk: int) -> Measure:
    measure: Measure = get_object_or_404(
        Measure.objects.filter(plan=plan).select_related("plan", "policy").prefetch_related(
            "actions", "indicators", Prefetch("responsibilities",
                                              queryset=Responsibility.objects.select_related("department"))),
        pk=pk)
    return measure


def measure_context(plan: Plan, measure: Measure) -> dict[str, Any]:
    """Everything one measure page shows: its fields, tree row, schedule, indicators per year and history."""
    year = shown_year(plan)
    latest = latest_per_indicator(plan)
    row = measure_row(measure, latest_by_measure(plan, year), latest)
    cards = [kpi_card(k) for k in kpi_services.kpis(plan, today=today(),
                                                      indicators=list(measure.indicators.all()), monthly=False)]
    reports = list(StatusReport.objects.filter(measure=measure).select_related("recorded_by__department")
                   .prefetch_related("evidence").order_by("-year", "-recorded_at", "-pk"))
    values = list(IndicatorValue.objects.filter(indicator__measure=measure)
                  .select_related("indicator", "recorded_by__department").prefetch_related("evidence")
                  .order_by("-year", "-recorded_at", "-pk"))
    for value in values:
        value.words = value_words(value.indicator, value)  # type: ignore[attr-defined]
        value.year_label = period_label(value.year, value.quarter)  # type: ignore[attr-defined]
    for report in reports:
        report.year_label = period_label(report.year, report.quarter)  # type: ignore[attr-defined]
    return {"measure": measure, "row": row, "year": year, "year_label": wareki(year), "cards": cards,
            "reports": reports, "values": values, **gantt(plan, [measure])}
