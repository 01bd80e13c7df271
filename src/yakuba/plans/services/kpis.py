"""Target against actual for every indicator of a plan, live where an indicator is bound to a platform metric.

The actual of a year is the value a department recorded for it, if any; otherwise, for a bound indicator, the
metric computed from real use over that 年度 (up to today for the year in progress).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel import metrics
from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.refusal import Refused

from ..models import Indicator, IndicatorValue, Plan, Source
from ..periods import bounds, fiscal_year
from .progress import latest_values


@dataclass
class Point:
    year: int
    target: Decimal | None
    actual: Decimal | None = None
    source: str = ""  # Source value, "" when there is no actual
    achieved: bool | None = None
    partial: bool = False  # the 年度 is still running: the actual is to date
    note: str = ""


@dataclass
class Kpi:
    indicator: Indicator
    metric: metrics.Metric | None
    points: list[Point]
    monthly: list[tuple[date, Decimal | None]] = field(default_factory=list)  # live metrics: this 年度 by month

    @property
    def live(self) -> bool:
        return self.metric is not None

    def point(self, year: int) -> Point | None:
        return next((p for p in self.points if p.year == year), None)


def _today() -> date:
    return timezone.localdate()


def metric_value(metric: metrics.Metric, year: int, today: date | None = None) -> tuple[Decimal | None, bool]:
    """The metric over a 年度, to date when it is still running: (value, partial)."""
    today = today or _today()
    start, end = bounds(year)
    if start > today:
        return None, False
    partial = end > today
    return metric.value(start, min(end, today + timedelta(days=1))), partial


def target_for(indicator: Indicator, year: int) -> Decimal | None:
    """The target applies from its due 年度 on (from the plan's start when the plan gives none)."""
    if indicator.target_value is None:
        return None
    due = indicator.due_year or indicator.measure.plan.start_year
    return indicator.target_value if year >= due else None


def kpis(plan: Plan, *, today: date | None = None, indicators: list[Indicator] | None = None,
         monthly: bool = True) -> list[Kpi]:
    """Every indicator of `plan` (numeric ones and those bound to a metric), with target and actual per 年度."""
    today = today or _today()
    rows = indicators if indicators is not None else list(
        Indicator.objects.filter(measure__plan=plan).select_related("measure__plan", "measure__policy", "action"))
    recorded = latest_values(plan)
    current = fiscal_year(today)
    result = []
    for indicator in rows:
        metric = metrics.get(indicator.metric) if indicator.metric else None
        points = []
        for year in plan.years:
            point = Point(year=year, target=target_for(indicator, year))
            value = recorded.get((indicator.pk, year))
            if value is not None:
                point.actual, point.source, point.note = value.value, value.source, value.note
                point.achieved = value.achieved
            elif metric is not None and year <= current:
                point.actual, point.partial = metric_value(metric, year, today)
                point.source = Source.METRIC if point.actual is not None else ""
                point.achieved = indicator.met_by(point.actual) if point.target is not None else None
            points.append(point)
        kpi = Kpi(indicator=indicator, metric=metric, points=points)
        if metric is not None and monthly and current in plan.years:
            kpi.monthly = monthly_values(metric, current, today)
        result.append(kpi)
    return result


def monthly_values(metric: metrics.Metric, year: int, today: date | None = None) -> list[tuple[date, Decimal | None]]:
    """The metric month by month through a 年度, up to the current month."""
    today = today or _today()
    values = []
    for offset in range(12):
        month = 4 + offset
        start = date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        if start > today:
            break
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        values.append((start, metric.value(start, min(following, today + timedelta(days=1)))))
    return values


def bind(staff: Staff, indicator: Indicator, key: str) -> Indicator:
    """Bind `indicator` to the metric `key` ("" to unbind). The metric's unit must be the indicator's."""
    if not staff.has_role(Role.ADMIN):
        raise Refused(_("自動計測の設定は情報担当が行います。"))
    metric = metrics.get(key) if key else None
    if key and metric is None:
        raise Refused({"metric": _("選んだ自動計測の値が見つかりません。")})
    if metric is not None and indicator.unit and metric.unit != indicator.unit:
        raise Refused({"metric": _(
            "単位が合いません。この指標は「%(unit)s」、選んだ値は「%(metric_unit)s」です。") % {
            "unit": indicator.unit, "metric_unit": metric.unit}})
    indicator.metric = key
    fields = ["metric"]
    if metric is not None and not indicator.unit:
        indicator.unit = metric.unit
        fields.append("unit")
    with transaction.atomic():
        indicator.save(update_fields=fields)
        record("plans.indicator_bound", municipality=staff.municipality, actor=staff.user, obj=indicator,
               data={"metric": key})
    return indicator


def snapshot(staff: Staff | None, plan: Plan, year: int, today: date | None = None) -> list[IndicatorValue]:
    """Fix the metric value of every bound indicator for `year` as a recorded value (for the council's record);
    an indicator that already has a recorded value for the year is left alone."""
    today = today or _today()
    recorded = latest_values(plan, [year])
    rows = []
    for indicator in Indicator.objects.filter(measure__plan=plan).exclude(metric=""):
        metric = metrics.get(indicator.metric)
        if metric is None or (indicator.pk, year) in recorded:
            continue
        value, partial = metric_value(metric, year, today)
        if value is None:
            continue
        note = _("自動計測（%(date)s 時点）") % {"date": today.isoformat()} if partial else _("自動計測")
        rows.append(IndicatorValue.objects.create(
            municipality=plan.municipality, indicator=indicator, year=year, value=value, unit=indicator.unit,
            achieved=indicator.met_by(value), note=note, source=Source.METRIC, recorded_by=staff))
    if rows:
        record("plans.snapshot", municipality=plan.municipality, actor=staff.user if staff else None, obj=plan,
               data={"year": year, "values": len(rows)})
    return rows
