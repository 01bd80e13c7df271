"""Figures computed from real use of the platform, which a plan's indicators can be bound to (the plans app).

An app registers its own in a few lines (in its `metrics.py`, imported from AppConfig.ready):

    register(Metric("notices.subscribers", _("配信登録者数"), "人", subscribers_at, kind=Kind.STOCK))

`compute(start, end)` runs inside the town's scope and returns the value over [start, end) — or, for a STOCK
(a count of something that exists), the value as it stood at `end`. Shares are percentages (0–100).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise


class Kind(Enum):
    FLOW = "flow"  # counted within the window (submissions, visits)
    STOCK = "stock"  # as it stood at the window's end (subscribers)
    RATE = "rate"  # a share or average over the window


@dataclass(frozen=True)
class Metric:
    key: str
    label: str | Promise
    unit: str
    compute: Callable[[date, date], Decimal | float | int | None]
    kind: Kind = Kind.FLOW
    description: str | Promise = ""
    app: str = field(default="")

    def value(self, start: date, end: date) -> Decimal | None:
        """The value over [start, end), as a Decimal rounded to 0.1 (None when there is nothing to measure)."""
        raw: Any = self.compute(start, end)
        if raw is None:
            return None
        return Decimal(str(raw)).quantize(Decimal("0.1"))


_registry: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    if metric.key in _registry and _registry[metric.key].compute is not metric.compute:
        raise ValueError(f"metric {metric.key} is registered twice")
    _registry[metric.key] = metric
    return metric


def get(key: str) -> Metric | None:
    return _registry.get(key)


def all_metrics() -> list[Metric]:
    return sorted(_registry.values(), key=lambda m: m.key)


def moments(start: date, end: date) -> tuple[datetime, datetime]:
    """[start, end) as aware datetimes at the town's local midnight, for filtering timestamps."""
    return (timezone.make_aware(datetime.combine(start, datetime.min.time())),
            timezone.make_aware(datetime.combine(end, datetime.min.time())))


def months(start: date, end: date) -> list[tuple[int, int]]:
    """(year, month) of every calendar month [start, end) touches."""
    result = []
    year, month = start.year, start.month
    while date(year, month, 1) < end:
        result.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def share(part: int | float, whole: int | float) -> float | None:
    """part / whole as a percentage, None when there is nothing to divide."""
    return 100 * part / whole if whole else None
