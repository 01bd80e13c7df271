"""ご意見箱 in the demo: the categories in every town; in 下仁田町 a dozen opinions in every state, two published as
よくある質問 (one about DX) that the assistant can cite; loading twice changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from yakuba.kernel.tenancy.models import Municipality
from yakuba.voice.models import Opinion, OpinionCategory, OpinionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_for_module):
    """The demo, loaded once for this module (tests/conftest.py); each test's changes are undone."""


def _snapshot():
    with scopes_disabled():
        return (sorted(OpinionCategory.objects.values_list("municipality_id", "name", "department_id")),
                sorted(Opinion.objects.values_list("municipality_id", "number", "status", "published_at")))


def test_every_town_has_the_categories_and_shimonita_the_opinions(demo):
    with scopes_disabled():
        for town in Municipality.objects.all():
            assert OpinionCategory.objects.filter(municipality=town).count() == 6, town.name
    shimonita = Municipality.objects.get(code="103829")
    with scope(municipality=shimonita):
        opinions = Opinion.objects.all()
        assert opinions.count() == 12
        assert {o.status for o in opinions} == set(OpinionStatus.values)
        published = opinions.filter(published_at__isnull=False)
        assert published.count() == 2 and published.filter(category__name="DX・デジタル化について").exists()
        for opinion in published:
            assert "090-" not in opinion.faq_question and "山田" not in opinion.faq_question
        assert opinions.filter(status=OpinionStatus.NEW, department__name="企画課").exists()


def test_loading_twice_changes_nothing(demo):
    first = _snapshot()
    call_command("demo", "--quiet")
    assert _snapshot() == first
