"""年度 (fiscal years, April to March) and their quarters, and how they are written."""

from __future__ import annotations

from datetime import date

from django.utils import translation

from yakuba.kernel.scheduling.fiscal import REIWA_START, bounds, fiscal_year, wareki

__all__ = ["QUARTER_MONTHS", "bounds", "fiscal_year", "period_label", "quarter_of", "short", "wareki"]

QUARTER_MONTHS = {1: "4-6月", 2: "7-9月", 3: "10-12月", 4: "1-3月"}


def quarter_of(day: date) -> int:
    return ((day.month - 4) % 12) // 3 + 1


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
