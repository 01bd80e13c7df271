"""The figures of 住民の声 a plan's indicators can be bound to (kernel.metrics)."""

from __future__ import annotations

# --- ご意見箱 ---------------------------------------------------------------------------------------------------------
# 000's DXご意見箱 (KPI: ホームページへのコーナー設置) and 003's 広報広聴DX: the corner exists (1 once the town takes
# opinions through it), how many opinions came, how many were answered and how fast.
from datetime import date
from statistics import median

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_scopes import get_scope

from yakuba.kernel import metrics
from yakuba.kernel.metrics import Kind, Metric

from .models.opinions import Opinion, OpinionCategory, OpinionStatus


def _town_opinions() -> QuerySet[Opinion]:
    municipality = get_scope().get("municipality")
    rows = Opinion.objects.all()
    return rows.filter(municipality=municipality) if municipality is not None else rows


def opinions_received(start: date, end: date) -> int:
    """ご意見・ご質問 received in [start, end)."""
    since, until = metrics.moments(start, end)
    return _town_opinions().filter(received_at__gte=since, received_at__lt=until).count()


def opinion_answer_days(start: date, end: date) -> float | None:
    """The median of the days from receipt to answer, of the opinions answered in [start, end)."""
    since, until = metrics.moments(start, end)
    spans = [(answered - received).total_seconds() / 86400 for received, answered in _town_opinions().filter(
        answered_at__gte=since, answered_at__lt=until).values_list("received_at", "answered_at") if answered]
    return median(spans) if spans else None


def opinion_answered_share(start: date, end: date) -> float | None:
    """Of the opinions received in [start, end) whose sender asked for an answer, the share answered by `end`."""
    since, until = metrics.moments(start, end)
    asked = _town_opinions().filter(received_at__gte=since, received_at__lt=until, wants_answer=True)
    return metrics.share(asked.filter(status=OpinionStatus.ANSWERED, answered_at__lt=until).count(), asked.count())


def opinion_corner(start: date, end: date) -> int:
    """ご意見箱の設置: 1 when the town's ご意見箱 takes opinions at `end` (a category open to residents), else 0."""
    municipality = get_scope().get("municipality")
    rows = OpinionCategory.objects.filter(active=True)
    rows = rows.filter(municipality=municipality) if municipality is not None else rows
    return int(rows.exists())


metrics.register(Metric("voice.opinions_received", _("ご意見箱の受付件数"), "件", opinions_received,
                        description=_("期間内にご意見箱で受け付けたご意見・ご質問の数"), app="voice"))
metrics.register(Metric("voice.opinion_answer_days", _("ご意見への回答日数（中央値）"), "日", opinion_answer_days,
                        kind=Kind.RATE, description=_("期間内に回答したご意見の、受付から回答までの日数の中央値"),
                        app="voice"))
metrics.register(Metric("voice.opinion_answered_share", _("ご意見の回答率"), "%", opinion_answered_share,
                        kind=Kind.RATE,
                        description=_("期間内に受け付けた、回答を希望するご意見のうち、期間の終わりまでに回答した割合"),
                        app="voice"))
metrics.register(Metric("voice.opinion_corner", _("ホームページのご意見箱の設置"), "箇所", opinion_corner,
                        kind=Kind.STOCK,
                        description=_("ホームページにご意見箱のコーナーがあり、ご意見を受け付けていれば1"),
                        app="voice"))



# --- 通報 -------------------------------------------------------------------------------------------------------------



# --- アンケート ------------------------------------------------------------------------------------------------------

