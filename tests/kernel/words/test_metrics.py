"""英語で読める割合 and やさしい日本語で読める割合: checked, current translations over every registered resident text,
sources and counts providers alike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope

from tests import factories
from yakuba.kernel import metrics as kernel_metrics
from yakuba.kernel.words import metrics, registry, services
from yakuba.kernel.words.services import Entry

pytestmark = pytest.mark.django_db
KIND = "applications.procedure"


def test_shares_count_checked_current_translations(town_a, admin_a):
    dog = factories.make_procedure(town_a, slug="dog")
    with scope(municipality=town_a):
        before = metrics.tally(town_a)
        services.save_record(municipality=town_a, staff=admin_a, kind=KIND, key=str(dog.pk), check=True,
                             entries=[Entry("title", "en", "Dog licence"), Entry("form.dog_name.label", "en", "Name"),
                                      Entry("title", "easy", "いぬの とどけ")])
        services.save_record(municipality=town_a, staff=admin_a, kind=KIND, key=str(dog.pk), check=False,
                             entries=[Entry("form.breed.label", "en", "Breed")])  # a draft does not count
        after = metrics.tally(town_a)
        assert (after.texts, after.english, after.easy) == (before.texts, before.english + 2, before.easy + 1)
        metric = kernel_metrics.get("words.english_share")
        assert metric is not None and metric.kind == kernel_metrics.Kind.STOCK
        value = metric.value(date(2026, 1, 1), date(2027, 1, 1))
        assert value == round(Decimal(100 * after.english / after.texts), 1)
        dog.title = "犬の登録（変更）"
        dog.save()
        assert metrics.tally(town_a).english == after.english - 1  # its Japanese changed: 要確認, not counted


def test_counts_providers_are_added(town_a, monkeypatch):
    monkeypatch.setattr(registry, "_counts", {})
    monkeypatch.setattr(registry, "_sources", {})
    registry.register_counts(registry.Counts("website.page", "ページ", lambda town: registry.Tally(10, 4, 1)))
    with scope(municipality=town_a):
        assert metrics.tally(town_a) == registry.Tally(10, 4, 1)
        assert kernel_metrics.get("words.easy_share").value(date(2026, 1, 1), date(2027, 1, 1)) == 10
