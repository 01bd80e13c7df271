"""年度 (fiscal years, April to March) and their quarters, and how they are written."""

from __future__ import annotations

from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _

QUARTER_MONTHS = {1: "4-6月", 2: "7-9月", 3: "10-12月", 4: "1-3月"}
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


def quarter_of(day: date) -> int:
    return ((day.month - 4) % 12) // 3 + 1


def wareki(year: int) -> str:
    """令和8年度 (the era name is used in Japanese; English shows FY2026)."""
    if translation.get_language() == "en":
        return f"FY{year}"
    if year >= REIWA_START:
        number = year - REIWA_START + 1
        return _("令和%(n)s年度") % {"n": "元" if number == 1 else number}
    return _("平成%(n)s年度") % {"n": year - 1988}


def short(year: int) -> str:
    """R8 / FY2026: the column heading of a schedule."""
    if translation.get_language() == "en" or year < REIWA_START:
        return f"FY{year}"
    return f"R{year - REIWA_START + 1}"


def period_label(year: int, quarter: int | None = None) -> str:
    if quarter is None:
        return wareki(year)
    return f"{wareki(year)} {QUARTER_MONTHS[quarter]}" if translation.get_language() != "en" else (
        f"FY{year} Q{quarter}")
