"""Staff in real Chromium at 360 px: a 防災 notice written (an error first), previewed, published, its delivery
figures watched as they change; a shelter's status changed with the keyboard only."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django_scopes import scope
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_accessible, log_in_staff
from yakuba.notices.models import Notice, Shelter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_write_preview_publish_and_watch_an_emergency_notice(live_server, phone):
    town = factories.make_town("10382", "下仁田町")
    clerk = factories.make_staff(town, department="住民課")  # not 総務課: 防災 is open to every department
    factories.make_category(town, "bousai")
    factories.make_category(town, "kurashi")
    factories.make_area(town, "馬山地区")
    factories.make_subscriber(town, email="resident@example.jp", categories=("bousai",))
    base = f"{live_server.url}{town.path_prefix}"
    log_in_staff(phone, base, clerk)

    phone.goto(f"{base}/staff/notices/")
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="お知らせを書く").first.click()
    assert_accessible(phone)
    phone.locator("#id_category").select_option(label="防災")
    phone.locator("#id_body").fill("馬山地区に避難指示を出しました。")
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存して表示を確かめる").click()
    assert "件名を入力してください。" in phone.locator(".error-summary").inner_text()
    assert phone.locator("#id_body").input_value() == "馬山地区に避難指示を出しました。"
    assert_accessible(phone)

    phone.locator("#id_title").fill("避難指示（馬山地区）")
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存して表示を確かめる").click()
    assert "【防災】避難指示（馬山地区）" in phone.locator("main").inner_text()
    assert "1" in phone.locator("table", has_text="いま公開したときに送る数").inner_text()
    assert_accessible(phone)

    with phone.expect_navigation():
        phone.get_by_role("button", name="公開して配信する").click()
    assert "配信を始めました" in phone.locator(".messages").inner_text()
    live = phone.locator("[aria-live=polite]")
    assert "送信の状況" in live.inner_text() or "送信先を用意" in live.inner_text()
    assert_accessible(phone)
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload")
    # The page's script fetches the figures again every 5 s: the sent mail shows up without a reload.
    expect(live.locator("tfoot")).to_contain_text(re.compile(r"合計\s*0\s*0\s*1"))
    assert_accessible(phone)
    with scope(municipality=town):
        notice = Notice.objects.get(title="避難指示（馬山地区）")
    assert notice.broadcast is not None

    for page in ("edit", "replies"):
        phone.goto(f"{base}/staff/notices/{notice.pk}/{page}/")
        assert_accessible(phone)
    phone.goto(f"{base}/staff/notices/{notice.pk}/withdraw/")
    with phone.expect_navigation():
        phone.get_by_role("button", name="取り下げる").click()
    assert "取り下げの理由を入力してください。" in phone.locator(".error-summary").inner_text()
    assert_accessible(phone)
    phone.locator("#id_reason").fill("誤報のため")
    with phone.expect_navigation():
        phone.get_by_role("button", name="取り下げる").click()
    assert "取り下げました" in phone.locator(".messages").inner_text()
    assert_accessible(phone)


def test_a_shelter_is_opened_with_the_keyboard(live_server, phone):
    town = factories.make_town("10382", "下仁田町")
    clerk = factories.make_staff(town, department="住民課")
    factories.publish_shelters(town, {"ID": "000001", "名称": "下仁田小学校 体育館"},
                               {"ID": "000002", "名称": "下仁田町文化ホール"})
    with scope(municipality=town):  # a status left from before the list moved to the open data
        Shelter.objects.create(municipality=town, name="西牧公民館", status="open")
    base = f"{live_server.url}{town.path_prefix}"
    log_in_staff(phone, base, clerk)
    phone.goto(f"{base}/staff/shelters/")
    assert "西牧公民館" in phone.locator("#shelter-orphans").locator("..").inner_text()
    assert_accessible(phone)
    section = phone.locator("#shelter-2")
    section.get_by_label("未開設").focus()
    phone.keyboard.press("ArrowRight")  # radios move with the arrow keys: 開設中
    phone.keyboard.press("Tab")
    phone.keyboard.type("駐車場は使えません")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "「開設中」にしました" in phone.locator(".messages").inner_text()
    assert "開設中" in phone.locator("#shelter-2").inner_text()
    assert_accessible(phone)
    with scope(municipality=town):
        shelter = Shelter.objects.get(site="000002")
    assert (shelter.status, shelter.note, shelter.name) == ("open", "駐車場は使えません", "下仁田町文化ホール")
