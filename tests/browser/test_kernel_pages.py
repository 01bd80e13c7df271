"""Every kernel page at 360 px passes axe-core (no serious or critical violations) and never scrolls sideways."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from tests.browser.conftest import assert_accessible
from yakuba.kernel.accounts.models import Resident, Staff
from yakuba.kernel.ops import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_resident(page, base: str, email: str = "resident1@shimonita.demo") -> None:
    page.goto(f"{base}/t/10382/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("form:has(input[name=username]) button[type=submit]")
    page.wait_for_url("**/accounts/profile/")


def sign_in_staff(page, base: str, email: str) -> None:
    page.goto(f"{base}/t/10382/staff/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("form:has(input[name=username]) button[type=submit]")
    page.wait_for_url("**/otp/**")
    page.fill("input[name=token]", demo.current_code(email))
    page.click("form:has(input[name=token]) button[type=submit]")
    page.wait_for_url("**/staff/")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_public_pages(live_server, phone, demo_towns, language):
    base = live_server.url
    if language == "en":
        phone.goto(f"{base}/t/10382/")
        phone.click("summary.tools-menu__summary")  # the switches sit behind the 表示・言語 disclosure
        with phone.expect_navigation():
            phone.click("button[name=language][value=en]")
    for path in ["/", "/t/10382/", "/t/10382/accounts/login/", "/t/10382/accounts/signup/",
                 "/t/10382/accounts/password/", "/t/10382/accounts/verify/not-a-token/",
                 "/t/10382/accounts/oidc/start/", "/t/10382/no-such-page/", "/t/99999/"]:
        phone.goto(base + path)
        assert_accessible(phone)
    # Form errors: summary on top, message at the field, typing kept.
    phone.goto(f"{base}/t/10382/accounts/signup/")
    phone.fill("input[name=email]", "not-an-email")
    with phone.expect_navigation():
        phone.click("main button[type=submit]")
    assert phone.locator(".error-summary").is_visible()
    assert phone.locator("input[name=email]").input_value() == "not-an-email"
    assert phone.locator("input[name=email]").get_attribute("aria-invalid") == "true"
    assert_accessible(phone)


def test_resident_profile_pages(live_server, phone, demo_towns):
    base = live_server.url
    sign_in_resident(phone, base)
    assert_accessible(phone)
    phone.fill("input[name=family_name_kana]", "yamada")
    with phone.expect_navigation():
        phone.click("main form button[type=submit]")
    assert "カタカナで入力してください" in phone.locator(".error-summary").inner_text()
    assert_accessible(phone)
    phone.fill("input[name=family_name_kana]", "やまだ")
    phone.click("main form button[type=submit]")
    phone.wait_for_url("**/accounts/profile/")
    assert phone.locator("input[name=family_name_kana]").input_value() == "ヤマダ"


def test_a_resident_of_one_town_starts_using_another_by_keyboard(live_server, phone, demo_towns):
    """Signed in on 下仁田町's pages, a resident opens 甘楽町's マイページ: asked first (no row made by looking),
    then one button, by keyboard, and they are there."""
    base = live_server.url
    sign_in_resident(phone, base)
    phone.goto(f"{base}/t/10384/accounts/profile/")
    phone.wait_for_url("**/t/10384/accounts/join/**")
    assert "甘楽町のサービスを使う" in phone.locator("h1").inner_text()
    assert_accessible(phone)
    start = phone.get_by_role("button", name="甘楽町のサービスを使い始める")
    start.focus()
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert phone.url.endswith("/t/10384/accounts/profile/")
    assert "甘楽町のサービスを使えるようになりました" in phone.locator("main").inner_text()
    assert phone.locator("input[name=family_name]").input_value() == ""  # nothing of 下仁田町's profile
    assert_accessible(phone)


def test_staff_pages(live_server, phone, demo_towns):
    base = live_server.url
    sign_in_staff(phone, base, "admin@shimonita.demo")
    assert_accessible(phone)
    with scopes_disabled():
        resident = Resident.objects.filter(municipality__code="103829").first()
        member = Staff.objects.get(user__email="juumin@shimonita.demo")
    for path in ["/t/10382/staff/residents/", "/t/10382/staff/residents/?q=山田",
                 f"/t/10382/staff/residents/{resident.pk}/", "/t/10382/staff/members/",
                 f"/t/10382/staff/members/{member.pk}/", "/t/10382/staff/members/new/",
                 "/t/10382/staff/audit/", "/t/10382/staff/audit/?action=accounts"]:
        phone.goto(base + path)
        assert phone.locator("h1").count() == 1
        assert_accessible(phone)
    # The invitation form with errors, and a used or broken password link.
    phone.goto(f"{base}/t/10382/staff/members/new/")
    phone.fill("input[name=email]", "not-an-email")
    with phone.expect_navigation():
        phone.click("main form button[type=submit]")
    assert phone.locator(".error-summary").is_visible()
    assert_accessible(phone)
    phone.goto(f"{base}/t/10382/accounts/password/MQ/bad-token/")
    assert "このリンクは使えません" in phone.locator("main").inner_text()
    assert_accessible(phone)


def test_staff_totp_enrolment_page(live_server, phone, demo_towns):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user__email="juumin@shimonita.demo").delete()
    base = live_server.url
    phone.goto(f"{base}/t/10382/staff/login/")
    phone.fill("input[name=username]", "juumin@shimonita.demo")
    phone.fill("input[name=password]", demo.DEMO_PASSWORD)
    phone.click("form:has(input[name=username]) button[type=submit]")
    phone.wait_for_url("**/otp/setup/**")
    assert phone.locator(".qr svg").is_visible()
    assert_accessible(phone)


def test_forbidden_page(live_server, phone, demo_towns):
    base = live_server.url
    sign_in_resident(phone, base)
    response = phone.goto(f"{base}/t/10382/staff/residents/")
    assert response.status == 403
    assert "権限がありません" in phone.locator("main").inner_text()
    assert_accessible(phone)
