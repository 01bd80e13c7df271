"""Gapless numbers per town, series and period; concurrent takers on PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, transaction
from django_scopes import scope

from tests.support.race import race
from yakuba.kernel.numbering.services import last, take

pytestmark = pytest.mark.django_db


def test_numbers_count_up_per_series_period_and_town(town_a, town_b):
    with scope(municipality=town_a), transaction.atomic():
        assert [take(town_a, "x.a", 2026) for _ in range(3)] == [1, 2, 3]
        assert take(town_a, "x.a", 2027) == 1  # a new 年度 starts again
        assert take(town_a, "x.b", 2026) == 1
    with scope(municipality=town_b), transaction.atomic():
        assert take(town_b, "x.a", 2026) == 1  # another town has its own series
    with scope(municipality=town_a):
        assert last(town_a, "x.a", 2026) == 3 and last(town_a, "x.none", 2026) == 0


@pytest.fixture
def in_town_a(town_a):
    with scope(municipality=town_a):
        yield town_a


def test_a_rolled_back_transaction_gives_its_number_back(in_town_a):
    with transaction.atomic():
        take(in_town_a, "x.a")
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert take(in_town_a, "x.a") == 2
        1 / 0  # noqa: B018 - the use of the number fails
    with transaction.atomic():
        assert take(in_town_a, "x.a") == 2


@pytest.mark.django_db(transaction=True)
def test_taking_outside_a_transaction_is_a_programming_error(in_town_a):
    with pytest.raises(RuntimeError):
        take(in_town_a, "x.a")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_forty_concurrent_takers_get_forty_different_numbers_with_no_gap(town_a):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    taken: list[int] = []
    lock = threading.Lock()

    def one() -> None:
        with transaction.atomic():
            number = take(town_a, "x.race", 2026)  # the first takers race on creating the counter too
        with lock:
            taken.append(number)

    assert race(town_a, [one] * 40) == Counter({"ok": 40})
    assert sorted(taken) == list(range(1, 41))
    with scope(municipality=town_a):
        assert last(town_a, "x.race", 2026) == 40
