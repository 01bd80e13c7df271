"""Receiving notices in real Chromium at 360 px: a visitor subscribes by keyboard alone (Tab, Space, typing, Enter),
is told to open the confirmation mail, confirms, changes the choices on the manage page and stops everything from
the unsubscribe link. axe-core on every page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from tests import factories
from tests.browser.conftest import assert_accessible, tab_to
from yakuba.kernel.messaging import services as messaging
from yakuba.kernel.messaging.models import Subscriber

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_a_visitor_subscribes_by_keyboard_confirms_manages_and_stops(live_server, phone):
    town = factories.make_town()
    town.settings = {"line": {"basic_id": "@shimonita"}}
    town.save()
    bousai = factories.make_category(town, "bousai")
    gomi = factories.make_category(town, "gomi")
    factories.make_category(town, "kurashi")
    area = factories.make_area(town, "馬山地区")
    base = f"{live_server.url}{town.path_prefix}"

    phone.goto(f"{base}/notices/subscribe/")
    assert phone.locator("h1").inner_text() == "お知らせを受け取る"
    assert phone.locator(f"#id_categories input[value='{bousai.pk}']").is_checked()
    assert phone.get_by_role("img", name="LINE友だち追加のQRコード（LINE ID: @shimonita）").is_visible()
    assert_accessible(phone)

    # First without any category: the page says what is wrong and keeps the address.
    phone.locator(f"#id_categories input[value='{bousai.pk}']").uncheck()
    phone.fill("input[name=email]", "hanako@example.jp")
    with phone.expect_navigation():
        phone.get_by_role("button", name="登録する", exact=True).click()
    assert "1つ以上選んでください" in phone.locator(".error-summary").inner_text()
    assert phone.locator("input[name=email]").input_value() == "hanako@example.jp"
    assert_accessible(phone)

    # Keyboard only from here: Tab to each control, Space to tick, type, Enter to send.
    phone.locator("body").click(position={"x": 1, "y": 1})
    phone.evaluate("document.activeElement && document.activeElement.blur()")
    tab_to(phone, f"input[name=categories][value='{bousai.pk}']")
    phone.keyboard.press("Space")
    tab_to(phone, f"input[name=categories][value='{gomi.pk}']")
    phone.keyboard.press("Space")
    tab_to(phone, f"input[name=areas][value='{area.pk}']")
    phone.keyboard.press("Space")
    tab_to(phone, "select[name=quiet_start]")
    phone.keyboard.press("End")  # 23:00
    phone.keyboard.press("ArrowUp")  # 22:00
    tab_to(phone, "select[name=quiet_end]")
    phone.keyboard.type("7")
    tab_to(phone, "input[name=email]")
    phone.keyboard.press("Control+A")
    phone.keyboard.type("hanako@example.jp")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert phone.locator("h1").inner_text() == "確認メールを送りました"
    assert "メールに書かれたリンクを開いて" in phone.locator("main").inner_text()
    assert_accessible(phone)

    with scope(municipality=town):
        subscriber = Subscriber.objects.get()
        subscription = subscriber.notice_subscription
        assert sorted(subscription.categories.values_list("slug", flat=True)) == ["bousai", "gomi"]
        assert list(subscription.areas.all()) == [area]
        assert (subscriber.quiet_start.hour, subscriber.quiet_end.hour) == (22, 7)
        endpoint = subscriber.endpoints.get()
        # The mail's link (the mail itself is tested in tests/kernel/messaging/test_links.py).
        _endpoint, token = messaging.add_email(subscriber, endpoint.address)

    phone.goto(f"{base}{reverse('messaging:confirm', args=[token])}")
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="登録を完了する").click()
    assert phone.locator("h1").inner_text() == "登録が完了しました"
    assert_accessible(phone)
    manage_url = phone.get_by_role("link", name="受け取るお知らせや受け取り方を変える").get_attribute("href")

    # The same link again: refused at once, in words, with no button that could only fail.
    phone.goto(f"{base}{reverse('messaging:confirm', args=[token])}")
    assert "すでに使われています" in phone.locator(".error-summary").inner_text()
    assert phone.get_by_role("button", name="登録を完了する").count() == 0
    assert_accessible(phone)

    phone.goto(f"{live_server.url}{manage_url}")
    assert phone.locator("h1").inner_text() == "お知らせの配信の設定"
    assert "hanako@example.jp" in phone.locator("main").inner_text()
    assert_accessible(phone)
    phone.locator(f"input[name=categories][value='{gomi.pk}']").uncheck()
    with phone.expect_navigation():
        phone.get_by_role("button", name="変更を保存する").click()
    assert "受け取るお知らせを変更しました" in phone.locator("main").inner_text()
    assert_accessible(phone)
    with scope(municipality=town):
        assert list(subscription.categories.values_list("slug", flat=True)) == ["bousai"]

    phone.goto(f"{base}{reverse('messaging:unsubscribe', args=[subscriber.token])}")
    assert phone.locator("h1").inner_text() == "配信の停止"
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="配信を停止する").click()
    assert phone.locator("h1").inner_text() == "配信を停止しました"
    assert_accessible(phone)
    with scope(municipality=town):
        subscriber.refresh_from_db()
        assert subscriber.unsubscribed_at is not None
    with phone.expect_navigation():
        phone.get_by_role("link", name="配信を再開する").click()
    assert "いま、配信を停止しています" in phone.locator("main").inner_text()
    assert_accessible(phone)
