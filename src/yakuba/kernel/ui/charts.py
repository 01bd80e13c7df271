"""A horizontal bar chart as server-rendered SVG, for any app's counts (アンケートの集計, a dashboard's breakdown).

The chart is an image with its numbers in its accessible name (role="img" + aria-label) and written beside each
bar; the page shows the same numbers in a table next to it, so nothing is said by length or colour alone. No
inline styles (the CSP forbids them): colours are presentation attributes.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 320
ROW = 28
LABEL_WIDTH = 112
NUMBER_WIDTH = 56
BAR = "#1d5fa8"  # 6:1 on white
TEXT = "#1a1a1a"


def _cut(text: str, most: int = 9) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def bars(rows: Sequence[tuple[str, int | float]], *, title: str, unit: str = "") -> SafeString:
    """Bars for (label, value) rows, longest for the largest value. `title` names the chart for screen readers;
    labels longer than the space are cut in the drawing (the table beside it has them whole)."""
    largest = max((value for _label, value in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - NUMBER_WIDTH
    height = max(ROW * len(rows), ROW)
    summary = "、".join(f"{label} {value:g}{unit}" for label, value in rows)
    parts = [f'<svg class="bar-chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
             f'aria-label="{escape(title)}: {escape(summary)}" xmlns="http://www.w3.org/2000/svg">']
    for index, (label, value) in enumerate(rows):
        y = index * ROW
        length = round(span * value / largest, 1)
        parts.append(f'<text x="0" y="{y + 18}" font-size="12" fill="{TEXT}">{escape(_cut(label))}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 6}" width="{length}" height="16" fill="{BAR}"/>')
        parts.append(f'<text x="{LABEL_WIDTH + length + 4}" y="{y + 18}" font-size="12" fill="{TEXT}">'
                     f'{value:g}{escape(unit)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  every text above is escaped
