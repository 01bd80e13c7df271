"""Figures the DX plans measure (plan 000: 窓口入力支援 月平均10回以上; online share of procedures and submissions).

Read inside the town's scope. The plans app binds indicators to these functions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth

from .models import Channel, CounterVisit, Procedure, Status, Submission


def counter_visits_by_month(since: date | None = None) -> list[dict[str, Any]]:
    """書かない窓口: finished counter visits per month, oldest first."""
    visits = CounterVisit.objects.filter(finished_at__isnull=False)
    if since is not None:
        visits = visits.filter(finished_at__date__gte=since)
    rows = visits.annotate(month=TruncMonth("finished_at")).values("month").annotate(n=Count("pk")).order_by("month")
    return [{"month": row["month"], "count": row["n"]} for row in rows]


def submissions_by_month(since: date | None = None) -> list[dict[str, Any]]:
    """Filed submissions per month and channel, with the online share."""
    filed = Submission.objects.exclude(status=Status.DRAFT)
    if since is not None:
        filed = filed.filter(submitted_at__date__gte=since)
    rows = (filed.annotate(month=TruncMonth("submitted_at")).values("month", "channel").annotate(n=Count("pk"))
            .order_by("month"))
    months: dict[Any, dict[str, Any]] = {}
    for row in rows:
        entry = months.setdefault(row["month"], {"month": row["month"], "online": 0, "counter": 0})
        entry[row["channel"]] = row["n"]
    for entry in months.values():
        total = entry["online"] + entry["counter"]
        entry["total"] = total
        entry["online_share"] = entry["online"] / total if total else None
    return list(months.values())


def online_share_of_submissions(since: date | None = None) -> float | None:
    filed = Submission.objects.exclude(status=Status.DRAFT)
    if since is not None:
        filed = filed.filter(submitted_at__date__gte=since)
    total = filed.count()
    return filed.filter(channel=Channel.ONLINE).count() / total if total else None


def online_share_of_procedures() -> float | None:
    """Share of the town's procedures that residents can apply for online."""
    total = Procedure.objects.count()
    online = Procedure.objects.filter(is_published=True, current_form__isnull=False).count()
    return online / total if total else None
