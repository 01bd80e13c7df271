"""The town's home page on a 360×640 phone: the band, then ごみ・手続き・予約 and the town's shortcuts all inside the
first screen (measured from the elements' boxes), reachable by keyboard, axe clean; and the 情報担当's site settings
at 360 px, a too-light colour refused with its ratio."""

from __future__ import annotations

import pytest

from tests import factories
from tests.browser.conftest import assert_accessible, log_in_staff, tab_to
from tests.website.site_support import admin, make_site, publish, staff_menu_reversible  # noqa: F401
from yakuba.website.models import PageKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("staff_menu_reversible")]

FIRST_SCREEN = 640


@pytest.fixture
def small_phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": FIRST_SCREEN}, device_scale_factor=2,
                                  locale="ja-JP", has_touch=True)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    yield page
    context.close()


def _town_with_site():
    town = factories.make_town("10382", "下仁田町")
    author = admin(town)
    make_site(town, colour="#2d6a2e", tagline="誰も取り残さないDXで ひとと暮らしと未来が輝く下仁田町へ", shortcuts=[
        {"label": "防災情報", "url": "/bousai/", "label_en": "Disaster information"},
        {"label": "町の計画", "url": "/plans/", "label_en": "Town plans"},
        {"label": "オープンデータ", "url": "/opendata/", "label_en": "Open data"}])
    kurashi = publish(town, author, "くらし・手続き", "kurashi", kind=PageKind.SECTION)
    publish(town, author, "ごみ・リサイクル", "gomi", kind=PageKind.SECTION, parent=kurashi)
    factories.make_notice(town, category="bousai", title="土砂災害警戒情報（青倉地区）")
    return town, author


def test_the_entry_points_fill_the_first_phone_screen_and_take_the_keyboard(live_server, small_phone):
    town, _author = _town_with_site()
    page = small_phone
    page.goto(f"{live_server.url}{town.path_prefix}/")
    entries = page.locator(".home-entries__link")
    assert entries.count() == 6  # ごみ, 手続き, 予約 and the town's three
    boxes = [entries.nth(i).bounding_box() for i in range(entries.count())]
    for box in boxes:
        assert box is not None and box["y"] + box["height"] <= FIRST_SCREEN, boxes
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 360, boxes
    band = page.locator(".town-band").bounding_box()
    assert band["height"] <= 96 and band["y"] < boxes[0]["y"]
    alert = page.locator(".home-alerts").bounding_box()
    assert band["y"] < alert["y"] < boxes[0]["y"]
    assert_accessible(page)
    tab_to(page, '[data-entry="applications:catalogue"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/procedures/")


def test_the_settings_page_at_360_px_refuses_a_light_colour_with_its_ratio(live_server, phone):
    town, author = _town_with_site()
    base = f"{live_server.url}{town.path_prefix}"
    log_in_staff(phone, base, author)
    phone.goto(f"{base}/staff/website/site/")
    assert_accessible(phone)
    phone.locator("#id_colour").fill("#7fb2e5")
    phone.locator("#id_tagline").fill("ねぎとこんにゃくの町")
    with phone.expect_navigation():
        phone.locator("main button[type=submit]").click()
    summary = phone.locator(".error-summary").inner_text()
    assert "コントラスト比" in summary and "4.5" in summary
    assert phone.locator("#id_tagline").input_value() == "ねぎとこんにゃくの町"
    assert_accessible(phone)
    phone.locator("#id_colour").fill("#1c4f8a")
    with phone.expect_navigation():
        phone.locator("main button[type=submit]").click()
    assert "保存しました" in phone.locator(".messages").inner_text()
    assert_accessible(phone)
