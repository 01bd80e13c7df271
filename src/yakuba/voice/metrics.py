"""The figures of 住民の声 a plan's indicators can be bound to (kernel.metrics)."""

from __future__ import annotations

# --- ご意見箱 ---------------------------------------------------------------------------------------------------------
# --- 通報 -------------------------------------------------------------------------------------------------------------
import functools as _functools  # noqa: E402
import statistics as _statistics  # noqa: E402
from datetime import date as _date  # noqa: E402
from typing import Any as _Any  # noqa: E402

from django.utils.translation import gettext_lazy as _lazy  # noqa: E402
from django_scopes import get_scope as _get_scope  # noqa: E402

from yakuba.kernel import metrics as _metrics  # noqa: E402

from .models import Report as _Report  # noqa: E402
from .models import ReportStatus as _ReportStatus  # noqa: E402

ANSWER_DAYS = 7  # 「7日以内に対応済」: the share the plans can bind


def _reports(rows: _Any = None) -> _Any:
    rows = _Report.objects.all() if rows is None else rows
    municipality = _get_scope().get("municipality")
    return rows.filter(municipality=municipality) if municipality is not None else rows


def reports_received(start: _date, end: _date, code: str = "") -> int:
    """Reports received in [start, end) (duplicates included: each is a resident who reported)."""
    first, last = _metrics.moments(start, end)
    rows = _reports().filter(created_at__gte=first, created_at__lt=last)
    return int((rows.filter(category__code=code) if code else rows).count())


def reports_via_open311(start: _date, end: _date) -> int:
    first, last = _metrics.moments(start, end)
    return int(_reports().filter(created_at__gte=first, created_at__lt=last, client__isnull=False).count())


def _closed(start: _date, end: _date) -> list[float]:
    first, last = _metrics.moments(start, end)
    rows = _reports().filter(status=_ReportStatus.DONE, closed_at__gte=first, closed_at__lt=last).values_list(
        "closed_at", "created_at")
    return [(closed - created).total_seconds() / 86400 for closed, created in rows]


def days_to_done(start: _date, end: _date) -> float | None:
    """Median days from a report to 対応済, over reports closed in [start, end)."""
    days = _closed(start, end)
    return _statistics.median(days) if days else None


def answered_within(start: _date, end: _date) -> float | None:
    """Share (%) of the reports closed in [start, end) that were closed within ANSWER_DAYS days."""
    days = _closed(start, end)
    return _metrics.share(sum(1 for d in days if d <= ANSWER_DAYS), len(days))


def open_reports(start: _date, end: _date) -> int:
    """Reports not yet 対応済 at the window's end (duplicates left out)."""
    _first, last = _metrics.moments(start, end)
    rows = _reports().filter(created_at__lt=last, duplicate_of__isnull=True)
    return int(rows.exclude(status=_ReportStatus.DONE, closed_at__lt=last).count())


_metrics.register(_metrics.Metric("voice.reports_received", _lazy("通報の受付件数"), "件", reports_received,
                                  description=_lazy("住民やOpen311のアプリから受け付けた通報の件数"), app="voice"))
_metrics.register(_metrics.Metric("voice.reports_via_open311", _lazy("Open311 で受け付けた通報の件数"), "件",
                                  reports_via_open311, app="voice"))
for _code, _label in (
        ("road", _lazy("通報の受付件数（道路の損傷）")), ("streetlight", _lazy("通報の受付件数（街路灯）")),
        ("fallen_tree", _lazy("通報の受付件数（倒木）")), ("dumping", _lazy("通報の受付件数（不法投棄）")),
        ("wildlife", _lazy("通報の受付件数（獣害）")), ("playground", _lazy("通報の受付件数（公園遊具）"))):
    _metrics.register(_metrics.Metric(
        f"voice.reports_received.{_code}", _label, "件",
        _functools.partial(reports_received, code=_code), app="voice"))
_metrics.register(_metrics.Metric("voice.reports_days_to_done", _lazy("通報から対応済までの日数（中央値）"), "日",
                                  days_to_done, kind=_metrics.Kind.RATE, app="voice",
                                  description=_lazy("対応済にした通報について、受付から対応済までの日数の中央値")))
_metrics.register(_metrics.Metric("voice.reports_done_within_7_days", _lazy("7日以内に対応済にした通報の割合"), "%",
                                  answered_within, kind=_metrics.Kind.RATE, app="voice"))
_metrics.register(_metrics.Metric("voice.reports_open", _lazy("未対応・対応中の通報の件数"), "件", open_reports,
                                  kind=_metrics.Kind.STOCK, app="voice"))



# --- アンケート ------------------------------------------------------------------------------------------------------

