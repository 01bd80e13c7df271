"""会議資料 over HTTP: members open their meetings, the pack, the viewer, page images, search and their own notes;
everyone else gets 404 (or, signed out, the login); a published public pack is open to anyone; the 事務局 adds and
replaces documents, a refusal answered 400 with the typing kept."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.meetings.support import make_committee, pdf_bytes
from yakuba.meetings.models import Document, Note, Version
from yakuba.meetings.services import pack

pytestmark = pytest.mark.django_db
TEXTS = ["ページ 1 表紙", "ページ 2 歳入", "ページ 3 下水道事業の繰出金", "ページ 4 歳出"]
CORRECTED = [*TEXTS[:2], "ページ 3 訂正", TEXTS[3]]


@pytest.fixture
def committee(town_a):
    committee = make_committee(town_a)
    with scope(municipality=town_a):
        committee.document = pack.add_document(
            committee.meeting, committee.item, "資料1 補正予算書",
            SimpleUploadedFile("資料1.pdf", pdf_bytes(texts=TEXTS)), committee.clerk.user)
    return committee


def url(committee, name: str, *args, query: str = "") -> str:
    return factories.town_url(committee.town, reverse(name, args=args)) + query


def member_client(committee, n: int = 0) -> Client:
    client = Client()
    client.force_login(committee.members[n].user)
    return client


def test_a_member_sees_their_meetings_the_pack_and_the_viewer(committee):
    client = member_client(committee)
    page = client.get(url(committee, "meetings:my")).content.decode()
    assert committee.meeting.title in page
    page = client.get(url(committee, "meetings:pack", committee.meeting.uuid)).content.decode()
    assert "資料1 補正予算書" in page and "第1版" in page and "4ページ" in page and "差し替えあり" not in page
    response = client.get(url(committee, "meetings:viewer", committee.meeting.uuid, committee.document.pk,
                              query="?page=3"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'alt="資料1 補正予算書 3ページ"' in body and "下水道事業の繰出金" in body and "このページの文字" in body
    version = committee.document.current
    assert f"/pages/{version.pk}/3.webp" in body and f"/pages/{version.pk}/2.webp" not in body
    assert "<script>" not in body  # CSP: no inline script
    data = client.get(url(committee, "meetings:viewer", committee.meeting.uuid, committee.document.pk,
                          query="?page=2&format=json")).json()
    assert data["page"] == 2 and "歳入" in data["text"] and data["alt"] == "資料1 補正予算書 2ページ"


def test_page_images_are_private_to_members(committee):
    version = committee.document.current
    response = member_client(committee).get(url(committee, "meetings:page", version.pk, 2))
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert "private" in response["Cache-Control"]
    thumb = member_client(committee).get(url(committee, "meetings:thumb", version.pk, 2))
    assert thumb.status_code == 200 and len(thumb.content) < len(response.content)
    assert member_client(committee).get(url(committee, "meetings:page", version.pk, 5)).status_code == 404


def test_a_resident_who_is_no_member_gets_404_and_a_visitor_the_login(committee, resident_a):
    client = Client()
    client.force_login(resident_a.user)
    version = committee.document.current
    for target in (url(committee, "meetings:pack", committee.meeting.uuid),
                   url(committee, "meetings:viewer", committee.meeting.uuid, committee.document.pk),
                   url(committee, "meetings:search", committee.meeting.uuid, query="?q=歳入"),
                   url(committee, "meetings:notes", committee.meeting.uuid, committee.document.pk),
                   url(committee, "meetings:page", version.pk, 1),
                   url(committee, "meetings:file", version.pk, "pdf")):
        assert client.get(target).status_code == 404, target
        response = Client().get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], target


def test_another_towns_staff_gets_404(committee, staff_b, town_b):
    client = factories.staff_client(staff_b)
    version = committee.document.current
    for target in (url(committee, "meetings:pack", committee.meeting.uuid),
                   url(committee, "meetings:page", version.pk, 1),
                   url(committee, "staff:meetings-document", committee.document.pk),
                   url(committee, "staff:meetings-version-file", version.pk, "pdf"),
                   url(committee, "staff:meetings-document-add", committee.meeting.uuid)):
        assert client.get(target).status_code in (403, 404), target
    # In their own town, the other town's rows are simply not there.
    for target in (reverse("meetings:pack", args=[committee.meeting.uuid]),
                   reverse("staff:meetings-document", args=[committee.document.pk]),
                   reverse("staff:meetings-version-file", args=[version.pk, "original"])):
        assert client.get(factories.town_url(town_b, target)).status_code == 404, target


def test_staff_of_another_department_gets_404_on_the_document_pages(committee):
    client = factories.staff_client(committee.other)
    assert client.get(url(committee, "staff:meetings-document", committee.document.pk)).status_code == 404
    assert client.get(url(committee, "meetings:pack", committee.meeting.uuid)).status_code == 404


def test_a_published_public_pack_is_readable_by_anyone(committee):
    with scope(municipality=committee.town):
        committee.meeting.pack_published_at = timezone.now()
        committee.meeting.save()
    visitor = Client()
    assert "資料1 補正予算書" in visitor.get(url(committee, "meetings:pack", committee.meeting.uuid)).content.decode()
    version = committee.document.current
    response = visitor.get(url(committee, "meetings:page", version.pk, 1))
    assert response.status_code == 200 and response["Cache-Control"].startswith("public")
    hits = visitor.get(url(committee, "meetings:search", committee.meeting.uuid, query="?q=下水道")).content.decode()
    assert "<mark>下水道</mark>" in hits and "?page=3" in hits
    # Notes are for members: a visitor has none.
    assert visitor.get(url(committee, "meetings:notes", committee.meeting.uuid, committee.document.pk)
                       ).status_code == 302


def test_old_versions_are_not_public(committee):
    with scope(municipality=committee.town):
        old = committee.document.current
        pack.replace_document(committee.document, SimpleUploadedFile("v2.pdf", pdf_bytes(texts=TEXTS[:3])), "訂正",
                              committee.clerk.user)
        committee.meeting.pack_published_at = timezone.now()
        committee.meeting.save()
    assert Client().get(url(committee, "meetings:page", old.pk, 1)).status_code == 302
    assert member_client(committee).get(url(committee, "meetings:page", old.pk, 1)).status_code == 200


def test_search_page_works_without_script(committee):
    response = member_client(committee).get(url(committee, "meetings:search", committee.meeting.uuid,
                                                query="?q=繰出金"))
    body = response.content.decode()
    assert "1件見つかりました" in body and "資料1 補正予算書 3ページ" in body


def test_notes_are_private_json_and_form(committee):
    notes_url = url(committee, "meetings:notes", committee.meeting.uuid, committee.document.pk, query="?page=2")
    chair = member_client(committee)
    response = chair.post(notes_url, json.dumps({"text": "ここを質問", "marks": [{"x": 0.1, "y": 0.1, "w": 0.3,
                                                                                 "h": 0.05}]}),
                          content_type="application/json")
    assert response.status_code == 200 and response.json()["text"] == "ここを質問"
    assert chair.get(notes_url).json()["marks"] == [{"x": 0.1, "y": 0.1, "w": 0.3, "h": 0.05}]
    assert member_client(committee, 1).get(notes_url).json() == {"page": 2, "text": "", "marks": [], "version": None}
    clerk = factories.staff_client(committee.clerk)
    assert clerk.get(notes_url).json()["text"] == ""
    viewer = clerk.get(url(committee, "meetings:viewer", committee.meeting.uuid, committee.document.pk,
                           query="?page=2")).content.decode()
    assert "ここを質問" not in viewer
    # The form without script: mark the whole page, then delete.
    response = chair.post(notes_url, {"text": "ここを質問", "mark_page": "1"})
    assert response.status_code == 302 and "page=2" in response["Location"]
    with scope(municipality=committee.town):
        assert len(Note.objects.get(user=committee.chair.user).marks) == 2
    bad = chair.post(notes_url, json.dumps({"text": "x", "marks": [{"x": 2, "y": 0, "w": 1, "h": 1}]}),
                     content_type="application/json")
    assert bad.status_code == 400 and "ページの中" in bad.json()["errors"][0]
    assert chair.delete(notes_url).status_code == 200
    with scope(municipality=committee.town):
        assert not Note.objects.exists()


def test_the_clerk_adds_a_document(committee):
    client = factories.staff_client(committee.clerk)
    add = url(committee, "staff:meetings-document-add", committee.meeting.uuid)
    assert client.get(add).status_code == 200
    response = client.post(add, {"title": "資料2 説明", "item": committee.item.pk, "_once": "a" * 24,
                                 "upload": SimpleUploadedFile("説明.pdf", pdf_bytes(2))})
    assert response.status_code == 302
    with scope(municipality=committee.town):
        document = Document.objects.get(title="資料2 説明")
    assert response["Location"].endswith(reverse("staff:meetings-document", args=[document.pk]))


def test_a_refused_upload_is_400_and_keeps_the_title(committee):
    client = factories.staff_client(committee.clerk)
    add = url(committee, "staff:meetings-document-add", committee.meeting.uuid)
    response = client.post(add, {"title": "資料2 説明", "_once": "b" * 24,
                                 "upload": SimpleUploadedFile("説明.pdf", b"%PDF-1.7\nbroken")})
    body = response.content.decode()
    assert response.status_code == 400 and "壊れている" in body and 'value="資料2 説明"' in body
    assert "error-summary" in body


def test_the_clerk_replaces_during_the_meeting_only_with_confirmation(committee):
    with scope(municipality=committee.town):
        committee.meeting.starts_at = timezone.now() - timedelta(minutes=10)
        committee.meeting.save()
    client = factories.staff_client(committee.clerk)
    page = url(committee, "staff:meetings-document", committee.document.pk)
    assert "会議が始まっています" in client.get(page).content.decode()
    response = client.post(page, {"reason": "3ページの訂正", "_once": "c" * 24,
                                  "upload": SimpleUploadedFile("v2.pdf", pdf_bytes(texts=CORRECTED))})
    body = response.content.decode()
    assert response.status_code == 400 and "会議中の差し替え" in body and "3ページの訂正" in body
    response = client.post(page, {"reason": "3ページの訂正", "confirm": "on", "_once": "d" * 24,
                                  "upload": SimpleUploadedFile("v2.pdf", pdf_bytes(texts=CORRECTED))})
    assert response.status_code == 302
    body = client.get(page).content.decode()
    assert "第2版" in body and "変更箇所：3ページ" in body and "会議中の差し替え" in body
    with scope(municipality=committee.town):
        version = Version.objects.get(document=committee.document, number=2)
    for which in ("pdf", "original"):
        download = client.get(url(committee, "staff:meetings-version-file", version.pk, which))
        assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    members = member_client(committee).get(url(committee, "meetings:pack", committee.meeting.uuid)).content.decode()
    assert "差し替えあり" in members and "変更箇所：3ページ" in members
