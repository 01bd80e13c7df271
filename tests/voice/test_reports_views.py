"""通報 through HTTP: the resident's journey (a HEIC photo with GPS gives the place, confirm, 受付番号), the public
map and list, escaped text and no contact on public pages, hidden reports gone, and every bad input refused with a
clear message, status 400, the typing kept and nothing saved. Staff: the triage list, an audited detail, status."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from tests import factories
from tests.support import photos
from tests.voice.reports_support import (
    SHIMONITA,
    file_report,
    heic_bytes,
    jpeg_bytes,
    make_categories,
    road_staff,
    upload,
)
from yakuba.kernel.audit.models import AuditEntry
from yakuba.voice.models import Report, ReportStatus
from yakuba.voice.services import reports as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def cats(town_a):
    return make_categories(town_a)


def form_url(town, code="streetlight"):
    return factories.town_url(town, f"/reports/new/{code}/")


def check(client, town, data, files=(), code="streetlight"):
    payload = {"step": "check", "description": "街路灯が点きません。", "state": "off", **data}
    if files:
        payload["photos"] = list(files)
    return client.post(form_url(town, code), payload)


def test_a_resident_reports_a_street_light_with_a_heic_photo(town_a, cats):
    client = Client()
    page = client.get(form_url(town_a))
    assert page.status_code == 200 and "状態" in page.content.decode()
    confirm = check(client, town_a, {"email": "taro@example.jp"},
                    [upload(heic_bytes(*SHIMONITA), "IMG_0001.HEIC", "image/heic")])
    html = confirm.content.decode()
    assert confirm.status_code == 200, html
    assert "写真の位置を使いました" in html and "36.212300" in html
    draft = re.search(r'name="draft" value="([^"]+)"', html).group(1)
    once = re.findall(r'name="_once" value="([^"]+)"', html)[-1]
    sent = client.post(form_url(town_a), {"step": "send", "draft": draft, "_once": once})
    assert sent.status_code == 302
    done = client.get(sent["Location"])
    with scope(municipality=town_a):
        report = Report.objects.get()
        assert report.photos.count() == 1 and report.email == "taro@example.jp"
    assert report.number in done.content.decode()
    # Sending the same confirm page again files nothing more.
    client.post(form_url(town_a), {"step": "send", "draft": draft, "_once": once})
    with scope(municipality=town_a):
        assert Report.objects.count() == 1
    listing = Client().get(factories.town_url(town_a, "/reports/"))
    assert "受付" in listing.content.decode() and str(report.uuid) in listing.content.decode()


def test_nearby_reports_are_offered_before_sending(town_a, cats):
    existing = file_report(town_a, cats["streetlight"])
    confirm = check(Client(), town_a, {"latitude": str(SHIMONITA[0] + 0.0002), "longitude": str(SHIMONITA[1])})
    html = confirm.content.decode()
    assert "同じ通報ではありませんか" in html and str(existing.uuid) in html


def test_script_in_the_text_never_runs_and_the_contact_is_never_public(town_a, cats):
    report = file_report(town_a, cats["streetlight"], description="<script>alert(1)</script>点きません",
                         email="secret@example.jp")
    html = Client().get(factories.town_url(town_a, f"/reports/{report.uuid}/")).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "secret@example.jp" not in html


def test_a_hidden_report_and_its_photos_are_gone_from_the_public(town_a, cats):
    report = file_report(town_a, cats["streetlight"], photos=[jpeg_bytes()])
    with scope(municipality=town_a):
        photo = report.photos.get()
    client = Client()
    assert client.get(factories.town_url(town_a, f"/reports/photos/{photo.uuid}/")).status_code == 200
    staff = road_staff(town_a)
    with scope(municipality=town_a):
        services.hide(staff, report, "顔が写っている")
    assert client.get(factories.town_url(town_a, f"/reports/{report.uuid}/")).status_code == 404
    assert client.get(factories.town_url(town_a, f"/reports/photos/{photo.uuid}/")).status_code == 404
    assert str(report.uuid) not in client.get(factories.town_url(town_a, "/reports/")).content.decode()


@pytest.mark.parametrize("name, make, content_type, message", [
    ("big.jpg", photos.big_jpeg, "image/jpeg", "大きすぎます"),
    ("notes.jpg", photos.not_an_image, "image/jpeg", ""),
    ("bomb.png", photos.bomb_png, "image/png", ""),
])
def test_bad_photos_are_refused_with_the_typing_kept(town_a, cats, name, make, content_type, message):
    data = make()
    response = check(Client(), town_a, {"address": "駅前の交差点", "latitude": "36.2123", "longitude": "138.7878"},
                     [upload(data, name, content_type)])
    html = response.content.decode()
    assert response.status_code == 400
    assert "error-summary" in html and message in html
    assert "駅前の交差点" in html  # the typing kept
    with scope(municipality=town_a):
        assert not Report.objects.exists()


def test_a_place_outside_the_town_is_refused(town_a, cats):
    response = check(Client(), town_a, {"latitude": "35.6812", "longitude": "139.7671"})
    assert response.status_code == 400
    assert "町内の場所を選んでください" in response.content.decode()


def test_a_category_of_another_town_is_not_found(town_a, town_b, cats):
    make_categories(town_b)
    with scopes_disabled():
        from yakuba.voice.models import ReportCategory

        ReportCategory.objects.filter(municipality=town_a, code="wildlife").update(code="wildlife-a")
    assert Client().get(form_url(town_a, "wildlife")).status_code == 404


def test_staff_triage_answer_and_done(town_a, cats):
    report = file_report(town_a, cats["streetlight"], email="taro@example.jp")
    staff = road_staff(town_a)
    client = factories.staff_client(staff)
    inbox = client.get(factories.town_url(town_a, "/staff/voice/reports/"))
    assert report.number in inbox.content.decode()
    detail = client.get(factories.town_url(town_a, f"/staff/voice/reports/{report.uuid}/"))
    assert "taro@example.jp" in detail.content.decode()
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="voice.report.viewed", object_id=str(report.pk)).exists()
    url = factories.town_url(town_a, f"/staff/voice/reports/{report.uuid}/status/")
    refused = client.post(url, {"status": "done", "answer": "", "revision": report.revision})
    assert refused.status_code == 400 and "回答を書いてください" in refused.content.decode()
    done = client.post(url, {"status": "done", "answer": "電球を交換しました。", "revision": report.revision,
                             "after_photo": upload(jpeg_bytes(), "after.jpg")})
    assert done.status_code == 302
    with scope(municipality=town_a):
        report.refresh_from_db()
        assert report.status == ReportStatus.DONE and report.photos.filter(after=True).count() == 1
    public = Client().get(factories.town_url(town_a, f"/reports/{report.uuid}/")).content.decode()
    assert "電球を交換しました。" in public and "対応済" in public


def test_staff_of_another_department_do_not_see_the_report(town_a, cats):
    report = file_report(town_a, cats["streetlight"])
    other = factories.make_staff(town_a, department="福祉課")
    client = factories.staff_client(other)
    assert client.get(factories.town_url(town_a, f"/staff/voice/reports/{report.uuid}/")).status_code == 404


@pytest.mark.django_db(transaction=True)  # the writes commit: caches hear of them as in production
def test_the_public_pages_are_cacheable(town_a, cats):
    file_report(town_a, cats["streetlight"])
    client = Client()
    url = factories.town_url(town_a, "/reports/")
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    file_report(town_a, cats["road"])
    assert client.get(url)["X-Page-Cache"] == "miss"
