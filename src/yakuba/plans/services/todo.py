"""What a department has to do in a 年度: the scheduled work of the measures it answers for, the indicators due,
and whether it has reported yet."""

from __future__ import annotations

from dataclasses import dataclass, field

from yakuba.kernel.accounts.models import Department

from ..models import Action, Indicator, Measure, Plan, ScheduleEntry, StatusReport
from .progress import latest_by_measure, latest_values


@dataclass
class Item:
    measure: Measure
    role: str  # "lead" or "related" (the stronger one when both)
    work: list[tuple[Action | None, ScheduleEntry]] = field(default_factory=list)  # cells covering the year
    due: list[Indicator] = field(default_factory=list)  # indicators due this year without an actual yet
    report: StatusReport | None = None

    @property
    def reported(self) -> bool:
        return self.report is not None


def plans_running(year: int) -> list[Plan]:
    return list(Plan.objects.filter(start_year__lte=year, end_year__gte=year))


def for_department(department: Department, year: int) -> list[Item]:
    """The measures of every plan running in `year` that `department` answers for and that have work scheduled,
    or an indicator due, in that year; lead measures first, unreported first."""
    items: list[Item] = []
    for plan in plans_running(year):
        measures = (Measure.objects.filter(plan=plan).filter(responsibilities__department=department)
                    .distinct().select_related("plan", "policy")
                    .prefetch_related("schedule__action", "indicators", "responsibilities"))
        reports = latest_by_measure(plan, year)
        values = latest_values(plan, [year])
        for measure in measures:
            roles = {r.role for r in measure.responsibilities.all() if r.department_id == department.pk}
            item = Item(measure=measure, role="lead" if "lead" in roles else "related", report=reports.get(measure.pk))
            item.work = [(cell.action, cell) for cell in measure.schedule.all() if cell.covers(year)]
            item.due = [i for i in measure.indicators.all()
                        if (i.due_year == year or (i.due_year is None and year == plan.end_year))
                        and (i.pk, year) not in values]
            if item.work or item.due:
                items.append(item)
    items.sort(key=lambda i: (i.role != "lead", i.reported, i.measure.plan_id, i.measure.sort_order))
    return items
