"""The demo translations: 児童手当 wholly in English in every demo town, 下仁田町's facilities and rooms in English,
some やさしい日本語, one machine draft left unchecked; loading twice changes nothing; a resident in English reads the
demo 児童手当 form in English."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scope

from yakuba.applications.models import Procedure
from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.words import metrics, registry, services
from yakuba.kernel.words.models import State, Translation

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_for_module):
    """The demo, loaded once for this module (tests/conftest.py); each test's changes are undone."""


def _states(town: Municipality, kind: str, key: str) -> set[str]:
    with scope(municipality=town):
        record = registry.record(kind, key, town)
        assert record is not None
        return {row.state("en") for row in services.rows(kind, record)}


def test_child_allowance_wholly_in_english_in_every_town(demo):
    for town in Municipality.objects.all():
        with scope(municipality=town):
            child = Procedure.objects.filter(slug="jidou-teate").first()
            if child is None:
                continue
        # every text of the procedure and its form, checked and current
        assert _states(town, "applications.procedure", str(child.pk)) == {"checked"}, town.name


def test_shimonita_facilities_easy_and_a_draft(demo):
    shimonita = Municipality.objects.get(name="下仁田町")
    with scope(municipality=shimonita):
        facilities = registry.records("reservations.facility", shimonita)
        assert facilities and all(_states(shimonita, "reservations.facility", f.key) == {"checked"}
                                  for f in facilities)
        assert Translation.objects.filter(language="easy", state=State.CHECKED).count() >= 5
        draft = Translation.objects.get(kind="applications.procedure", state=State.DRAFT)
        assert draft.machine and draft.field == "title"
        share = metrics.tally(shimonita)
        assert 0 < share.english < share.texts and 0 < share.easy < share.english


def test_english_reader_sees_the_demo_child_allowance_form(demo):
    shimonita = Municipality.objects.get(name="下仁田町")
    client = Client()
    client.cookies["yakuba_language"] = "en"
    body = client.get(f"{shimonita.path_prefix}/procedures/jidou-teate/").content.decode()
    assert "<h1>Child Allowance: application for approval</h1>" in body
    facility = client.get(f"{shimonita.path_prefix}/reservations/").content.decode()
    assert "Shimonita Community Centre" in facility and "Meeting Room 1" in facility
