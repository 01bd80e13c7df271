"""Figures the DX plans measure for お知らせ・防災: subscribers per channel, deliveries per month, notices published
per month, and how many confirmed an emergency notice.

Read inside the town's scope. The plans app binds indicators to these functions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django_scopes import get_scope

from yakuba.kernel.messaging.models import Channel, Delivery, DeliveryStatus, Endpoint

from .audience import SOURCE
from .models import Notice, NoticeStatus


def _notices() -> QuerySet[Notice]:
    """The scoped town's notices (Notice's manager does not filter by the scope by itself)."""
    municipality = get_scope().get("municipality")
    notices = Notice.objects.all()
    return notices.filter(municipality=municipality) if municipality is not None else notices


def subscribers_by_channel() -> dict[str, int]:
    """Active endpoints (confirmed, not paused, subscriber not unsubscribed) per channel: who can be reached."""
    result = {channel.value: 0 for channel in Channel}
    for row in (Endpoint.objects.filter(confirmed_at__isnull=False, paused_at__isnull=True,
                                        subscriber__unsubscribed_at__isnull=True)
                .values("channel").annotate(n=Count("pk")).order_by()):
        result[row["channel"]] = row["n"]
    return result


def deliveries_by_month(since: date | None = None) -> list[dict[str, Any]]:
    """Deliveries of notices per month of their broadcast, oldest first: {month, channels: {channel: {status: n}},
    total}."""
    deliveries = Delivery.objects.filter(broadcast__source=SOURCE)
    if since is not None:
        deliveries = deliveries.filter(broadcast__created_at__date__gte=since)
    rows = (deliveries.annotate(month=TruncMonth("broadcast__created_at")).values("month", "channel", "status")
            .annotate(n=Count("pk")).order_by("month"))
    months: dict[Any, dict[str, Any]] = {}
    for row in rows:
        entry = months.setdefault(row["month"], {"month": row["month"], "channels": {}, "total": 0})
        statuses = entry["channels"].setdefault(row["channel"], {status.value: 0 for status in DeliveryStatus})
        statuses[row["status"]] += row["n"]
        entry["total"] += row["n"]
    return list(months.values())


def notices_by_month(since: date | None = None) -> list[dict[str, Any]]:
    """Notices published per month (withdrawn ones included: they were published), with the emergency ones apart."""
    notices = _notices().exclude(status=NoticeStatus.DRAFT).filter(published_at__isnull=False)
    if since is not None:
        notices = notices.filter(published_at__date__gte=since)
    rows = (notices.annotate(month=TruncMonth("published_at")).values("month", "category__is_emergency")
            .annotate(n=Count("pk")).order_by("month"))
    months: dict[Any, dict[str, Any]] = {}
    for row in rows:
        entry = months.setdefault(row["month"], {"month": row["month"], "total": 0, "emergency": 0})
        entry["total"] += row["n"]
        if row["category__is_emergency"]:
            entry["emergency"] += row["n"]
    return list(months.values())


def emergency_confirmation_rate(since: date | None = None) -> float | None:
    """Of the people an emergency notice reached (a delivery sent), the share who pressed 「確認しました」.

    Counted per (notice, subscriber): someone reached by email and LINE counts once. None if none was sent.
    """
    emergency_ids = _notices().filter(category__is_emergency=True, broadcast__isnull=False)
    if since is not None:
        emergency_ids = emergency_ids.filter(published_at__date__gte=since)
    sent = Delivery.objects.filter(broadcast_id__in=emergency_ids.values("broadcast_id"), status=DeliveryStatus.SENT)
    reached = sent.values("broadcast_id", "subscriber_id").distinct().count()
    if not reached:
        return None
    confirmed = (Delivery.objects.filter(broadcast_id__in=emergency_ids.values("broadcast_id"),
                                         confirmed_at__isnull=False)
                 .values("broadcast_id", "subscriber_id").distinct().count())
    return confirmed / reached
