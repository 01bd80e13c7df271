"""Saving, checking and the stale state of translations; optimistic revisions; towns kept apart."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django_scopes import scope, scopes_disabled

from tests import factories
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.kernel.words import services
from yakuba.kernel.words.models import MAX_TEXT, State, Translation

KIND = "applications.procedure"


@pytest.fixture
def dog(town_a):
    return factories.make_procedure(town_a, slug="dog")


def save(town, staff, procedure, *entries, check=False):
    with scope(municipality=town):
        return services.save_record(municipality=town, staff=staff, kind=KIND, key=str(procedure.pk),
                                    entries=list(entries), check=check)


def test_save_draft_then_check_audited(town_a, staff_a, dog):
    assert save(town_a, staff_a, dog, services.Entry("title", "en", "Dog licence")) == 1
    with scope(municipality=town_a):
        row = Translation.objects.get(kind=KIND, key=str(dog.pk), field="title", language="en")
        assert (row.state, row.revision, row.source, row.checked_by) == (State.DRAFT, 1, "犬の登録", None)
    save(town_a, staff_a, dog, services.Entry("title", "en", "Dog licence", 1), check=True)
    with scope(municipality=town_a):
        row.refresh_from_db()
        assert (row.state, row.revision, row.checked_by) == (State.CHECKED, 2, staff_a.user)
    with scopes_disabled():
        actions = list(AuditEntry.objects.filter(municipality=town_a, action="words.translation.saved")
                       .values_list("data__checked", flat=True))
    assert sorted(actions) == [False, True]


def test_stale_when_the_japanese_changes(town_a, staff_a, dog):
    save(town_a, staff_a, dog, services.Entry("title", "en", "Dog licence"), check=True)
    dog.title = "犬の登録申請"
    with scope(municipality=town_a):
        dog.save()
        record = services.registry.record(KIND, str(dog.pk), town_a)
        [row] = [r for r in services.rows(KIND, record) if r.text.field == "title"]
    assert row.state("en") == "stale"
    assert row.state("easy") == "missing"


def test_second_save_of_the_same_text_is_told_and_nothing_saved(town_a, staff_a, dog):
    save(town_a, staff_a, dog, services.Entry("title", "en", "Dog licence"))
    save(town_a, staff_a, dog, services.Entry("title", "en", "Dog registration", 1))
    with pytest.raises(services.Conflict) as caught:
        save(town_a, staff_a, dog, services.Entry("title", "en", "Registering a dog", 1),
             services.Entry("form.dog_name.label", "en", "Name of the dog", 0))
    assert caught.value.fields == ["en-title"]
    with scope(municipality=town_a):
        assert list(Translation.objects.values_list("text", flat=True)) == ["Dog registration"]


def test_too_long_and_markup_and_other_department(town_a, staff_a, staff_a_other, dog):
    with pytest.raises(Refused) as caught:
        save(town_a, staff_a, dog, services.Entry("title", "en", "x" * (MAX_TEXT + 1)))
    assert "en-title" in caught.value.errors
    save(town_a, staff_a, dog, services.Entry("title", "en", "<script>alert(1)</script>\x00Dog"))
    with scope(municipality=town_a):
        assert Translation.objects.get().text == "<script>alert(1)</script>Dog"  # plain text, escaped on output
    with pytest.raises(Refused):
        save(town_a, staff_a_other, dog, services.Entry("title", "en", "Dog"))
    with pytest.raises(Refused):
        save(town_a, staff_a, dog, services.Entry("no.such.field", "en", "Dog"))


def test_emptied_text_is_removed(town_a, staff_a, dog):
    save(town_a, staff_a, dog, services.Entry("title", "en", "Dog licence"))
    assert save(town_a, staff_a, dog, services.Entry("title", "en", "  ", 1)) == 1
    with scope(municipality=town_a):
        assert not Translation.objects.exists()


def test_one_translation_per_text_in_the_database(town_a, dog):
    with scope(municipality=town_a):
        Translation.objects.create(municipality=town_a, kind=KIND, key="1", field="title", language="en",
                                   text="A", source="あ")
        with pytest.raises(IntegrityError), transaction.atomic():
            Translation.objects.create(municipality=town_a, kind=KIND, key="1", field="title", language="en",
                                       text="B", source="あ")


def test_towns_apart(town_a, town_b, staff_a, staff_b, dog):
    save(town_a, staff_a, dog, services.Entry("title", "en", "Dog licence"))
    with scope(municipality=town_b):
        assert not Translation.objects.exists()
        # town B's staff cannot reach town A's procedure: it is not among town B's records
        with pytest.raises(Refused):
            services.save_record(municipality=town_b, staff=staff_b, kind=KIND, key=str(dog.pk),
                                 entries=[services.Entry("title", "en", "X")], check=True)


@pytest.mark.django_db(transaction=True)
def test_two_staff_saving_at_once_one_is_told(town_a, staff_a, admin_a):
    """Both start from no translation (revision 0): one saves, the other is told, whichever is second."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    dog = factories.make_procedure(town_a, slug="dog")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save_as(staff, text):
        try:
            barrier.wait()
            save(town_a, staff, dog, services.Entry("title", "en", text))
            outcomes.append("saved")
        except services.Conflict:
            outcomes.append("told")
        finally:
            connection.close()

    threads = [threading.Thread(target=save_as, args=(who, text))
               for who, text in ((staff_a, "Dog licence"), (admin_a, "Registering a dog"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["saved", "told"]
    with scope(municipality=town_a):
        assert Translation.objects.get().revision == 1
