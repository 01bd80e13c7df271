"""Figures of 電子決裁 the DX plans measure: the share of 決裁 made electronically (plan 000's KPI 電子決裁利用率),
the median hours from 起案 to 決裁, and how many drafts wait per approver. Read inside the town's scope."""

from __future__ import annotations

import statistics
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _
from django_scopes import get_scope

from yakuba.kernel import metrics
from yakuba.kernel.metrics import Kind, Metric

from .models import DocumentKind, Draft, DraftStatus, Record, Step, StepState

DECISIONS = (DocumentKind.DECIDED, DocumentKind.DECIDED_PAPER)


def _records() -> QuerySet[Record]:
    municipality = get_scope().get("municipality")
    rows = Record.objects.filter(kind__in=DECISIONS)
    return rows.filter(municipality=municipality) if municipality is not None else rows


def electronic_share_by(start: date, end: date) -> list[dict[str, Any]]:
    """Per month and 課: {month, department, electronic, paper, share (0–100 or None)}, oldest month first."""
    rows = (_records().filter(dated__gte=start, dated__lt=end).annotate(month=TruncMonth("dated"))
            .values("month", "department__name", "kind").annotate(n=Count("pk")).order_by("month", "department__name"))
    table: dict[tuple[Any, str], dict[str, Any]] = {}
    for row in rows:
        entry = table.setdefault((row["month"], row["department__name"]), {
            "month": row["month"], "department": row["department__name"], "electronic": 0, "paper": 0})
        entry["electronic" if row["kind"] == DocumentKind.DECIDED else "paper"] += row["n"]
    for entry in table.values():
        entry["share"] = metrics.share(entry["electronic"], entry["electronic"] + entry["paper"])
    return list(table.values())


def _electronic_share(start: date, end: date) -> float | None:
    counts = dict(_records().filter(dated__gte=start, dated__lt=end).values_list("kind").annotate(n=Count("pk"))
                  .values_list("kind", "n"))
    electronic = counts.get(DocumentKind.DECIDED, 0)
    return metrics.share(electronic, electronic + counts.get(DocumentKind.DECIDED_PAPER, 0))


def _median_hours(start: date, end: date) -> float | None:
    since, until = metrics.moments(start, end)
    spans = [(decided - sent).total_seconds() / 3600 for sent, decided in
             Draft.objects.filter(status=DraftStatus.DECIDED, decided_at__gte=since, decided_at__lt=until,
                                  sent_at__isnull=False).values_list("sent_at", "decided_at")
             if sent is not None and decided is not None]
    return statistics.median(spans) if spans else None


def waiting_per_approver() -> list[dict[str, Any]]:
    """Drafts waiting now, per post and its holder: [{post, holder, count}], most waiting first."""
    from django.db.models import F

    rows = (Step.objects.filter(state=StepState.PENDING, draft__status=DraftStatus.CIRCULATING,
                                draft__current_sequence=F("sequence"))
            .values("post__title", "post__holder__family_name", "post__holder__given_name")
            .annotate(n=Count("pk")).order_by("-n", "post__title"))
    return [{"post": row["post__title"],
             "holder": f"{row['post__holder__family_name'] or ''} {row['post__holder__given_name'] or ''}".strip(),
             "count": row["n"]} for row in rows]


def _waiting(start: date, end: date) -> int:
    return sum(row["count"] for row in waiting_per_approver())


metrics.register(Metric("approvals.electronic_share", _("電子決裁利用率"), "%", _electronic_share, kind=Kind.RATE,
                        description=_("電子決裁の件数 ÷（電子決裁 ＋ 紙で決裁して登録した件数）"), app="approvals"))
metrics.register(Metric("approvals.median_hours", _("起案から決裁までの時間（中央値）"), "時間", _median_hours,
                        kind=Kind.RATE, app="approvals"))
metrics.register(Metric("approvals.waiting", _("決裁待ちの起案の件数"), "件", _waiting, kind=Kind.STOCK,
                        description=_("いま決裁者の手元で待っている件数（職位ごとの内訳は決裁待ちの画面）"),
                        app="approvals"))
