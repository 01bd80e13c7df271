"""On PostgreSQL: a step is decided once however many approve it at the same moment, and 50 concurrent 決裁 of one
課 get the numbers 1..50, unique and without a gap."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db import connection
from django_scopes import scope

from tests.approvals.decide_factories import make_office
from tests.support.race import race
from yakuba.approvals.models import Action, Draft, DraftStatus, Step, StepState
from yakuba.approvals.services import decide

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")


def test_two_approvals_of_one_step_from_two_tabs_one_wins(town_a):
    office = make_office(town_a)
    with scope(municipality=town_a):
        draft = office.sent(500_000)
    outcomes = race(town_a, [lambda: decide.approve(office.chief, Draft.objects.get(pk=draft.pk))] * 2)
    assert outcomes == Counter({"ok": 1, "Refused": 1})
    with scope(municipality=town_a):
        assert Step.objects.filter(draft=draft, state=StepState.APPROVED).count() == 1
        assert Action.objects.filter(draft=draft, kind="approved").count() == 1


def test_approve_and_pull_back_at_once_leave_one_consistent_outcome(town_a):
    office = make_office(town_a)
    with scope(municipality=town_a):
        draft = office.sent(500_000)
    outcomes = race(town_a, [lambda: decide.approve(office.chief, Draft.objects.get(pk=draft.pk)),
                             lambda: decide.pull_back(office.clerk, Draft.objects.get(pk=draft.pk))])
    assert outcomes == Counter({"ok": 1, "Refused": 1})
    with scope(municipality=town_a):
        draft.refresh_from_db()
        approved = Step.objects.filter(draft=draft, state=StepState.APPROVED).exists()
        assert (draft.status == DraftStatus.DRAFT) != approved


def test_fifty_concurrent_decisions_of_one_department_get_1_to_50(town_a):
    office = make_office(town_a)
    with scope(municipality=town_a):
        drafts = []
        for index in range(50):
            draft = office.sent(500_000, title=f"起案{index}")
            decide.approve(office.chief, draft)
            drafts.append(draft.pk)
    outcomes = race(town_a, [lambda pk=pk: decide.approve(office.director, Draft.objects.get(pk=pk))
                             for pk in drafts])
    assert outcomes == Counter({"ok": 50})
    with scope(municipality=town_a):
        numbers = list(Draft.objects.filter(pk__in=drafts).values_list("number", flat=True))
    taken = sorted(int(re.fullmatch(r"下総第(\d+)号", number).group(1)) for number in numbers)
    assert taken == list(range(1, 51))
