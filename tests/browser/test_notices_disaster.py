"""災害モード in the demo town 下仁田町, in real Chromium: the 防災 clerk publishes a レベル4 notice at 360 px, the
resident's home becomes the light page (axe-clean at 360 px and at a tablet's 768 px; screenshots in /tmp/shots), every
other page carries the banner, and the 所属長 ends it with the keyboard alone; the ordinary home comes back."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_scopes import scope

from tests.browser.conftest import assert_accessible, tab_to
from tests.browser.test_staff_dashboard import log_in_demo
from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.tenancy.models import Municipality
from yakuba.notices.models import ShelterStatus
from yakuba.notices.services import shelters

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def _open_two_shelters() -> None:
    """As the clerk would on 避難所の状況 (that page has its own journey): one open, one crowded."""
    town = Municipality.objects.get(code="103829")
    with scope(municipality=town):
        clerk = Staff.objects.get(user__email="soumu@shimonita.demo")
        places = shelters.places(town)[:2]
        for place, status in zip(places, (ShelterStatus.OPEN, ShelterStatus.CROWDED), strict=True):
            shelters.set_shelter_status(clerk, place.key, status=status, note="")


def test_a_level_4_notice_turns_the_demo_town_into_disaster_mode_and_the_kacho_ends_it(
        live_server, browser, phone, demo_towns):
    SHOTS.mkdir(exist_ok=True)
    base = f"{live_server.url}/t/10382"
    log_in_demo(phone, base, "soumu@shimonita.demo")
    phone.goto(f"{base}/staff/notices/new/")
    phone.locator("#id_category").select_option(label="防災")
    phone.locator("#id_alert_level").select_option(value="4")
    phone.locator("#id_title").fill("土砂災害警戒情報に伴う避難指示（青倉地区・西牧地区）")
    phone.locator("#id_body").fill("青倉地区と西牧地区に避難指示を出しました。崖の近くの方は、下仁田小学校へ避難してください。")
    phone.locator("#id_deliver").uncheck()
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存して表示を確かめる").click()
    assert "公開すると、公開サイトが災害モードになります" in phone.locator("main").inner_text()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="公開する").click()
    indicator = phone.locator(".town-alert--staff")
    assert "公開サイトは災害モードです" in indicator.inner_text()
    assert_accessible(phone)
    _open_two_shelters()

    # A resident (no account) opens the town's home: the light page, at a phone's and a tablet's width.
    tablet = browser.new_context(viewport={"width": 768, "height": 1024}, locale="ja-JP").new_page()
    tablet.console_errors = []
    for page, name in ((browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                            locale="ja-JP", has_touch=True).new_page(), "phone-360"),
                       (tablet, "tablet-768")):
        page.console_errors = []
        requests: list[str] = []
        page.on("request", lambda request, requests=requests: requests.append(request.url))
        page.goto(f"{base}/")
        alert = page.locator("section.alert")
        assert "警戒レベル4 避難指示" in alert.inner_text()
        assert "土砂災害警戒情報に伴う避難指示" in alert.inner_text()
        assert "開設中" in page.locator(".shelters").inner_text() and "混雑" in page.locator(".shelters").inner_text()
        assert page.locator("a[href='tel:119']").count() == 1
        assert not [url for url in requests if url.endswith(".js")]  # no script at all
        assert_accessible(page)
        page.screenshot(path=str(SHOTS / f"disaster-{name}.png"), full_page=True)
        # Every other page carries the banner, linking to the board.
        page.goto(f"{base}/notices/")
        banner = page.locator(".town-alert")
        assert "警戒レベル4 避難指示" in banner.inner_text()
        assert_accessible(page)
        page.screenshot(path=str(SHOTS / f"disaster-banner-{name}.png"))
        page.context.close()

    # The 所属長 ends it, keyboard only: from the indicator to the confirmation, then the button.
    kacho = browser.new_context(viewport={"width": 360, "height": 740}, locale="ja-JP").new_page()
    kacho.console_errors = []
    log_in_demo(kacho, base, "kacho@shimonita.demo")
    kacho.goto(f"{base}/staff/")
    kacho.screenshot(path=str(SHOTS / "disaster-staff-360.png"))
    tab_to(kacho, ".town-alert--staff a.button")  # 災害モードを終える, on every staff page
    with kacho.expect_navigation():
        kacho.keyboard.press("Enter")
    assert_accessible(kacho)
    tab_to(kacho, "main form button[type=submit]")
    with kacho.expect_navigation():
        kacho.keyboard.press("Enter")
    assert "災害モードを終えました" in kacho.locator(".messages").inner_text()
    assert kacho.locator(".town-alert--staff").count() == 0
    assert_accessible(kacho)
    kacho.context.close()

    phone.goto(f"{base}/")
    assert phone.locator(".town-band").count() == 1  # the town's own home page is back (website/site/home.html)
    assert phone.locator(".town-alert").count() == 0
