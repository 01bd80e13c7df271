"""Figures the DX plans measure for 予約 (稼働率 per room, reservations per month, the online share).

Read inside the town's scope. The plans app binds indicators to these functions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from yakuba.kernel import metrics
from yakuba.kernel.metrics import Kind as MetricKind
from yakuba.kernel.metrics import Metric

from . import services
from .models import Channel, Kind, Reservation, Room, Status


def occupancy_by_month(year: int, month: int) -> list[dict[str, Any]]:
    """稼働率 of every room of the town for one month: hours open, hours reserved, and their ratio (None if closed)."""
    rooms = list(Room.objects.select_related("facility", "resource"))
    return [{"room": item.room.pk, "facility": item.room.facility.name, "name": item.room.name,
             "open_hours": item.open_hours, "booked_hours": item.booked_hours, "rate": item.rate}
            for item in services.occupancy(rooms, year, month)]


def reservations_by_month(since: date | None = None) -> list[dict[str, Any]]:
    """Reservations per month of their start, oldest first: totals by kind and channel (cancelled ones apart),
    no-shows, and the online share."""
    reservations = Reservation.objects.all()
    if since is not None:
        reservations = reservations.filter(starts_at__date__gte=since)
    rows = (reservations.annotate(month=TruncMonth("starts_at")).values("month", "kind", "channel", "status")
            .annotate(n=Count("pk")).order_by("month"))
    months: dict[Any, dict[str, Any]] = {}
    for row in rows:
        entry = months.setdefault(row["month"], {
            "month": row["month"], **{kind.value: 0 for kind in Kind}, **{channel.value: 0 for channel in Channel},
            "total": 0, "no_show": 0, "cancelled": 0})
        if row["status"] == Status.CANCELLED:
            entry["cancelled"] += row["n"]
            continue
        entry[row["kind"]] += row["n"]
        entry[row["channel"]] += row["n"]
        entry["total"] += row["n"]
        if row["status"] == Status.NO_SHOW:
            entry["no_show"] += row["n"]
    for entry in months.values():
        entry["online_share"] = entry[Channel.ONLINE.value] / entry["total"] if entry["total"] else None
    return list(months.values())


def online_share(since: date | None = None) -> float | None:
    """Share of reservations (cancelled ones included: each was a request) that residents made online."""
    reservations = Reservation.objects.all()
    if since is not None:
        reservations = reservations.filter(starts_at__date__gte=since)
    total = reservations.count()
    return reservations.filter(channel=Channel.ONLINE).count() / total if total else None


# The registry the plans bind indicators to ---------------------------------------------------------------------


def _requested(start: date, end: date) -> QuerySet[Reservation]:
    """Reservations starting in [start, end), cancelled ones included (each was a request)."""
    since, until = metrics.moments(start, end)
    return Reservation.objects.filter(starts_at__gte=since, starts_at__lt=until)


def _occupancy(start: date, end: date) -> float | None:
    """稼働率 of all the town's rooms together over the months the window touches."""
    rooms = list(Room.objects.select_related("facility", "resource"))
    open_hours = booked = 0.0
    for year, month in metrics.months(start, end):
        for item in services.occupancy(rooms, year, month):
            open_hours += item.open_hours
            booked += item.booked_hours
    return metrics.share(booked, open_hours)


metrics.register(Metric("reservations.reservations", _("施設・窓口の予約件数（取消を除く）"), "件",
                        lambda start, end: _requested(start, end).exclude(status=Status.CANCELLED).count(),
                        app="reservations"))
metrics.register(Metric("reservations.online_share", _("オンラインで受け付けた予約の割合"), "%",
                        lambda start, end: metrics.share(
                            _requested(start, end).filter(channel=Channel.ONLINE).count(),
                            _requested(start, end).count()),
                        kind=MetricKind.RATE, app="reservations"))
metrics.register(Metric("reservations.occupancy", _("公共施設の稼働率"), "%", _occupancy, kind=MetricKind.RATE,
                        app="reservations"))
