"""On PostgreSQL, at the same moment: two staff answer the same opinion from the same page — one answer is kept,
the other is refused (and its view keeps the typing); two residents sending at once get two 受付番号."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django_scopes import scope

from tests.support.race import race
from tests.voice.opinions_support import cast, send
from yakuba.voice.models import Opinion
from yakuba.voice.services import opinions as services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")


def test_two_answers_at_once_keep_one(town_a):
    people = cast(town_a)
    opinion = send(people)
    outcomes = race(town_a, [
        lambda: services.answer(people.clerk, opinion.pk, "企画課の回答", revision=opinion.revision),
        lambda: services.answer(people.admin, opinion.pk, "情報担当の回答", revision=opinion.revision)])
    assert outcomes == Counter({"ok": 1, "Refused": 1})
    with scope(municipality=town_a):
        kept = Opinion.objects.get(pk=opinion.pk)
    assert kept.revision == opinion.revision + 1 and kept.answer in {"企画課の回答", "情報担当の回答"}


def test_sending_at_once_gives_distinct_numbers(town_a):
    people = cast(town_a)
    category = people.category().pk
    outcomes = race(town_a, [lambda: services.send(town_a, services.Sending(category, "同時の意見", consented=True))]
                    * 4)
    assert outcomes == Counter({"ok": 4})
    with scope(municipality=town_a):
        numbers = list(Opinion.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 4
