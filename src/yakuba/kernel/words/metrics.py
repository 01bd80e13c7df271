"""英語で読める割合 and やさしい日本語で読める割合: of the texts residents read (every registered source and counts
provider), the share with a checked translation whose Japanese is still the town's Japanese."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _
from django_scopes import get_scope

from yakuba.kernel import metrics
from yakuba.kernel.tenancy.models import Municipality

from . import registry
from .models import Language, State, Translation


def tally(municipality: Municipality) -> registry.Tally:
    """Texts residents read now, and how many have a current checked English / やさしい日本語 version."""
    texts = english = easy = 0
    for source in registry.sources():
        found = {(t.key, t.field, t.language): t.source for t in
                 Translation.objects.filter(kind=source.kind, state=State.CHECKED)}
        for item in source.records(municipality):
            for text in item.texts:
                texts += 1
                english += found.get((item.key, text.field, Language.ENGLISH)) == text.japanese
                easy += found.get((item.key, text.field, Language.EASY)) == text.japanese
    for provider in registry.counts_providers():
        counted = provider.tally(municipality)
        texts, english, easy = texts + counted.texts, english + counted.english, easy + counted.easy
    return registry.Tally(texts, english, easy)


def _town() -> Municipality | None:
    town = get_scope().get("municipality")
    if isinstance(town, Municipality):
        return town
    return Municipality.objects.filter(pk=town).first() if isinstance(town, int) else None


def english_share(start: date, end: date) -> float | None:
    town = _town()
    if town is None:
        return None
    counted = tally(town)
    return metrics.share(counted.english, counted.texts)


def easy_share(start: date, end: date) -> float | None:
    town = _town()
    if town is None:
        return None
    counted = tally(town)
    return metrics.share(counted.easy, counted.texts)


metrics.register(metrics.Metric(
    "words.english_share", _("英語で読める割合"), "%", english_share, kind=metrics.Kind.STOCK, app="words",
    description=_("住民が読む町の文章（手続名・様式の項目・施設名など）のうち、確認済みの英語版がある割合（今の値）")))
metrics.register(metrics.Metric(
    "words.easy_share", _("やさしい日本語で読める割合"), "%", easy_share, kind=metrics.Kind.STOCK, app="words",
    description=_("住民が読む町の文章のうち、確認済みのやさしい日本語版がある割合（今の値）")))

