"""Server-rendered SVG charts of the KPI dashboard: actual per 年度 against the target, and a live metric month by
month. Each chart is an image with a text summary of its numbers (role="img" + aria-label); the page repeats the
numbers in a table beside it, so nothing is said by colour or shape alone.

No inline styles (the CSP forbids them): colours are SVG presentation attributes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from .models import Comparator, Indicator
from .periods import short, wareki
from .services.kpis import Kpi, Point

WIDTH, HEIGHT = 320, 200
LEFT, RIGHT, TOP, BOTTOM = 12, 12, 24, 34
BAR = "#1d5fa8"  # blue 900-ish: 6:1 on white
BAR_PARTIAL = "#6b9bd1"
TARGET = "#b3261e"  # red: 6:1 on white
TEXT = "#1a1a1a"
AXIS = "#595959"


def number(value: Decimal | float | int | None) -> str:
    """80, 1,234, 12.5 — no trailing zeros, thousands separated."""
    if value is None:
        return ""
    value = Decimal(str(value))
    sign, value = ("-" if value < 0 else ""), abs(value)
    if value == value.to_integral_value():
        return f"{sign}{int(value):,}"
    whole, _dot, fraction = f"{value.normalize():f}".partition(".")
    return f"{sign}{int(whole):,}.{fraction}"


# The plan's units (件, 人, 回…) are Japanese counters stuck to the number: translated as a whole, with the
# number, so English reads "30 cases or more", not "30件 or more". A unit not listed stays as the plan wrote it.
UNITS = {
    "%": ngettext_lazy("%(value)s%%", "%(value)s%%", "count"),
    "件": ngettext_lazy("%(value)s件", "%(value)s件", "count"),
    "人": ngettext_lazy("%(value)s人", "%(value)s人", "count"),
    "回": ngettext_lazy("%(value)s回", "%(value)s回", "count"),
    "回/年": ngettext_lazy("%(value)s回/年", "%(value)s回/年", "count"),
    "回/月": ngettext_lazy("%(value)s回/月", "%(value)s回/月", "count"),
    "通": ngettext_lazy("%(value)s通", "%(value)s通", "count"),
    "日": ngettext_lazy("%(value)s日", "%(value)s日", "count"),
    "例": ngettext_lazy("%(value)s例", "%(value)s例", "count"),
    "係": ngettext_lazy("%(value)s係", "%(value)s係", "count"),
    "業務": ngettext_lazy("%(value)s業務", "%(value)s業務", "count"),
    "か所": ngettext_lazy("%(value)sか所", "%(value)sか所", "count"),
    "団体": ngettext_lazy("%(value)s団体", "%(value)s団体", "count"),
    "時間": ngettext_lazy("%(value)s時間", "%(value)s時間", "count"),
    "円": ngettext_lazy("%(value)s円", "%(value)s円", "count"),
    "社": ngettext_lazy("%(value)s社", "%(value)s社", "count"),
    "項目": ngettext_lazy("%(value)s項目", "%(value)s項目", "count"),
}


def with_unit(value: Decimal | None, unit: str) -> str:
    """「30件」 (English: "30 cases"), in the active language."""
    if value is None:
        return ""
    template = UNITS.get(unit)
    if template is None:
        return f"{number(value)}{unit}"
    return str(template % {"value": number(value), "count": 1 if value == 1 else 2})


def unit_name(unit: str) -> str:
    """The unit alone, as a label says it (「件」, English "cases")."""
    template = UNITS.get(unit)
    return str(template % {"value": "", "count": 2}).strip() if template is not None else unit


def target_text(indicator: Indicator) -> str:
    """「80%以上」: the target with its unit and condition, or "" when it has no number."""
    if indicator.target_value is None or indicator.comparator == Comparator.DONE:
        return ""
    suffix = ""
    if indicator.comparator == Comparator.AT_LEAST:
        suffix = _("以上")
    elif indicator.comparator == Comparator.AT_MOST:
        suffix = _("以下")
    return f"{with_unit(indicator.target_value, indicator.unit)}{suffix}"


def judgement(point: Point | None) -> str:
    """達成 / 未達 / 未記録 in words (途中経過 while the 年度 runs)."""
    if point is None or (point.actual is None and point.achieved is None):
        return _("未記録")
    if point.achieved is None:
        word = _("目標なし")
    else:
        word = _("達成") if point.achieved else _("未達")
    return _("%(word)s（途中経過）") % {"word": word} if point.partial else word


def year_summary(kpi: Kpi) -> str:
    """What the year chart shows, in one sentence per part (the chart's accessible name)."""
    indicator = kpi.indicator
    parts = [str(indicator.text)]
    target = target_text(indicator)
    if target:
        due = indicator.due_year or indicator.measure.plan.start_year
        parts.append(_("目標 %(target)s（%(year)sから）") % {"target": target, "year": wareki(due)})
    for point in kpi.points:
        actual = with_unit(point.actual, indicator.unit) if point.actual is not None else _("未記録")
        state = judgement(point) if point.actual is not None else ""
        parts.append(f"{wareki(point.year)} {actual}" + (f"（{state}）" if state else ""))
    return "。".join(parts) + "。"


def monthly_summary(kpi: Kpi) -> str:
    label = kpi.metric.label if kpi.metric is not None else kpi.indicator.text
    unit = kpi.indicator.unit or (kpi.metric.unit if kpi.metric is not None else "")
    months = "、".join(f"{month.month}月 {with_unit(value, unit) if value is not None else _('なし')}"
                      for month, value in kpi.monthly)
    year = kpi.monthly[0][0].year if kpi.monthly and kpi.monthly[0][0].month >= 4 else None
    title = _("%(label)s の月ごとの値") % {"label": label}
    if year is not None:
        title = f"{title}（{wareki(year)}）"
    return f"{title}: {months}。"


def _scale(values: Iterable[Decimal | None]) -> Decimal:
    top = max((v for v in values if v is not None), default=Decimal(0))
    return top * Decimal("1.15") if top > 0 else Decimal(1)


def _y(value: Decimal, top: Decimal) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return round(HEIGHT - BOTTOM - float(value / top) * plot, 1)


def _svg(label: str, css: str, body: list[str]) -> SafeString:
    text = escape(label)
    return mark_safe(  # noqa: S308 — every text piece is escaped above or comes from numbers
        f'<svg class="chart {css}" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-label="{text}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="12" fill="{TEXT}"><title>{text}</title>'
        + "".join(body) + "</svg>")


def _axis() -> str:
    y = HEIGHT - BOTTOM
    return f'<line class="chart__axis" x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="{AXIS}"/>'


def year_chart(kpi: Kpi) -> SafeString:
    """Bars of the actual per 年度 (lighter while the year runs), the target as a dashed line over its years."""
    points = kpi.points
    top = _scale([p.actual for p in points] + [p.target for p in points])
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    body = [_axis()]
    for index, point in enumerate(points):
        x = LEFT + index * slot
        body.append(f'<text x="{x + slot / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                    f"{escape(short(point.year))}</text>")
        if point.actual is not None:
            y = _y(max(point.actual, Decimal(0)), top)
            css, fill = ("chart__bar chart__bar--partial", BAR_PARTIAL) if point.partial else ("chart__bar", BAR)
            body.append(f'<rect class="{css}" x="{x + slot * 0.2:.1f}" y="{y}" width="{slot * 0.6:.1f}" '
                        f'height="{max(HEIGHT - BOTTOM - y, 0):.1f}" fill="{fill}"/>')
            body.append(f'<text x="{x + slot / 2:.1f}" y="{y - 4}" text-anchor="middle" font-weight="bold">'
                        f"{escape(number(point.actual))}</text>")
        if point.target is not None:
            y = _y(point.target, top)
            body.append(f'<line class="chart__target" x1="{x:.1f}" y1="{y}" x2="{x + slot:.1f}" y2="{y}" '
                        f'stroke="{TARGET}" stroke-width="3" stroke-dasharray="8 4"/>')
    return _svg(year_summary(kpi), "chart--years", body)


def monthly_chart(kpi: Kpi) -> SafeString:
    """A line through the live metric's value of each month of the current 年度 so far ("" without months)."""
    if not kpi.monthly:
        return mark_safe("")
    top = _scale([value for _month, value in kpi.monthly])
    slot = (WIDTH - LEFT - RIGHT) / 12
    body = [_axis()]
    line: list[str] = []
    for index, (month, value) in enumerate(kpi.monthly):
        x = LEFT + index * slot + slot / 2
        body.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="10">'
                    f"{month.month}</text>")
        if value is None:
            continue
        y = _y(max(value, Decimal(0)), top)
        line.append(f"{x:.1f},{y}")
        body.append(f'<circle class="chart__point" cx="{x:.1f}" cy="{y}" r="4" fill="{BAR}"/>')
    if len(line) > 1:
        body.insert(1, f'<polyline class="chart__line" points="{" ".join(line)}" fill="none" stroke="{BAR}" '
                       f'stroke-width="2"/>')
    body.append(f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" text-anchor="end" font-size="10">{escape(_("月"))}</text>')
    return _svg(monthly_summary(kpi), "chart--months", body)


def month_label(month: date) -> str:
    return _("%(year)s年%(month)s月") % {"year": month.year, "month": month.month}
