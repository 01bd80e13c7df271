"""年度 (fiscal years, April to March) and how a year is written (令和8年度 / FY2026), for every system."""

from __future__ import annotations

from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _

REIWA_START = 2019


def fiscal_year(day: date) -> int:
    """The 年度 `day` falls in (令和8年度 = 2026 runs from 2026-04-01 to 2027-03-31)."""
    return day.year if day.month >= 4 else day.year - 1


def bounds(year: int, quarter: int | None = None) -> tuple[date, date]:
    """[start, end) of a 年度 or one of its quarters."""
    if quarter is None:
        return date(year, 4, 1), date(year + 1, 4, 1)
    month = 4 + 3 * (quarter - 1)
    start = date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    month += 3
    return start, date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def wareki(year: int) -> str:
    """令和8年度 (the era name is used in Japanese; English shows FY2026)."""
    if translation.get_language() == "en":
        return f"FY{year}"
    if year >= REIWA_START:
        number = year - REIWA_START + 1
        return _("令和%(n)s年度") % {"n": "元" if number == 1 else number}
    return _("平成%(n)s年度") % {"n": year - 1988}
