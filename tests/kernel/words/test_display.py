"""What residents see: the checked translation in their language, else the Japanese marked lang="ja"; drafts and
translations of changed Japanese never; やさしい日本語 as a display choice; cached pages follow a change."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_scopes import scope

from tests import factories
from yakuba.applications import services as applications
from yakuba.applications.models import Status, Submission
from yakuba.kernel.forms.definition import FormDefinition
from yakuba.kernel.words import display, services
from yakuba.kernel.words.services import Entry

pytestmark = pytest.mark.django_db
KIND = "applications.procedure"


def url(name: str, *args: object) -> str:
    return f"/t/10382{reverse(f'applications:{name}', args=args)}"


@pytest.fixture
def dog(town_a):
    return factories.make_procedure(town_a, slug="dog", summary="犬を飼い始めたときの届出です。")


def translate(town, staff, procedure, language, texts, *, check=True):
    with scope(municipality=town):
        services.save_record(municipality=town, staff=staff, kind=KIND, key=str(procedure.pk), check=check,
                             entries=[Entry(field, language, text) for field, text in texts.items()])


def english() -> Client:
    client = Client()
    client.cookies["yakuba_language"] = "en"
    return client


def test_english_reader_gets_checked_english_and_marked_japanese(town_a, admin_a, dog):
    translate(town_a, admin_a, dog, "en", {"title": "Dog licence"})
    translate(town_a, admin_a, dog, "en", {"summary": "Draft summary"}, check=False)
    body = english().get(url("procedure", "dog")).content.decode()
    assert "<h1>Dog licence</h1>" in body
    assert "Draft summary" not in body  # a draft is never shown
    assert '<span lang="ja" class="untranslated">犬を飼い始めたときの届出です。</span>' in body
    assert body.count('class="words-note"') == 1  # said once on the page
    japanese = Client().get(url("procedure", "dog")).content.decode()
    assert "<h1>犬の登録</h1>" in japanese and "words-note" not in japanese and "untranslated" not in japanese
    assert "<!--words:note-->" not in japanese


def test_translation_of_changed_japanese_is_not_shown(town_a, admin_a, dog):
    translate(town_a, admin_a, dog, "en", {"title": "Dog licence"})
    with scope(municipality=town_a):
        dog.title = "犬の登録・変更"
        dog.save()
    body = english().get(url("procedure", "dog")).content.decode()
    assert "Dog licence" not in body and '<span lang="ja" class="untranslated">犬の登録・変更</span>' in body


def test_cached_page_follows_a_new_translation(town_a, admin_a, dog):
    client = english()
    first = client.get(url("procedure", "dog"))
    assert client.get(url("procedure", "dog"))["X-Page-Cache"] == "hit"
    assert "Dog licence" not in first.content.decode()
    translate(town_a, admin_a, dog, "en", {"title": "Dog licence"})
    again = client.get(url("procedure", "dog"))
    assert again["X-Page-Cache"] == "miss" and "<h1>Dog licence</h1>" in again.content.decode()


def test_easy_japanese_is_a_display_choice(town_a, admin_a, dog):
    translate(town_a, admin_a, dog, "easy", {"title": "いぬを かう ときの とどけ"})
    client = Client()
    assert "<h1>犬の登録</h1>" in client.get(url("procedure", "dog")).content.decode()
    response = client.post("/t/10382/prefs/", {"easy": "1", "next": url("procedure", "dog")})
    assert response.status_code == 302 and client.cookies["yakuba_easy"].value == "1"
    body = client.get(url("procedure", "dog")).content.decode()
    assert "<h1>いぬを かう ときの とどけ</h1>" in body
    assert "犬を飼い始めたときの届出です。" in body and "untranslated" not in body  # no easy version: plain Japanese


def test_translated_form_keeps_structure_and_marks_the_rest(town_a, admin_a, dog):
    translate(town_a, admin_a, dog, "en", {"form.dog_name.label": "Dog's name", "form.breed.option.shiba": "Shiba"})
    definition = FormDefinition.from_dict(factories.SIMPLE_FORM)
    reader = display.Translator(town_a.pk, "en")
    shown = reader.form(KIND, dog.pk, definition)
    fields = {f.name: f for f in shown.all_fields()}
    assert fields["dog_name"].label == "Dog's name"
    assert dict(fields["breed"].options)["shiba"] == "Shiba"
    assert isinstance(dict(fields["breed"].options)["mixed"], display.Japanese)
    assert [f.name for f in shown.all_fields()] == [f.name for f in definition.all_fields()]
    assert display.Translator(town_a.pk, None).form(KIND, dog.pk, definition) is definition
    assert display.html(display.Japanese("<b>")) == '<span lang="ja" class="untranslated">&lt;b&gt;</span>'
    assert display.html("<b>Dog</b>") == "&lt;b&gt;Dog&lt;/b&gt;"  # a translation is plain text


def test_english_form_labels_and_errors(town_a, admin_a, dog, resident_a):
    translate(town_a, admin_a, dog, "en", {
        "form.page.1.title": "About the dog", "form.dog_name.label": "Dog's name", "form.breed.label": "Breed",
        "form.breed.option.shiba": "Shiba", "form.breed.option.mixed": "Mixed", "form.breed.option.other": "Other"})
    client = english()
    client.force_login(resident_a.user)
    with scope(municipality=town_a):
        draft = applications.start_draft(dog, resident_a)
    page = client.get(url("fill", draft.public_id, 1)).content.decode()
    assert "<h1>About the dog</h1>" in page and "Dog&#x27;s name" in page and ">Shiba</label>" in page
    wrong = client.post(url("fill", draft.public_id, 1), {"dog_name": "", "breed": "shiba", "action": "next"})
    assert wrong.status_code == 400
    body = wrong.content.decode()
    translation.activate("en")
    expected = translation.gettext("%(label)sを入力してください。") % {"label": "Dog&#x27;s name"}
    translation.deactivate()
    assert expected in body
    with scope(municipality=town_a):
        assert Submission.objects.get(pk=draft.pk).status == Status.DRAFT


def test_language_switch_offers_easy_japanese(town_a, admin_a, dog):
    translate(town_a, admin_a, dog, "easy", {"title": "いぬの とどけ"})
    client = Client()
    page = client.get(url("procedure", "dog")).content.decode()
    assert '<details class="tools-menu">' in page and 'value="easy"' in page  # the compact switches
    response = client.post("/t/10382/i18n/setlang/", {"language": "easy", "next": url("procedure", "dog")})
    assert response.status_code == 302
    assert client.cookies["yakuba_language"].value == "ja" and client.cookies["yakuba_easy"].value == "1"
    body = client.get(url("procedure", "dog")).content.decode()
    assert "<h1>いぬの とどけ</h1>" in body and '<html lang="ja"' in body
    assert 'value="easy" lang="ja" aria-pressed="true"' in body
    client.post("/t/10382/i18n/setlang/", {"language": "en", "next": "/t/10382/"})
    assert client.cookies["yakuba_language"].value == "en" and client.cookies["yakuba_easy"].value == "0"


def test_anonymous_cached_pages_keep_easy_and_plain_apart(town_a, admin_a, dog):
    translate(town_a, admin_a, dog, "easy", {"title": "いぬの とどけ"})
    plain, easy = Client(), Client()
    easy.cookies["yakuba_easy"] = "1"
    assert "<h1>犬の登録</h1>" in plain.get(url("procedure", "dog")).content.decode()
    assert plain.get(url("procedure", "dog"))["X-Page-Cache"] == "hit"
    assert "<h1>いぬの とどけ</h1>" in easy.get(url("procedure", "dog")).content.decode()


def test_documents_fee_and_department_in_english(town_a, admin_a):
    dog = factories.make_procedure(town_a, slug="dog2", documents="写真\n・印鑑", fee="3,000円")
    translate(town_a, admin_a, dog, "en", {"fee": "3,000 yen"})
    body = english().get(url("procedure", "dog2")).content.decode()
    assert '<li><span lang="ja" class="untranslated">写真</span></li>' in body
    assert '<li><span lang="ja" class="untranslated">印鑑</span></li>' in body
    assert "3,000 yen" in body and '<span lang="ja" class="untranslated">総務課</span>' in body
    with scope(municipality=town_a):
        dog.department.name_en = "General Affairs"
        dog.department.save()
    translate(town_a, admin_a, dog, "en", {"documents": "A photo\n・Your seal"})
    # A test's writes never commit, so the second one in the same test renews neither the cached page nor the
    # process's table of translations (in use each write's transaction commits and does): another address, and
    # the table forgotten.
    display.forget()
    body = english().get(url("procedure", "dog2") + "?again").content.decode()
    assert "<li>A photo</li>" in body and "<li>Your seal</li>" in body and "General Affairs" in body
