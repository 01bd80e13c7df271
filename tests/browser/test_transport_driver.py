"""The driver's tablet in real Chromium, at tablet width (800×1280) and on a 360 px phone, by keyboard only: the
route with the next stop first, 乗車 and 降車 pressed with Enter, the page moving on to the next stop, a changed plan
brought in by the poller (「予定が変わりました」); the operators' plan board. axe-core on every page."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.browser.conftest import assert_accessible, log_in_staff, tab_to
from tests.transport.driving_support import make_route, route_url
from yakuba.transport.models import DayPlan, RideStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tablet(browser):
    context = browser.new_context(viewport={"width": 800, "height": 1280}, locale="ja-JP", has_touch=True)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    yield page
    context.close()


def press(page, outcome: str) -> None:
    """Tab to the next stop's button and press Enter (keyboard only); the page reloads with the result."""
    tab_to(page, f"button[value={outcome}]")
    box = page.locator(f"button[value={outcome}]").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_driver_marks_the_route_on_a_tablet_and_a_phone(live_server, tablet, phone, town_a):
    route = make_route(town_a)
    base = live_server.url
    log_in_staff(tablet, f"{base}{town_a.path_prefix}", route.driver)

    tablet.goto(f"{base}{town_a.path_prefix}/staff/transport/drive/")
    assert_accessible(tablet)
    tab_to(tablet, "a.button")
    with tablet.expect_navigation():
        tablet.keyboard.press("Enter")
    assert tablet.url.endswith(route_url(route))
    next_card = tablet.locator(".drive-next")
    assert "山田さん" in next_card.inner_text() and "東公民館" in next_card.inner_text()
    assert_accessible(tablet)
    press(tablet, "boarded")
    assert "山田さん：乗車を記録しました。" in tablet.locator(".messages").inner_text()
    assert "佐藤さん" in tablet.locator(".drive-next").inner_text()
    assert_accessible(tablet)

    # The operators move the plan: the tablet's poller brings the new route without a reload.
    with scope(municipality=town_a):
        DayPlan.objects.filter(day=route.day).update(version=2)
    tablet.evaluate("htmx.trigger('#plan-poll', 'refresh')")
    tablet.locator("#plan-changed").get_by_text("予定が変わりました", exact=False).wait_for()
    assert tablet.locator("#plan-poll").get_attribute("data-version") == "2"
    assert_accessible(tablet)

    # The same driver on a phone (signed in once: a TOTP code is taken only once): 乗車 for the second rider, then
    # 降車 for the first.
    phone.context.add_cookies(tablet.context.cookies())
    phone.goto(f"{base}{route_url(route)}")
    assert_accessible(phone)
    press(phone, "boarded")
    assert "佐藤さん：乗車を記録しました。" in phone.locator(".messages").inner_text()
    card = phone.locator(".drive-next")
    assert "降車" in card.locator("h2").inner_text() and "山田さん" in card.inner_text()
    press(phone, "dropped")
    assert "山田さん：降車を記録しました。" in phone.locator(".messages").inner_text()
    assert_accessible(phone)

    with scope(municipality=town_a):
        route.first.refresh_from_db()
        route.second.refresh_from_db()
    assert route.first.status == RideStatus.DONE and route.second.status == RideStatus.BOARDED


def test_the_operator_sees_the_plan_board(live_server, phone, town_a):
    route = make_route(town_a)
    base = f"{live_server.url}{town_a.path_prefix}"
    log_in_staff(phone, base, route.operator)
    phone.goto(f"{base}/staff/transport/plan/")
    table = phone.locator(f"#vehicle-{route.vehicle.pk} ~ .table-wrap").first
    assert "山田 花子" in table.inner_text() and "佐藤 一郎" in table.inner_text()
    assert_accessible(phone)
