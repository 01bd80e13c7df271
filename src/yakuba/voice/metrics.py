"""The figures of 住民の声 a plan's indicators can be bound to (kernel.metrics)."""

from __future__ import annotations

import functools
import statistics
from collections.abc import Callable
from datetime import date
from statistics import median
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_scopes import get_scope

from yakuba.kernel import metrics
from yakuba.kernel.metrics import Kind, Metric

from .models import Report, ReportStatus
from .models.opinions import Opinion, OpinionCategory, OpinionStatus
from .models.surveys import AGE_BANDS, Channel, SurveyAnswer

# --- ご意見箱 ---------------------------------------------------------------------------------------------------------
# 000's DXご意見箱 (KPI: ホームページへのコーナー設置) and 003's 広報広聴DX: the corner exists (1 once the town takes
# opinions through it), how many opinions came, how many were answered and how fast.


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


ANSWER_DAYS = 7  # 「7日以内に対応済」: the share the plans can bind


def _reports(rows: Any = None) -> Any:
    rows = Report.objects.all() if rows is None else rows
    municipality = get_scope().get("municipality")
    return rows.filter(municipality=municipality) if municipality is not None else rows


def reports_received(start: date, end: date, code: str = "") -> int:
    """Reports received in [start, end) (duplicates included: each is a resident who reported)."""
    first, last = metrics.moments(start, end)
    rows = _reports().filter(created_at__gte=first, created_at__lt=last)
    return int((rows.filter(category__code=code) if code else rows).count())


def reports_via_open311(start: date, end: date) -> int:
    first, last = metrics.moments(start, end)
    return int(_reports().filter(created_at__gte=first, created_at__lt=last, client__isnull=False).count())


def _closed(start: date, end: date) -> list[float]:
    first, last = metrics.moments(start, end)
    rows = _reports().filter(status=ReportStatus.DONE, closed_at__gte=first, closed_at__lt=last).values_list(
        "closed_at", "created_at")
    return [(closed - created).total_seconds() / 86400 for closed, created in rows]


def days_to_done(start: date, end: date) -> float | None:
    """Median days from a report to 対応済, over reports closed in [start, end)."""
    days = _closed(start, end)
    return statistics.median(days) if days else None


def answered_within(start: date, end: date) -> float | None:
    """Share (%) of the reports closed in [start, end) that were closed within ANSWER_DAYS days."""
    days = _closed(start, end)
    return metrics.share(sum(1 for d in days if d <= ANSWER_DAYS), len(days))


def open_reports(start: date, end: date) -> int:
    """Reports not yet 対応済 at the window's end (duplicates left out)."""
    _first, last = metrics.moments(start, end)
    rows = _reports().filter(created_at__lt=last, duplicate_of__isnull=True)
    return int(rows.exclude(status=ReportStatus.DONE, closed_at__lt=last).count())


metrics.register(metrics.Metric("voice.reports_received", _("通報の受付件数"), "件", reports_received,
                                  description=_("住民やOpen311のアプリから受け付けた通報の件数"), app="voice"))
metrics.register(metrics.Metric("voice.reports_via_open311", _("Open311 で受け付けた通報の件数"), "件",
                                  reports_via_open311, app="voice"))
for _code, _label in (
        ("road", _("通報の受付件数（道路の損傷）")), ("streetlight", _("通報の受付件数（街路灯）")),
        ("fallen_tree", _("通報の受付件数（倒木）")), ("dumping", _("通報の受付件数（不法投棄）")),
        ("wildlife", _("通報の受付件数（獣害）")), ("playground", _("通報の受付件数（公園遊具）"))):
    metrics.register(metrics.Metric(
        f"voice.reports_received.{_code}", _label, "件",
        functools.partial(reports_received, code=_code), app="voice"))
metrics.register(metrics.Metric("voice.reports_days_to_done", _("通報から対応済までの日数（中央値）"), "日",
                                  days_to_done, kind=metrics.Kind.RATE, app="voice",
                                  description=_("対応済にした通報について、受付から対応済までの日数の中央値")))
metrics.register(metrics.Metric("voice.reports_done_within_7_days", _("7日以内に対応済にした通報の割合"), "%",
                                  answered_within, kind=metrics.Kind.RATE, app="voice"))
metrics.register(metrics.Metric("voice.reports_open", _("未対応・対応中の通報の件数"), "件", open_reports,
                                  kind=metrics.Kind.STOCK, app="voice"))


# --- アンケート ------------------------------------------------------------------------------------------------------


def _survey_answers(start: date, end: date) -> dict[str, int]:
    """Answers per channel with their date in [start, end) (answers keep their date only)."""
    rows = SurveyAnswer.objects.filter(answered_on__gte=start, answered_on__lt=end)
    municipality = get_scope().get("municipality")
    if municipality is not None:
        rows = rows.filter(municipality=municipality)
    return dict(rows.values_list("channel").annotate(n=Count("id")).order_by())


def survey_responses(start: date, end: date) -> int:
    return sum(_survey_answers(start, end).values())


def survey_online_share(start: date, end: date) -> float | None:
    """オンライン回答の割合: 003's 町民意識調査 had 101 of 706 (14.3 %)."""
    counts = _survey_answers(start, end)
    return metrics.share(counts.get(Channel.ONLINE, 0), sum(counts.values()))


def _band_answers(band: str) -> Callable[[date, date], int]:
    def compute(start: date, end: date) -> int:
        rows = SurveyAnswer.objects.filter(answered_on__gte=start, answered_on__lt=end, age_band=band)
        municipality = get_scope().get("municipality")
        return (rows.filter(municipality=municipality) if municipality is not None else rows).count()
    return compute


metrics.register(metrics.Metric(
    "voice.survey_responses", _("アンケートの回答数"), "件", survey_responses, app="voice",
    description=_("オンラインと紙（職員が入力）の回答の合計。")))
metrics.register(metrics.Metric(
    "voice.survey_online_share", _("アンケートのオンライン回答の割合"), "%", survey_online_share,
    kind=metrics.Kind.RATE, app="voice",
    description=_("アンケートの回答のうち、オンラインで答えられたものの割合（紙の回答は職員が入力）。")))
for _band, _band_label in AGE_BANDS:
    metrics.register(metrics.Metric(
        f"voice.survey_responses_age_{_band}",
        format_lazy("{}（{}）", _("アンケートの回答数"), _(_band_label)), "件",
        _band_answers(_band), app="voice"))
