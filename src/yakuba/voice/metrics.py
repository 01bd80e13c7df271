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
from collections.abc import Callable  # noqa: E402

from django.db.models import Count  # noqa: E402
from django.utils.text import format_lazy  # noqa: E402
from django.utils.translation import gettext_lazy  # noqa: E402

from yakuba.kernel import metrics as kernel_metrics  # noqa: E402

from .models.surveys import AGE_BANDS, Channel, SurveyAnswer  # noqa: E402


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
    return kernel_metrics.share(counts.get(Channel.ONLINE, 0), sum(counts.values()))


def _band_answers(band: str) -> Callable[[date, date], int]:
    def compute(start: date, end: date) -> int:
        rows = SurveyAnswer.objects.filter(answered_on__gte=start, answered_on__lt=end, age_band=band)
        municipality = get_scope().get("municipality")
        return (rows.filter(municipality=municipality) if municipality is not None else rows).count()
    return compute


kernel_metrics.register(kernel_metrics.Metric(
    "voice.survey_responses", gettext_lazy("アンケートの回答数"), "件", survey_responses, app="voice",
    description=gettext_lazy("オンラインと紙（職員が入力）の回答の合計。")))
kernel_metrics.register(kernel_metrics.Metric(
    "voice.survey_online_share", gettext_lazy("アンケートのオンライン回答の割合"), "%", survey_online_share,
    kind=kernel_metrics.Kind.RATE, app="voice",
    description=gettext_lazy("アンケートの回答のうち、オンラインで答えられたものの割合（紙の回答は職員が入力）。")))
for _band, _label in AGE_BANDS:
    kernel_metrics.register(kernel_metrics.Metric(
        f"voice.survey_responses_age_{_band}",
        format_lazy("{}（{}）", gettext_lazy("アンケートの回答数"), gettext_lazy(_label)), "件",
        _band_answers(_band), app="voice"))
