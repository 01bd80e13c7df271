"""The figures of 住民の声 a plan's indicators can be bound to (kernel.metrics)."""

from __future__ import annotations

# --- ご意見箱 ---------------------------------------------------------------------------------------------------------
# --- 通報 -------------------------------------------------------------------------------------------------------------
# --- アンケート ------------------------------------------------------------------------------------------------------
from collections.abc import Callable  # noqa: E402
from datetime import date  # noqa: E402

from django.db.models import Count  # noqa: E402
from django.utils.text import format_lazy  # noqa: E402
from django.utils.translation import gettext_lazy  # noqa: E402
from django_scopes import get_scope  # noqa: E402

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
