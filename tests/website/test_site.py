"""サイトの設定 (/staff/website/site/): only 情報担当, the colour's contrast with white checked (refused with the ratio
and a darker suggestion, the typing kept), shortcuts and the emblem checked, two 情報担当 saving at once, audited."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope
from PIL import Image

from tests import factories
from tests.website.site_support import admin, make_site, staff_menu_reversible  # noqa: F401
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.website.models import Site
from yakuba.website.services import site as service

URL = "/t/10382/staff/website/site/"
pytestmark = pytest.mark.usefixtures("staff_menu_reversible")


def _form(**overrides):
    data = {"colour": "#0017c1", "tagline": "ねぎとこんにゃくの町", "tagline_en": "Town of leeks",
            "tagline_easy": "", "review_months": "12", "revision": "0",
            "shortcut_0_label": "広報しもにた", "shortcut_0_url": "/site/kouhou/", "shortcut_0_label_en": "Newsletter"}
    data.update(overrides)
    return data


def _png(size=(64, 64)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_contrast_follows_wcag():
    assert service.contrast("#000000") == pytest.approx(21)
    assert service.contrast("#ffffff") == pytest.approx(1)
    assert service.contrast("#0017c1") > 4.5
    assert service.contrast("#767676") == pytest.approx(4.54, abs=0.01)
    light = "#7fb2e5"
    assert service.contrast(light) < 4.5
    suggestion = service.darker(light)
    assert service.contrast(suggestion) >= 4.5 and suggestion != light


@pytest.mark.django_db
def test_only_the_information_officer_opens_and_saves_the_settings(town_a):
    for role in (Role.STAFF, Role.APPROVER):
        client = factories.staff_client(factories.make_staff(town_a, role=role))
        assert client.get(URL).status_code == 403
        assert client.post(URL, _form()).status_code == 403
    client = factories.staff_client(admin(town_a))
    assert client.get(URL).status_code == 200
    response = client.post(URL, _form())
    assert response.status_code == 302
    with scope(municipality=town_a):
        site = Site.objects.get()
        assert site.tagline == "ねぎとこんにゃくの町" and site.revision == 1
        assert site.shortcuts == [{"label": "広報しもにた", "url": "/site/kouhou/", "label_en": "Newsletter"}]
        entry = AuditEntry.objects.filter(action="website.site.saved").get()
    assert entry.data["before"]["tagline"] == "" and entry.data["after"]["tagline"] == "ねぎとこんにゃくの町"


@pytest.mark.django_db
def test_a_light_colour_is_refused_with_its_ratio_and_a_darker_suggestion_the_typing_kept(town_a):
    client = factories.staff_client(admin(town_a))
    client.get(URL)
    response = client.post(URL, _form(colour="#7FB2E5", tagline="入力したひとこと"))
    assert response.status_code == 400
    body = response.content.decode()
    ratio = service.ratio_text(service.contrast("#7fb2e5"))
    assert f"コントラスト比 {ratio}：1" in body and service.darker("#7fb2e5") in body
    assert 'value="入力したひとこと"' in body and 'value="#7FB2E5"' in body
    with scope(municipality=town_a):
        assert not Site.objects.exists()  # nothing saved


@pytest.mark.django_db
def test_bad_shortcuts_and_emblems_are_refused_field_by_field(town_a):
    staff = admin(town_a)
    with scope(municipality=town_a):
        with pytest.raises(Refused) as refused:
            service.save_settings(staff, service.SiteData(colour="#0017c1", shortcuts=[
                service.Shortcut("危険", "javascript:alert(1)"), service.Shortcut("", "/site/x/"),
                service.Shortcut("外部", "http://example.jp/")], review_months=0), revision=None)
    errors = refused.value.errors
    assert {"shortcut_0_url", "shortcut_1_label", "shortcut_2_url", "review_months"} <= set(errors)
    client = factories.staff_client(staff)
    svg = SimpleUploadedFile("emblem.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                             "image/svg+xml")
    response = client.post(URL, {**_form(), "emblem": svg})
    assert response.status_code == 400 and "PNG" in response.content.decode()
    fake = SimpleUploadedFile("emblem.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png")
    assert client.post(URL, {**_form(), "emblem": fake}).status_code == 400


@pytest.mark.django_db
def test_an_emblem_is_stored_as_a_fresh_png_and_served(town_a, client):
    staff = admin(town_a)
    staff_client = factories.staff_client(staff)
    upload = SimpleUploadedFile("emblem.png", _png((600, 300)), "image/png")
    assert staff_client.post(URL, {**_form(), "emblem": upload}).status_code == 302
    response = client.get("/t/10382/site/emblem.png?v=1")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    assert max(image.size) == service.EMBLEM_SIDE
    css = client.get("/t/10382/site/theme.css").content.decode()
    assert "--town-colour: #0017c1" in css


@pytest.mark.django_db
def test_two_officers_saving_at_once_the_second_is_told_and_keeps_the_typing(town_a):
    make_site(town_a)
    first, second = factories.staff_client(admin(town_a)), factories.staff_client(admin(town_a))
    assert first.post(URL, _form(tagline="最初の人")).status_code == 302
    response = second.post(URL, _form(tagline="二人目の入力"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "他の人が保存しました" in body and 'value="二人目の入力"' in body
    assert 'name="revision" value="1"' in body  # the next save, after comparing, goes through
    with scope(municipality=town_a):
        assert Site.objects.get().tagline == "最初の人"
    assert second.post(URL, _form(tagline="二人目の入力", revision="1")).status_code == 302
    with scope(municipality=town_a):
        assert Site.objects.get().tagline == "二人目の入力"


@pytest.mark.django_db
def test_opening_the_settings_creates_nothing_the_first_save_makes_the_site(town_a, client):
    staff_client = factories.staff_client(admin(town_a))
    assert staff_client.get(URL).status_code == 200
    with scope(municipality=town_a):
        assert not Site.objects.exists()
    assert 'class="town-band"' not in client.get("/t/10382/").content.decode()  # still the kernel's home
    assert staff_client.post(URL, _form()).status_code == 302
    assert 'class="town-band"' in client.get("/t/10382/").content.decode()
