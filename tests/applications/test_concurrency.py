"""On PostgreSQL, racing requests cannot break the invariants: one filing per click, unique 受付番号, one draft."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection, transaction
from django_scopes import scope

from tests import factories
from tests.support.race import race
from yakuba.applications import services
from yakuba.applications.models import Status, Submission, SubmissionEvent
from yakuba.kernel.ui import once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RACERS = 8


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")


def filled_draft(procedure, resident):
    with scope(municipality=procedure.municipality):
        draft = services.start_draft(procedure, resident)
        draft.answers.update(factories.SIMPLE_ANSWERS)
        draft.save()
    return draft


def once_per_click(token, action):
    """What a view does (kernel.ui.actions): the click's token is used in the same transaction as the action."""
    def run():
        with transaction.atomic():
            once.consume_token(token)
            action()
    return run


def test_one_click_submitted_many_times_at_once_files_once(town_a, resident_a):
    draft = filled_draft(factories.make_procedure(town_a, slug="dog"), resident_a)
    token = once.new_token()
    outcomes = race(town_a, [once_per_click(token, lambda: services.submit(draft, actor=resident_a.user))] * RACERS)
    assert outcomes == Counter({"ok": 1, "AlreadySubmitted": RACERS - 1})
    with scope(municipality=town_a):
        draft.refresh_from_db()
        assert draft.status == Status.RECEIVED and draft.reference
        assert SubmissionEvent.objects.filter(submission=draft, to_status=Status.RECEIVED).count() == 1


def test_simultaneous_submissions_get_distinct_consecutive_references(town_a):
    procedure = factories.make_procedure(town_a, slug="dog")
    drafts = [filled_draft(procedure, factories.make_resident(town_a)) for _ in range(RACERS)]
    outcomes = race(town_a, [lambda d=d: services.submit(d, actor=None) for d in drafts])
    assert outcomes == Counter({"ok": RACERS})
    with scope(municipality=town_a):
        numbers = sorted(int(r.split("-")[1]) for r in Submission.objects.values_list("reference", flat=True))
    assert numbers == list(range(1, RACERS + 1))


def test_starting_the_same_procedure_twice_at_once_makes_one_draft(town_a, resident_a):
    procedure = factories.make_procedure(town_a, slug="dog")
    outcomes = race(town_a, [lambda: services.start_draft(procedure, resident_a)] * RACERS)
    assert outcomes == Counter({"ok": RACERS})
    with scope(municipality=town_a):
        assert Submission.objects.filter(resident=resident_a, status=Status.DRAFT).count() == 1


def test_a_counter_visit_confirmed_many_times_at_once_files_its_bundle_once(town_a, staff_a, resident_a):
    procedures = [factories.make_procedure(town_a, slug=f"p{i}") for i in range(3)]
    with scope(municipality=town_a):
        visit = services.start_visit(resident_a, procedures, staff=staff_a)
        services.save_visit_page(visit, 0, {"dog_name": "ポチ", "breed": "shiba"})
        services.record_identity_check(visit, "mynumber_card", staff=staff_a)
    token = once.new_token()
    outcomes = race(town_a, [once_per_click(token, lambda: services.file_visit(visit, staff=staff_a))] * RACERS)
    assert outcomes == Counter({"ok": 1, "AlreadySubmitted": RACERS - 1})
    with scope(municipality=town_a):
        assert Submission.objects.filter(counter_visit=visit).count() == 3
