"""The 翻訳 staff pages: who may open them, a record's texts saved and checked, refusals at 400 with the typing kept,
two staff saving the same record, another town's record."""

from __future__ import annotations

import pytest
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from tests import factories
from yakuba.kernel.words import services
from yakuba.kernel.words.models import MAX_TEXT, State, Translation

pytestmark = pytest.mark.django_db
KIND = "applications.procedure"


@pytest.fixture
def dog(town_a):
    return factories.make_procedure(town_a, slug="dog", department="総務課")


def page(procedure) -> str:
    return f"/t/10382/staff/words/{KIND}/{procedure.pk}/"


def fields(procedure, **typed):
    """The whole form as the page posts it (every text, both languages, revisions as shown), with `typed`."""
    with scope(municipality=procedure.municipality):
        record = services.registry.record(KIND, str(procedure.pk), procedure.municipality)
        rows = services.rows(KIND, record)
    data = {}
    for row in rows:
        for language, saved in (("en", row.english), ("easy", row.easy)):
            name = f"{language}-{row.text.field}"
            data[name] = saved.text if saved else ""
            data[f"rev-{name}"] = str(saved.revision if saved else 0)
    return {**data, **typed}


def test_list_shows_own_department_records_and_missing_filter(town_a, staff_a, staff_a_other, admin_a, dog):
    other = factories.make_procedure(town_a, slug="tax", title="住民税の申告", department="住民課")
    mine = factories.staff_client(staff_a).get("/t/10382/staff/words/").content.decode()
    assert "犬の登録" in mine and "住民税の申告" not in mine
    assert "住民税の申告" in factories.staff_client(admin_a).get("/t/10382/staff/words/").content.decode()
    assert factories.staff_client(staff_a_other).get(page(dog)).status_code == 403
    assert factories.staff_client(staff_a_other).get(page(other)).status_code == 200
    with scope(municipality=town_a):
        record = services.registry.record(KIND, str(dog.pk), town_a)
        entries = [services.Entry(t.field, "en", f"EN {t.field}") for t in record.texts]
        services.save_record(municipality=town_a, staff=admin_a, kind=KIND, key=str(dog.pk), entries=entries,
                             check=True)
    missing = factories.staff_client(admin_a).get("/t/10382/staff/words/?missing=1").content.decode()
    assert "住民税の申告" in missing and "犬の登録" not in missing


def test_save_then_check_and_publish(town_a, staff_a, dog):
    client = factories.staff_client(staff_a)
    body = client.get(page(dog)).content.decode()
    assert "犬の名前" in body and "確認して公開" in body and "未翻訳" in body
    assert "AIで下書き" not in body  # no AI endpoint configured: not offered
    response = client.post(page(dog), fields(dog, **{"en-title": "Dog licence", "action": "save"}))
    assert response.status_code == 302
    with scope(municipality=town_a):
        assert Translation.objects.get(field="title").state == State.DRAFT
    response = client.post(page(dog), fields(dog, action="check"))
    assert response.status_code == 302
    with scope(municipality=town_a):
        row = Translation.objects.get(field="title")
        assert (row.state, row.checked_by) == (State.CHECKED, staff_a.user)
    assert "確認済み" in client.get(page(dog)).content.decode()


def test_refusals_keep_the_typing(town_a, staff_a, dog):
    client = factories.staff_client(staff_a)
    typed = fields(dog, **{"en-title": "x" * (MAX_TEXT + 1), "en-form.dog_name.label": "<script>alert(1)</script>",
                           "action": "check"})
    response = client.post(page(dog), typed)
    assert response.status_code == 400
    body = response.content.decode()
    assert "error-summary" in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert" not in body
    with scope(municipality=town_a):
        assert not Translation.objects.exists()


def test_second_staff_saving_the_same_text_is_told_and_keeps_their_typing(town_a, staff_a, admin_a, dog):
    first, second = factories.staff_client(staff_a), factories.staff_client(admin_a)
    seen = fields(dog)  # both opened the page before anyone saved
    assert first.post(page(dog), {**seen, "en-title": "Dog licence", "action": "save"}).status_code == 302
    response = second.post(page(dog), {**seen, "en-title": "Registering your dog", "action": "check"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "ほかの職員が同じ翻訳を先に保存しました" in body
    assert "Registering your dog" in body and "Dog licence" in body  # theirs kept, the other's shown
    with scope(municipality=town_a):
        assert Translation.objects.get(field="title").text == "Dog licence"
    # Sending again from the page as now shown (its revisions) saves deliberately.
    again = second.post(page(dog), fields(dog, **{"en-title": "Registering your dog", "action": "check"}))
    assert again.status_code == 302


def test_another_towns_record_is_not_found(town_a, town_b, admin_a, dog):
    theirs = factories.make_procedure(town_b, slug="kanra-dog", department="総務課")
    client = factories.staff_client(admin_a)
    assert client.get(f"/t/10382/staff/words/{KIND}/{theirs.pk}/").status_code == 404
    assert client.post(f"/t/10382/staff/words/{KIND}/{theirs.pk}/", {"en-title": "X"}).status_code == 404
    assert client.get(f"/t/10382/staff/words/no.such.kind/{dog.pk}/").status_code == 404


def test_list_costs_few_queries(town_a, admin_a, dog):
    from django.db import connection

    for n in range(5):
        factories.make_procedure(town_a, slug=f"p{n}", department="総務課")
    client = factories.staff_client(admin_a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/t/10382/staff/words/").status_code == 200
    assert len(queries) < 60
