"""The demo catalogue: loads idempotently, every form parses and renders, the 転入 bundle shares answers."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tests import factories
from yakuba.applications import services
from yakuba.applications.demo import FORMS_DIR, publish_form
from yakuba.applications.models import (
    Channel,
    FormVersion,
    LifeEvent,
    Procedure,
    Status,
    Submission,
)
from yakuba.kernel.accounts.models import Staff, User
from yakuba.kernel.forms.definition import FormDefinition
from yakuba.kernel.forms.render import render_page
from yakuba.kernel.forms.validate import validate
from yakuba.kernel.tenancy.models import Municipality

pytestmark = pytest.mark.django_db



@pytest.fixture
def demo(demo_for_module):
    """The demo, loaded once for this module (tests/conftest.py); each test's changes are undone."""


def town(name: str) -> Municipality:
    return Municipality.objects.get(name=name)


def test_every_town_offers_at_least_three_procedures_and_shimonita_the_most(demo):
    with scopes_disabled():
        per_town = {m.name: Procedure.objects.filter(municipality=m, is_published=True).count()
                    for m in Municipality.objects.all()}
        assert sum(per_town.values()) >= 8
        assert all(n >= 3 for n in per_town.values()), per_town
        assert max(per_town, key=per_town.__getitem__) == "下仁田町"
        for procedure in Procedure.objects.select_related("current_form", "department", "category"):
            assert procedure.online and procedure.category is not None
            assert procedure.summary and procedure.keywords and procedure.department.municipality_id == (
                procedure.municipality_id)


def test_every_definition_parses_and_every_page_renders(demo):
    with scopes_disabled():
        versions = list(FormVersion.objects.all())
    assert versions
    for version in versions:
        form = FormDefinition.from_dict(version.definition)
        for page in range(len(form.pages)):
            html = render_page(form, {}, {}, page=page)
            assert form.pages[page].fields[0].label in html


def test_form_files_are_in_the_import_format():
    for path in sorted(FORMS_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert FormDefinition.from_dict(data).to_dict() == data, path.name


def test_shimonita_moving_in_bundle_shares_the_applicant_fields(demo):
    shimonita = town("下仁田町")
    with scope(municipality=shimonita):
        event = LifeEvent.objects.get(slug="moving-in")
        entries = list(event.entries.select_related("procedure__current_form"))
        assert [e.procedure.slug for e in entries] == ["kokuho-kanyu", "jidou-teate", "inu-henkou"]
        assert all(e.note for e in entries)
        combined = services.combine_forms([e.procedure for e in entries])
        assert len(combined.shared) >= 4
        assert {"applicant_name", "applicant_kana", "birthdate", "address", "move_in_date"} <= combined.shared
        for page in range(len(combined.form.pages)):
            render_page(combined.form, {}, page=page)


def test_samples_cover_the_workflow_and_validate_against_their_version(demo):
    for name in ("下仁田町", "甘楽町"):
        municipality = town(name)
        with scope(municipality=municipality):
            submissions = list(Submission.objects.select_related("form_version"))
            statuses = {s.status for s in submissions}
            assert {Status.RECEIVED, Status.REVIEWING, Status.CORRECTION, Status.COMPLETED} <= statuses
            assert any(s.channel == Channel.COUNTER for s in submissions)
            for submission in submissions:
                assert submission.reference and submission.status != Status.DRAFT
                result = validate(submission.form_version.form, submission.answers)
                assert result.is_valid, (submission.procedure.slug, result.errors)
            correction = next(s for s in submissions if s.status == Status.CORRECTION)
            assert correction.correction_fields
            assert correction.events.filter(kind="status", to_status=Status.CORRECTION).exclude(text="").exists()
    with scope(municipality=town("中之条町")):
        assert not Submission.objects.exists()


def test_a_changed_definition_becomes_a_new_published_version(demo):
    shimonita = town("下仁田町")
    with scope(municipality=shimonita):
        procedure = Procedure.objects.get(slug="inu-touroku")
        old = procedure.current_form
        frozen = dict(old.definition)
        data = {**old.definition, "title": "犬の登録申請（改訂）"}
        assert publish_form(procedure, data) is not None
        procedure.refresh_from_db()
        old.refresh_from_db()
        assert old.definition == frozen and old.published_at is not None
        assert procedure.current_form.version == old.version + 1
        assert procedure.current_form.form.title == "犬の登録申請（改訂）"
        assert publish_form(procedure, data) is None  # the same again: nothing new


def test_a_field_name_means_the_same_type_in_every_demo_form():
    """Bundles share answers by name and type, so a name reused with another type would silently not be shared."""
    types: dict[str, set[str]] = {}
    for path in FORMS_DIR.glob("*.json"):
        for field in FormDefinition.from_dict(json.loads(path.read_text(encoding="utf-8"))).all_fields():
            types.setdefault(field.name, set()).add(field.type)
    assert {name: kinds for name, kinds in types.items() if len(kinds) > 1} == {}
    assert types["applicant_name"] == {"name"} and types["move_in_date"] == {"date"}


@pytest.mark.parametrize("query", ["じどう", "ジドウ", "児童手当"])
def test_keywords_find_a_procedure_in_hiragana_katakana_or_kanji(demo, query):
    with scope(municipality=town("下仁田町")):
        assert "jidou-teate" in {p.slug for p in services.catalogue(query=query)}


def test_a_demo_resident_can_open_every_page_of_every_shimonita_form(demo, client):
    shimonita = town("下仁田町")
    prefix = shimonita.path_prefix
    client.force_login(User.objects.get(email="resident2@shimonita.demo"))
    assert client.get(f"{prefix}{reverse('applications:catalogue')}").status_code == 200
    assert client.get(f"{prefix}{reverse('applications:life-event', args=['moving-in'])}").status_code == 200
    with scope(municipality=shimonita):
        procedures = list(Procedure.objects.select_related("current_form"))
    for procedure in procedures:
        assert client.get(f"{prefix}{reverse('applications:procedure', args=[procedure.slug])}").status_code == 200
        response = client.post(f"{prefix}{reverse('applications:start', args=[procedure.slug])}")
        assert response.status_code == 302, procedure.slug
        with scope(municipality=shimonita):
            draft = Submission.objects.get(procedure=procedure, resident__user__email="resident2@shimonita.demo",
                                           status=Status.DRAFT)
        for page in range(len(procedure.current_form.form.pages)):  # pages count from 0 in URLs
            path = f"{prefix}{reverse('applications:fill', args=[draft.public_id, page])}"
            assert client.get(path).status_code == 200, (procedure.slug, page)


def test_the_samples_fill_the_clerks_queue_of_open_submissions(demo):
    shimonita = town("下仁田町")
    with scope(municipality=shimonita):
        clerk = Staff.objects.get(user__email="juumin@shimonita.demo")
        references = [s.reference for s in services.visible_submissions(clerk) if s.is_open]
    response = factories.staff_client(clerk).get(f"{shimonita.path_prefix}{reverse('staff:applications-queue')}")
    assert response.status_code == 200
    assert references and all(reference in response.content.decode() for reference in references)
