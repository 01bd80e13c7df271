"""The staff top page's day's work at 360 px, and the queue's bulk action by keyboard alone, as demo clerks."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from tests.browser.conftest import assert_accessible, tab_to
from yakuba.applications.models import Status, Submission
from yakuba.kernel.ops import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in_demo(page, base: str, email: str) -> None:
    page.goto(f"{base}/staff/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    page.fill("input[name=token]", demo.current_code(email))
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert "/staff/login" not in page.url and "/staff/otp" not in page.url


def test_the_days_work_and_a_bulk_action_by_keyboard(live_server, phone, demo_towns, tmp_path):
    base = f"{live_server.url}/t/10382"
    log_in_demo(phone, base, "hoken@shimonita.demo")
    phone.goto(f"{base}/staff/")
    work = phone.locator("section.worklist")
    assert "今日の仕事（保健課）" in work.locator("h2").inner_text()
    assert "介護保険 要介護・要支援認定申請" in work.inner_text()
    assert_accessible(phone)
    phone.screenshot(path=str(tmp_path / "dashboard-hoken.png"), full_page=True)

    # From the count to the list it counts, then 受付処理 of both with the keyboard only.
    with phone.expect_navigation():
        work.get_by_role("link", name="後期高齢者医療 各種届").click()
    assert "procedure=" in phone.url
    phone.goto(f"{base}/staff/applications/?status=received")
    assert_accessible(phone)
    boxes = phone.locator("input[name=ids]")
    assert boxes.count() == 2
    for index in range(2):
        tab_to(phone, "#" + (boxes.nth(index).get_attribute("id") or ""))
        phone.keyboard.press("Space")
        assert boxes.nth(index).is_checked()
    tab_to(phone, "select[name=bulk-action]")
    phone.keyboard.press("ArrowDown")
    phone.keyboard.press("ArrowDown")
    assert phone.locator("select[name=bulk-action]").input_value() == "start_review"
    tab_to(phone, "#bulk-form button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "2件を審査中にしました" in phone.locator(".messages").inner_text()
    with scopes_disabled():
        assert Submission.objects.filter(department__name="保健課", municipality__code="103829",
                                         status=Status.REVIEWING).count() == 2

    # The same action again on the page they are now on refuses, listing them, with the ticks kept.
    phone.goto(f"{base}/staff/applications/?status=reviewing")
    phone.locator("input[name=ids]").first.check()
    phone.select_option("select[name=bulk-action]", "start_review")
    with phone.expect_navigation():
        phone.locator("#bulk-form button[type=submit]").click()
    assert "どれも処理していません" in phone.locator(".error-summary").inner_text()
    assert phone.locator("input[name=ids]").first.is_checked()
    assert_accessible(phone)
    phone.screenshot(path=str(tmp_path / "queue-refused.png"), full_page=True)


def test_the_readme_clerk_sees_the_days_work(live_server, phone, demo_towns, tmp_path):
    base = f"{live_server.url}/t/10382"
    log_in_demo(phone, base, "soumu@shimonita.demo")
    phone.goto(f"{base}/staff/")
    assert "今日の仕事（総務課）" in phone.locator("section.worklist h2").inner_text()
    assert "DX推進計画・KPI" in phone.locator("section.worklist").inner_text()
    assert_accessible(phone)
    phone.screenshot(path=str(tmp_path / "dashboard-soumu.png"), full_page=True)
