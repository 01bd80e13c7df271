"""Figures the DX plans measure (plan 000: 窓口入力支援 月平均10回以上; online share of procedures and submissions).

Read inside the town's scope. The plans app binds indicators to these functions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from yakuba.kernel import metrics
from yakuba.kernel.accounts.models import Department
from yakuba.kernel.metrics import Kind, Metric

from .models import Channel, CounterVisit, IdentityDocument, Procedure, Status, Submission


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


# The registry the plans bind indicators to ---------------------------------------------------------------------


def _online_procedures(start: date, end: date) -> float | None:
    """Of the procedures that existed at `end`, the share residents can apply for online (as it stands now: a
    procedure's publication history is not kept)."""
    _, until = metrics.moments(start, end)
    procedures = Procedure.objects.filter(created_at__lt=until)
    return metrics.share(sum(1 for p in procedures if p.online), procedures.count())


def _departments_online(start: date, end: date) -> float | None:
    """Share of the town's departments (課) with at least one procedure residents can apply for online."""
    _, until = metrics.moments(start, end)
    online = {p.department_id for p in Procedure.objects.filter(created_at__lt=until) if p.online}
    return metrics.share(len(online), Department.objects.count())


def _filed(start: date, end: date) -> QuerySet[Submission]:
    since, until = metrics.moments(start, end)
    return Submission.objects.exclude(status=Status.DRAFT).filter(submitted_at__gte=since, submitted_at__lt=until)


def _finished_visits(start: date, end: date) -> QuerySet[CounterVisit]:
    since, until = metrics.moments(start, end)
    return CounterVisit.objects.filter(finished_at__gte=since, finished_at__lt=until)


metrics.register(Metric("applications.online_procedures", _("電子申請できる手続の割合"), "%", _online_procedures,
                        kind=Kind.STOCK, app="applications"))
metrics.register(Metric("applications.departments_online", _("電子申請の手続を持つ課の割合"), "%",
                        _departments_online, kind=Kind.STOCK, app="applications"))
metrics.register(Metric("applications.submissions", _("受け付けた申請の件数"), "件",
                        lambda start, end: _filed(start, end).count(), app="applications"))
metrics.register(Metric("applications.online_submissions", _("オンラインで受け付けた申請の割合"), "%",
                        lambda start, end: metrics.share(_filed(start, end).filter(channel=Channel.ONLINE).count(),
                                                         _filed(start, end).count()),
                        kind=Kind.RATE, app="applications"))
metrics.register(Metric("applications.counter_visits", _("書かない窓口の利用回数"), "回",
                        lambda start, end: _finished_visits(start, end).count(), app="applications"))
metrics.register(Metric("applications.counter_visits_per_month", _("書かない窓口の月平均利用回数"), "回/月",
                        lambda start, end: _finished_visits(start, end).count() / len(metrics.months(start, end)),
                        kind=Kind.RATE, app="applications"))


def _mynumber_card_checks(start: date, end: date) -> float | None:
    """マイナンバーカードの利活用: of counter visits filed with a recorded 本人確認, the share checked by the card."""
    checked = _finished_visits(start, end).exclude(identity_document="")
    return metrics.share(checked.filter(identity_document=IdentityDocument.MYNUMBER_CARD).count(), checked.count())


metrics.register(Metric("applications.counter_mynumber_card",
                        _("書かない窓口でマイナンバーカードにより本人確認した割合"), "%", _mynumber_card_checks,
                        kind=Kind.RATE, app="applications"))
