"""Figures the DX plans measure for キャッシュレス決済: the share of fee types payable online, and the share of
payments made cashless (by month when a plan asks per month)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django_scopes import get_scope

from yakuba.kernel import metrics
from yakuba.kernel import payments as kernel
from yakuba.kernel.metrics import Kind, Metric
from yakuba.kernel.tenancy.models import Municipality

from . import config
from .models import Method, Payment, Status


def online_fee_types_share(start: date, end: date) -> float | None:
    """Of the town's fee types (each payable kind's, e.g. rooms with a fee, procedures with a fee), the share
    residents can pay online now: none when the town has no provider."""
    municipality = get_scope().get("municipality")
    if isinstance(municipality, int):
        municipality = Municipality.objects.filter(pk=municipality).first()
    online = municipality is not None and config.of(municipality).online
    counted = [kind.fee_types() for kind in kernel.kinds() if kind.fee_types is not None]
    total = sum(whole for _, whole in counted)
    payable = sum(part for part, _ in counted) if online else 0
    return metrics.share(payable, total)


def cashless_share(start: date, end: date) -> float | None:
    """Of the payments received in [start, end), the share not paid in cash."""
    low, high = metrics.moments(start, end)
    figures = Payment.objects.filter(status=Status.SUCCESS, paid_at__gte=low, paid_at__lt=high).aggregate(
        total=Count("pk"), cash=Count("pk", filter=Q(method=Method.CASH)))
    return metrics.share(figures["total"] - figures["cash"], figures["total"])


def cashless_by_month(since: date) -> list[dict[str, Any]]:
    """The cashless share per calendar month from `since` to today."""
    from django.utils import timezone

    rows = []
    for year, month in metrics.months(since, timezone.localdate()):
        first = date(year, month, 1)
        after = date(year + month // 12, month % 12 + 1, 1)
        rows.append({"month": first, "share": cashless_share(first, after)})
    return rows


metrics.register(Metric("payments.online_fee_types_share", _("オンラインで納付できる手数料・使用料の割合"), "%",
                        online_fee_types_share, kind=Kind.STOCK, app="payments",
                        description=_("手数料・使用料のある手続や施設のうち、キャッシュレスで納付できるものの割合")))
metrics.register(Metric("payments.cashless_share", _("キャッシュレス納付の割合"), "%", cashless_share,
                        kind=Kind.RATE, app="payments",
                        description=_("期間中に収納した納付のうち、現金以外（オンライン決済・窓口のQR・カード）の割合")))
