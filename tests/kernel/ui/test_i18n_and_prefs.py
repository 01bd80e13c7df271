"""Japanese first, English on request; text size and furigana preferences; CSRF failure page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import yakuba

PO = Path(yakuba.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.mark.django_db
def test_japanese_is_the_default_whatever_the_browser_says(client, town_a):
    response = client.get("/t/10382/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="ja"' in response.content.decode()
    assert "本文へスキップ" in response.content.decode()


@pytest.mark.django_db
def test_english_when_chosen(client, town_a):
    response = client.post("/t/10382/i18n/setlang/", {"language": "en", "next": "/t/10382/"})
    assert response.status_code == 302
    page = client.get("/t/10382/").content.decode()
    assert '<html lang="en"' in page
    assert "Skip to main content" in page and "Sign in" in page and "Text size" in page
    error = client.post("/t/10382/accounts/login/", {"username": "x@example.jp", "password": "y"})
    assert "The email address or password is incorrect" in error.content.decode()


def test_every_message_has_an_english_translation():
    text = PO.read_text(encoding="utf-8")
    entries = re.findall(r'\nmsgid "(.*)"\n(?:".*"\n)*msgstr(?:\[0\])? "(.*)"\n((?:".*"\n)*)', text)
    assert len(entries) > 150
    untranslated = [msgid for msgid, msgstr, continued in entries if msgid and not msgstr and not continued]
    assert untranslated == []
    assert "#, fuzzy" not in text, "a fuzzy (guessed) translation is left in the English catalogue"
    assert PO.with_suffix(".mo").stat().st_mtime >= PO.stat().st_mtime - 5, "run `make messages` (stale .mo)"


@pytest.mark.django_db
def test_text_size_preference(client, town_a):
    response = client.post("/t/10382/prefs/", {"text_size": "large", "next": "/t/10382/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/t/10382/accounts/login/"
    assert 'class="text-large"' in client.get("/t/10382/").content.decode()
    client.post("/t/10382/prefs/", {"text_size": "huge"})  # unknown sizes are ignored
    assert 'class="text-large"' in client.get("/t/10382/").content.decode()


@pytest.mark.django_db
def test_prefs_never_redirect_off_site(client, town_a):
    response = client.post("/t/10382/prefs/", {"text_size": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/t/10382/"


@pytest.mark.django_db
def test_furigana_is_only_added_when_asked_and_never_on_staff_pages(client, town_a, staff_a):
    assert "<ruby>" not in client.get("/t/10382/").content.decode()
    client.post("/t/10382/prefs/", {"furigana": "1"})
    page = client.get("/t/10382/").content.decode()
    assert "<ruby>" in page and "<rt>" in page
    client.force_login(staff_a.user)
    assert "<ruby>" not in client.get("/t/10382/staff/login/").content.decode()
    client.post("/t/10382/prefs/", {"furigana": "0"})
    assert "<ruby>" not in client.get("/t/10382/").content.decode()


@pytest.mark.django_db
def test_csrf_failure_is_explained(town_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/t/10382/accounts/login/", {"username": "a@example.jp", "password": "b"})
    assert response.status_code == 403
    assert "送信できませんでした" in response.content.decode()


@pytest.mark.django_db
def test_a_nul_character_anywhere_in_the_input_is_a_clear_400(client, town_a):
    for response in (client.get("/t/10382/", {"q": "a\x00b"}),
                     client.post("/t/10382/accounts/login/", {"username": "x\x00@example.jp", "password": "p"})):
        assert response.status_code == 400
        assert "使えない文字" in response.content.decode()
