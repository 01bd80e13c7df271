"""A resident on a 360 px phone: the お知らせ list, a notice opened from a message (「確認しました」, then a reply
by keyboard alone), and the 防災情報ボード refreshing itself. axe-core on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_accessible
from tests.notices.test_views_public import make_delivery
from yakuba.notices.models import Reply, Shelter, ShelterStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_reads_confirms_and_replies_by_keyboard(live_server, phone):
    town = factories.make_town()
    factories.make_notice(town, title="大雨による避難指示", category="bousai",
                          body="馬山地区に避難指示を発令しました。")
    notice = factories.make_notice(town, title="防災訓練の出欠",
                                   body="11月30日に防災訓練を行います。\n出欠をお知らせください。",
                                   reply_kind="yes_no", reply_deadline=timezone.now() + timedelta(days=3),
                                   publish_at=timezone.now() - timedelta(hours=2))
    delivery = make_delivery(notice)
    base = f"{live_server.url}/t/10382"

    # The town's home page leads with the emergency, one tap from the notice.
    phone.goto(f"{base}/")
    assert "大雨による避難指示" in phone.locator(".home-alerts").inner_text()
    assert_accessible(phone)

    phone.goto(f"{base}/notices/")
    assert phone.locator("h1").inner_text() == "お知らせ"
    assert "発表中の防災情報" in phone.locator(".notice-pinned").inner_text()
    assert_accessible(phone)

    # Opened from the mail: 「確認しました」 first.
    phone.goto(f"{base}/notices/{notice.public_id}/?m={delivery.key}")
    assert phone.locator("h1").inner_text() == "防災訓練の出欠"
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="確認しました").click()
    assert "確認しました。ありがとうございます。" in phone.locator(".messages").inner_text()
    assert "確認済みです" in phone.locator(".notice-ack").inner_text()
    delivery.refresh_from_db()
    assert delivery.confirmed_at is not None
    assert_accessible(phone)

    # Sent without an answer: told why, what was typed kept.
    phone.fill("#id_comment", "家族2人で参加します")
    with phone.expect_navigation():
        phone.get_by_role("button", name="回答を送る").click()
    assert "回答を選んでください。" in phone.locator(".error-summary").inner_text()
    assert phone.title().startswith("エラー")
    assert phone.locator("#id_comment").input_value() == "家族2人で参加します"
    assert_accessible(phone)

    # The reply by keyboard alone: Tab to the radio, Space, Tab on to the button, Enter.
    phone.locator(".notice-ack").click()  # somewhere above the form, as a reader would be
    for _step in range(10):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.type") == "radio":
            break
    assert phone.evaluate("document.activeElement.type") == "radio"
    assert phone.evaluate("document.activeElement.value") == "はい"
    phone.keyboard.press("Space")
    for _step in range(4):
        if phone.evaluate("document.activeElement.type") == "submit":
            break
        phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent.trim()") == "回答を送る"
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "ご回答を受け付けました。" in phone.locator(".messages").inner_text()
    assert phone.get_by_label("はい").is_checked()
    assert phone.get_by_role("button", name="回答を変更する").count() == 1
    assert_accessible(phone)
    with scope(municipality=town):
        reply = Reply.objects.get(notice=notice)
    assert (reply.answer, reply.comment, reply.subscriber_id) == ("はい", "家族2人で参加します", delivery.subscriber_id)


def test_the_bousai_board_refreshes_itself_and_says_so(live_server, phone):
    town = factories.make_town()
    factories.make_notice(town, title="大雨による避難指示", category="bousai")
    factories.publish_shelters(town, {"ID": "000001", "名称": "下仁田小学校", "想定収容人数": "200"})
    with scope(municipality=town):
        shelter = Shelter.objects.create(municipality=town, site="000001", name="下仁田小学校",
                                         status=ShelterStatus.OPEN)
    base = f"{live_server.url}/t/10382"

    phone.goto(f"{base}/bousai/")
    assert "防災情報" in phone.locator("h1").inner_text()
    assert "開設中" in phone.locator("#bousai-live").inner_text()
    assert phone.locator("[data-auto-note]").is_visible()  # the script runs (CSP: scripts from 'self')
    assert_accessible(phone)

    with scope(municipality=town):
        shelter.status = ShelterStatus.FULL
        shelter.save()
    # What the minute's timer does, asked for now: the page turning visible again refreshes at once.
    phone.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(phone.locator("#bousai-live")).to_contain_text("満員")
    expect(phone.locator("[data-announce]")).to_contain_text("防災情報が更新されました。")
    assert_accessible(phone)


def test_the_board_fits_a_tablet(live_server, browser):
    town = factories.make_town()
    factories.make_notice(town, title="大雨による避難指示", category="bousai")
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="ja-JP")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/t/10382/bousai/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1024
        assert "大雨による避難指示" in page.locator("#bousai-live").inner_text()
    finally:
        context.close()
