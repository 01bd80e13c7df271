"""The issue's 'done when' for 通報 in Chromium at 360 px: a resident reports a broken road light with a HEIC photo
that carries GPS (the place is taken from the photo), confirms and gets a 受付番号; the public map and list show it
as 受付; the road clerk answers and marks it 対応済, which the public page then shows. axe-core on every page; the
form is filled by keyboard only."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.browser.conftest import assert_accessible, log_in_staff, tab_to
from tests.support.photos import heic_with_gps
from tests.voice.reports_support import make_categories, road_staff
from yakuba.voice.models import Report, ReportStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_reports_a_street_light_and_the_clerk_resolves_it(live_server, phone, town_a, tmp_path):
    make_categories(town_a)
    clerk = road_staff(town_a)
    base = f"{live_server.url}{town_a.path_prefix}"
    photo = tmp_path / "IMG_0001.HEIC"
    photo.write_bytes(heic_with_gps(36.2128, 138.7891))

    phone.goto(f"{base}/reports/new/")
    assert_accessible(phone)
    phone.get_by_role("link", name="街路灯").click()
    phone.wait_for_load_state()
    assert_accessible(phone)
    phone.set_input_files("#id_photos", str(photo))
    # Keyboard only: the description, the state (a radio), then the button.
    tab_to(phone, "#id_description")
    phone.keyboard.type("夜になっても点きません。")
    tab_to(phone, "input[name=state][value=off]")
    phone.keyboard.press("Space")
    tab_to(phone, "main button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    text = phone.locator("main").inner_text()
    assert "写真の位置を使いました" in text and "36.2128" in text
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="この内容で送信する").click()
    assert "受付番号" in phone.locator("main").inner_text()
    assert_accessible(phone)
    with scope(municipality=town_a):
        report = Report.objects.get()
    assert report.number in phone.locator("main").inner_text()

    phone.goto(f"{base}/reports/")
    row = phone.locator(".report-list li", has_text="街路灯")
    assert "受付" in row.inner_text()
    assert_accessible(phone)

    log_in_staff(phone, base, clerk)
    phone.goto(f"{base}/staff/voice/reports/{report.uuid}/")
    assert_accessible(phone)
    phone.get_by_label("対応済").check()
    phone.get_by_label("住民への回答（公開されます）").fill("灯具を交換しました。")
    with phone.expect_navigation():
        phone.get_by_role("button", name="状況を更新する").click()
    assert "状況を更新しました" in phone.locator("body").inner_text()
    with scope(municipality=town_a):
        assert Report.objects.get().status == ReportStatus.DONE

    phone.goto(f"{base}/reports/{report.uuid}/")
    text = phone.locator("main").inner_text()
    assert "対応済" in text and "灯具を交換しました。" in text
    assert_accessible(phone)
