"""現状分析レポート of デマンド交通 for its 担当課: a period chooser, the figures as tables and charts, and the
same as a PDF for the council (議会・地域公共交通会議)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.files.pdf import render_pdf
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import NON_FIELD, Refused
from yakuba.kernel.ui.actions import error_summary
from yakuba.kernel.ui.charts import bars

from ..services import access
from ..services import report as reporting
from ..services.report import Report, Stats

PDF_TEMPLATE = "transport/staff/report/pdf.html"
PAGE_TEMPLATE = "transport/staff/report/page.html"


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("期間"), widget=forms.RadioSelect, initial=reporting.THIS_MONTH,
                               required=False, choices=[
                                   (reporting.THIS_MONTH, gettext_lazy("今月")),
                                   (reporting.LAST_MONTH, gettext_lazy("先月")),
                                   (reporting.FISCAL_YEAR, gettext_lazy("今年度（4月〜3月）")),
                                   (reporting.LAST_FISCAL_YEAR, gettext_lazy("前年度")),
                                   (reporting.CUSTOM, gettext_lazy("期間を指定"))])
    start = forms.CharField(label=gettext_lazy("開始日"), required=False, max_length=10,
                            widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=gettext_lazy("「期間を指定」のとき。例：2026-04-01"))
    end = forms.CharField(label=gettext_lazy("終了日（この日を含む）"), required=False, max_length=10,
                          widget=forms.DateInput(attrs={"type": "date"}),
                          help_text=gettext_lazy("「期間を指定」のとき。例：2026-04-30"))


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString


def _period(request: TownRequest) -> tuple[PeriodForm, reporting.Period | None]:
    """The chosen period (this month when nothing is asked), or None with the form's errors."""
    data = request.GET
    form = PeriodForm({"period": data.get("period") or reporting.THIS_MONTH, "start": data.get("start", ""),
                       "end": data.get("end", "")})
    if not form.is_valid():
        return form, None
    try:
        period = reporting.period_for(form.cleaned_data["period"], form.cleaned_data["start"],
                                      form.cleaned_data["end"])
    except Refused as refused:
        for name, message in refused.errors.items():
            form.add_error(None if name == NON_FIELD else name, message)
        return form, None
    return form, period


def _number(value: float | int | None, digits: int = 1, unit: str = "") -> str:
    """1,234 or 12.3 with its unit; "—" when there is nothing to show."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}" if digits else f"{round(value):,}"
    return f"{text}{unit}"


def _stats_row(label: str, stats: Stats, unit: str, digits: int = 1) -> list[str]:
    return [label, _number(stats.count, 0), _number(stats.mean, digits, unit), _number(stats.median, digits, unit),
            _number(stats.most, digits, unit)]


def summary(data: Report) -> list[tuple[str, str]]:
    t = data.totals
    return [
        (_("予約の申込み"), _number(data.bookings, 0, _("件"))),
        (_("利用（降車済み）"), _number(t.done, 0, _("件"))),
        (_("乗客数（同乗者を含む）"), _number(data.passengers, 0, _("人"))),
        (_("実利用者数"), _number(data.riders, 0, _("人"))),
        (_("運行日数（利用のあった日）"), _number(data.operating_days, 0, _("日"))),
        (_("1日あたりの利用"), _number(data.rides_per_day, 1, _("件"))),
        (_("お断り"), f"{_number(t.refused, 0, _('件'))}（{_number(data.refusal_share, 1, '%')}）"),
        (_("取消し"), _number(t.cancelled, 0, _("件"))),
        (_("不在"), _number(t.no_show, 0, _("件"))),
        (_("予約中（まだ乗車していない）"), _number(t.booked, 0, _("件"))),
        (_("ウェブ・LINEからの予約"), _number(data.online_share, 1, "%")),
        (_("減免の利用"), _number(data.reduced_share, 1, "%")),
        (_("運賃収入（利用分）"), _number(data.fares_yen, 0, _("円"))),
    ]


def efficiency(data: Report) -> list[tuple[str, str]]:
    d = data.driving
    return [
        (_("走行距離"), _number(d.driven_km if d.driven_m else None, 1, " km")),
        (_("うち空車走行"), f"{_number(d.empty_km if d.driven_m else None, 1, ' km')}"
                          f"（{_number(d.empty_share, 1, '%')}）"),
        (_("乗車密度（走行1kmあたりの平均乗車人数）"), _number(d.occupancy, 2, _("人"))),
        (_("運行便数（乗せてから空になるまで）"), _number(d.trips, 0, _("便"))),
        (_("1便あたりの乗客数"), _number(d.riders_per_trip, 2, _("人"))),
        (_("車両の運行日数（台・日）"), _number(d.vehicle_days, 0, _("台日"))),
    ]


def times(data: Report) -> list[list[str]]:
    return [
        _stats_row(_("待ち時間（お迎えの時間帯の始まりから乗車まで）"), data.wait, _("分")),
        _stats_row(_("遅れ（お迎えの時間帯を過ぎた分、遅れた乗車のみ）"), data.late, _("分")),
        _stats_row(_("乗車時間"), data.ride, _("分")),
        _stats_row(_("乗車時間 ÷ 直行の所要時間"), data.ride_ratio, _("倍"), 2),
    ]


def charts(data: Report) -> dict[str, Chart]:
    """Every chart of the report (each beside a table with the same numbers)."""
    unit = _("件")
    timeline_title = _("日別の利用件数") if data.timeline_unit == "day" else _("月別の利用件数")
    made = {
        "timeline": (timeline_title, [(row.label, row.done) for row in data.timeline], unit),
        "hours": (_("時間帯別の利用件数"), [(row.label, row.done) for row in data.hours], unit),
        "pairs": (_("区域間の利用件数"), [(row.label, row.rides) for row in data.pairs], unit),
        "driving": (_("走行距離の内訳"), [
            (_("乗客あり"), round((data.driving.driven_m - data.driving.empty_m) / 1000, 1)),
            (_("空車"), round(data.driving.empty_m / 1000, 1))], " km"),
        "refusals": (_("お断りの理由"), [(row.label, row.count) for row in data.refusals], unit),
        "channels": (_("受付方法別の予約"), [(row.label, row.count) for row in data.channels], unit),
    }
    return {key: Chart(title, bars(rows, title=title, unit=suffix)) for key, (title, rows, suffix) in made.items()}


def _context(data: Report, form: PeriodForm | None = None) -> dict[str, Any]:
    return {"report": data, "form": form, "summary": summary(data), "efficiency": efficiency(data),
            "times": times(data), "charts": charts(data),
            "late_share": _number(data.late_share, 1, "%"), "issued_on": timezone.localdate()}


def _query(period: reporting.Period) -> str:
    params = {"period": period.choice}
    if period.choice == reporting.CUSTOM:
        params |= {"start": period.start.isoformat(), "end": period.last.isoformat()}
    return urlencode(params)


def _refused_page(request: TownRequest, form: PeriodForm) -> HttpResponse:
    return render(request, PAGE_TEMPLATE, {"form": form, "errors": error_summary(form), "report": None},
                  status=400)


@staff_required()
def report_page(request: TownRequest) -> HttpResponse:
    """The figures of the chosen period."""
    service = access.require_operator(request.staff)
    form, period = _period(request)
    if period is None:
        return _refused_page(request, form)
    data = reporting.build(service, period)
    return render(request, PAGE_TEMPLATE, {**_context(data, form), "errors": [], "query": _query(period)})


def report_pdf_bytes(data: Report) -> bytes:
    return render_pdf(PDF_TEMPLATE, {**_context(data), "municipality": data.service.municipality})


@staff_required()
def report_pdf(request: TownRequest) -> HttpResponse:
    """The report as A4 PDF (rendered in the request: a month takes well under two seconds)."""
    service = access.require_operator(request.staff)
    form, period = _period(request)
    if period is None:
        return _refused_page(request, form)
    started = time.perf_counter()
    content = report_pdf_bytes(reporting.build(service, period))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (f'inline; filename="transport-report-{period.start:%Y%m%d}-'
                                       f'{period.last:%Y%m%d}.pdf"')
    response["Server-Timing"] = f"pdf;dur={(time.perf_counter() - started) * 1000:.0f}"
    return response


staff_urlpatterns = [
    path("transport/report/", report_page, name="transport-report"),
    path("transport/report.pdf", report_pdf, name="transport-report-pdf"),
]
