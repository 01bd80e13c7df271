"""Journeys in real Chromium at 360 px: each town's home page, keyboard-only staff login, furigana, text size."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible
from yakuba.kernel.ops import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("code, name", [("10382", "下仁田町"), ("10384", "甘楽町"), ("10421", "中之条町"),
                                        ("22344", "小山町")])
def test_each_demo_town_home_is_accessible_on_a_phone(live_server, phone, demo_towns, code, name):
    phone.goto(f"{live_server.url}/t/{code}/")
    assert name in phone.title()
    assert phone.locator("h1").inner_text().startswith(name)
    assert_accessible(phone)
    # The skip link is the first Tab stop, visible when focused, and moves focus to the main content.
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.className") == "skip-link"
    assert phone.locator(".skip-link").bounding_box()["y"] >= 0
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "main"


def test_platform_index_and_error_pages_are_accessible(live_server, phone, demo_towns):
    phone.goto(f"{live_server.url}/")
    assert_accessible(phone)
    phone.goto(f"{live_server.url}/t/103820/")
    assert "検査数字" in phone.locator("main").inner_text()
    assert_accessible(phone)


def _tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never received focus by Tab")


def test_keyboard_only_staff_login_with_totp(live_server, phone, demo_towns):
    email = "soumu@shimonita.demo"
    phone.goto(f"{live_server.url}/t/10382/staff/")
    assert "/staff/login/" in phone.url
    assert_accessible(phone)
    _tab_to(phone, "input[name=username]")
    phone.keyboard.type(email)
    _tab_to(phone, "input[name=password]")
    phone.keyboard.type("wrong password")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "メールアドレスまたはパスワードが正しくありません" in phone.locator(".error-summary").inner_text()
    assert phone.locator("input[name=username]").input_value() == email  # typing kept
    assert_accessible(phone)
    _tab_to(phone, "input[name=password]")
    phone.keyboard.type(demo.DEMO_PASSWORD)
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/staff/login/otp/**")
    assert_accessible(phone)
    # The code field has focus on arrival (autofocus): type the authenticator's code and submit.
    assert phone.evaluate("document.activeElement.name") == "token"
    phone.keyboard.type(demo.current_code(email))
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/t/10382/staff/")
    assert phone.locator("h1").inner_text() == "職員用トップ"
    assert "総務課" in phone.locator("header").inner_text()
    assert_accessible(phone)


def test_furigana_switch_shows_ruby(live_server, phone, demo_towns):
    phone.goto(f"{live_server.url}/t/10382/")
    assert phone.locator("ruby").count() == 0
    # The switches sit behind the 表示・言語 disclosure: a keyboard user opens it with Enter, then tabs on.
    _tab_to(phone, "summary.tools-menu__summary")
    phone.keyboard.press("Enter")
    _tab_to(phone, "button[name=furigana]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert phone.locator("ruby").count() > 10
    assert "しもにた" in phone.locator("h1 rt").all_inner_texts()[0]
    assert phone.locator("button[name=furigana]").get_attribute("aria-pressed") == "true"
    assert_accessible(phone)


def test_text_size_and_language_switches(live_server, phone, demo_towns):
    phone.goto(f"{live_server.url}/t/10382/")
    before = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    phone.locator("summary.tools-menu__summary").click()
    with phone.expect_navigation():
        phone.locator("button[name=text_size][value=xlarge]").click()
    assert phone.evaluate("document.documentElement.className") == "text-xlarge"
    assert phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= before * 1.4
    assert_accessible(phone)
    phone.locator("summary.tools-menu__summary").click()
    with phone.expect_navigation():
        phone.locator("button[name=language][value=en]").click()
    assert phone.evaluate("document.documentElement.lang") == "en"
    assert "Skip to main content" in phone.locator(".skip-link").inner_text()
    assert_accessible(phone)
