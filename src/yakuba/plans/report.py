"""The yearly 進捗状況報告 for the council: per policy and measure, the status reported for a 年度 and every
indicator's target against its actual, with a summary on top; as PDF (A4) or .xlsx. A `Report` row keeps what was
rendered, in private storage, so the council's copy stays as it was given (asking for one and storing it is
`services.reports`)."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from yakuba.kernel.files import tables
from yakuba.kernel.files.pdf import render_pdf

from .models import Comparator, Measure, Plan, Policy, Report, ReportFormat, Role, Status
from .periods import wareki
from .services.kpis import Kpi, kpis
from .services.progress import latest_by_measure

UNREPORTED = "unreported"
MET, MISSED, NONE = "met", "missed", "none"
RESULT_LABELS = {MET: "達成", MISSED: "未達", NONE: "—"}
CONTENT_TYPES = {ReportFormat.PDF: "application/pdf",
                 ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class IndicatorLine:
    text: str
    target: str  # "80 %" / "実施" / ""
    due_year: int | None
    actual: str  # "85 %" / "実施済み" / ""
    result: str  # MET, MISSED, NONE
    live: bool = False
    partial: bool = False
    note: str = ""

    @property
    def result_label(self) -> str:
        return _(RESULT_LABELS[self.result])


@dataclass
class MeasureLine:
    measure: Measure
    departments: str
    status: str  # a Status value or UNREPORTED
    status_label: str
    comment: str
    indicators: list[IndicatorLine] = field(default_factory=list)


@dataclass
class PolicySection:
    policy: Policy
    measures: list[MeasureLine]


@dataclass
class ReportData:
    plan: Plan
    year: int
    issued_on: date
    sections: list[PolicySection]
    status_counts: list[tuple[str, str, int]]  # (status, label, count)
    indicators_total: int
    indicators_met: int
    indicators_missed: int
    live_total: int

    @property
    def year_label(self) -> str:
        return wareki(self.year)

    @property
    def title(self) -> str:
        return _("%(plan)s %(year)s 進捗状況報告") % {"plan": self.plan.title, "year": self.year_label}


def _amount(value: Decimal | None, unit: str) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), ",f") if abs(value) >= 1000 else format(value.normalize(), "f")
    return f"{text} {unit}".strip()


def _indicator_line(kpi: Kpi, year: int) -> IndicatorLine:
    indicator = kpi.indicator
    point = kpi.point(year)
    done = indicator.comparator == Comparator.DONE
    comparator = "" if done else indicator.get_comparator_display()
    target = (_("実施・達成") if done else
              f"{_amount(indicator.target_value, indicator.unit)} {comparator}".strip())
    actual, result, partial, note = "", NONE, False, ""
    if point is not None:
        partial, note = point.partial, point.note
        if point.actual is not None:
            actual = _amount(point.actual, indicator.unit)
        elif point.achieved is not None:
            actual = _("実施済み") if point.achieved else _("未実施")
        if point.achieved is not None:
            result = MET if point.achieved else MISSED
    return IndicatorLine(text=indicator.text, target=target, due_year=indicator.due_year, actual=actual,
                         result=result, live=kpi.live, partial=partial, note=note)


def _departments(measure: Measure) -> str:
    names = [r.department.name for r in measure.responsibilities.all() if r.action_id is None and r.role == Role.LEAD]
    return "、".join(names) or measure.departments_text


def build(plan: Plan, year: int, *, today: date | None = None) -> ReportData:
    """The report's content for `plan` and the 年度 `year` (call inside the plan's town scope)."""
    today = today or timezone.localdate()
    reports = latest_by_measure(plan, year)
    by_measure: dict[int, list[IndicatorLine]] = {}
    lines = []
    for kpi in kpis(plan, today=today, monthly=False):
        line = _indicator_line(kpi, year)
        lines.append(line)
        by_measure.setdefault(kpi.indicator.measure_id, []).append(line)
    measures = (Measure.objects.filter(plan=plan).select_related("policy")
                .prefetch_related("responsibilities__department"))
    sections: dict[int | None, list[MeasureLine]] = {}
    for measure in measures:
        report = reports.get(measure.pk)
        sections.setdefault(measure.policy_id, []).append(MeasureLine(
            measure=measure, departments=_departments(measure),
            status=report.status if report else UNREPORTED,
            status_label=report.get_status_display() if report else _("未報告"),
            comment=report.comment if report else "", indicators=by_measure.get(measure.pk, [])))
    counted = Counter(line.status for section in sections.values() for line in section)
    statuses = [(s.value, str(s.label), counted[s.value]) for s in Status] + [
        (UNREPORTED, _("未報告"), counted[UNREPORTED])]
    return ReportData(
        plan=plan, year=year, issued_on=today,
        sections=[PolicySection(p, sections.get(p.pk, [])) for p in Policy.objects.filter(plan=plan)],
        status_counts=statuses, indicators_total=len(lines),
        indicators_met=sum(line.result == MET for line in lines),
        indicators_missed=sum(line.result == MISSED for line in lines),
        live_total=sum(line.live for line in lines))


# --- rendering ----------------------------------------------------------------------------------------------------


def to_pdf(data: ReportData) -> bytes:
    return render_pdf("plans/pdf/report.html", {"report": data, "municipality": data.plan.municipality})


HEADINGS = ["方針", "番号", "取組項目", "重点", "担当課", "進捗状況", "実績・課題・次年度の予定", "指標", "目標",
            "目標年度", "実績", "達成", "備考"]
WIDTHS = [24, 6, 30, 6, 16, 10, 44, 40, 14, 9, 14, 7, 20]


def to_xlsx(data: ReportData) -> bytes:
    """One sheet: the summary on top, then a row per indicator (a measure without one still has its row)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("進捗状況報告")
    tables.append_row(sheet, [f"{data.plan.municipality.name} {data.title}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("発行日"), data.issued_on.isoformat()])
    sheet.append([_("進捗状況"), "、".join(f"{label} {count}件" for _s, label, count in data.status_counts)])
    sheet.append([_("指標"), _("%(total)d件のうち 達成 %(met)d件・未達 %(missed)d件（自動計測 %(live)d件）") % {
        "total": data.indicators_total, "met": data.indicators_met, "missed": data.indicators_missed,
        "live": data.live_total}])
    sheet.append([])
    sheet.append([_(h) for h in HEADINGS])
    header_row = sheet.max_row
    for col, width in enumerate(WIDTHS, start=1):
        cell = sheet.cell(header_row, col)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
        sheet.column_dimensions[get_column_letter(col)].width = width
    for section in data.sections:
        for line in section.measures:
            for values in _xlsx_rows(section.policy, line):
                tables.append_row(sheet, values)
    wrap = Alignment(wrap_text=True, vertical="top")
    for cells in sheet.iter_rows(min_row=header_row):
        for each in cells:
            each.alignment = wrap
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(HEADINGS))}{sheet.max_row}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_rows(policy: Policy, line: MeasureLine) -> list[list[Any]]:
    measure = line.measure
    head: list[Any] = [str(policy), measure.number, measure.title, _("重点") if measure.is_priority else "",
                       line.departments, line.status_label, line.comment]
    if not line.indicators:
        return [head + [""] * 6]
    rows: list[list[Any]] = []
    for item in line.indicators:
        notes = [_("自動計測") if item.live else "", _("年度途中") if item.partial else "", item.note]
        rows.append(head + [item.text, item.target, item.due_year, item.actual, item.result_label,
                            " ".join(n for n in notes if n)])
    return rows


def render(plan: Plan, year: int, fmt: str, *, today: date | None = None) -> bytes:
    if fmt not in ReportFormat.values:
        raise ValueError(f"unknown report format {fmt!r}")
    data = build(plan, year, today=today)
    return to_pdf(data) if fmt == ReportFormat.PDF else to_xlsx(data)


def filename(report: Report) -> str:
    return f"{report.plan.slug}-{report.year}-progress.{report.format}"
