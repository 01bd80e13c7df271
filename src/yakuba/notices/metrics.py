"""Figures the DX plans measure for お知らせ・防災: subscribers per channel, deliveries per month, notices published
per month, and how many confirmed an emergency notice.

Read inside the town's scope. The plans app binds indicators to these functions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _
from django_scopes import get_scope

from yakuba.kernel import metrics
from yakuba.kernel.messaging import consent
from yakuba.kernel.messaging.models import Channel, Delivery, DeliveryStatus, Endpoint
from yakuba.kernel.metrics import Kind, Metric

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
    for row in (consent.deliverable(Endpoint.objects.filter(subscriber__unsubscribed_at__isnull=True))
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


def emergency_confirmation_rate(since: date | None = None, *, until: date | None = None) -> float | None:
    """Of the people an emergency notice reached (a delivery sent), the share who pressed 「確認しました」.

    Counted per (notice, subscriber): someone reached by email and LINE counts once. None if none was sent.
    """
    emergency_ids = _notices().filter(category__is_emergency=True, broadcast__isnull=False)
    if since is not None:
        emergency_ids = emergency_ids.filter(published_at__date__gte=since)
    if until is not None:
        emergency_ids = emergency_ids.filter(published_at__date__lt=until)
    sent = Delivery.objects.filter(broadcast_id__in=emergency_ids.values("broadcast_id"), status=DeliveryStatus.SENT)
    reached = sent.values("broadcast_id", "subscriber_id").distinct().count()
    if not reached:
        return None
    confirmed = (Delivery.objects.filter(broadcast_id__in=emergency_ids.values("broadcast_id"),
                                         confirmed_at__isnull=False)
                 .values("broadcast_id", "subscriber_id").distinct().count())
    return confirmed / reached


# The registry the plans bind indicators to ---------------------------------------------------------------------


def _subscribers_at(start: date, end: date) -> int:
    """People who could be reached at `end`: a confirmed endpoint, not paused then, not unsubscribed then (a
    pause's end is not kept, so a paused endpoint counts until it was paused)."""
    _, until = metrics.moments(start, end)
    endpoints = Endpoint.objects.filter(confirmed_at__lt=until).filter(
        Q(paused_at__isnull=True) | Q(paused_at__gte=until)).filter(
        Q(subscriber__unsubscribed_at__isnull=True) | Q(subscriber__unsubscribed_at__gte=until))
    return endpoints.values("subscriber_id").distinct().count()


def _published(start: date, end: date) -> QuerySet[Notice]:
    since, until = metrics.moments(start, end)
    return _notices().exclude(status=NoticeStatus.DRAFT).filter(published_at__gte=since, published_at__lt=until)


def _sent(start: date, end: date) -> int:
    since, until = metrics.moments(start, end)
    return Delivery.objects.filter(broadcast__source=SOURCE, status=DeliveryStatus.SENT,
                                   broadcast__created_at__gte=since, broadcast__created_at__lt=until).count()


def _confirmation_rate(start: date, end: date) -> float | None:
    rate = emergency_confirmation_rate(start, until=end)
    return None if rate is None else 100 * rate


metrics.register(Metric("notices.subscribers", _("お知らせの配信登録者数"), "人", _subscribers_at, kind=Kind.STOCK,
                        app="notices"))
metrics.register(Metric("notices.deliveries", _("配信したお知らせの通数"), "通", _sent, app="notices"))
metrics.register(Metric("notices.published", _("発信したお知らせの件数"), "件",
                        lambda start, end: _published(start, end).count(), app="notices"))
metrics.register(Metric("notices.emergency_published", _("発信した防災情報の件数"), "件",
                        lambda start, end: _published(start, end).filter(category__is_emergency=True).count(),
                        app="notices"))
metrics.register(Metric("notices.emergency_confirmation_rate", _("防災情報の「確認しました」の割合"), "%",
                        _confirmation_rate, kind=Kind.RATE, app="notices"))
