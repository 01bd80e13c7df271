"""The town map in real Chromium at 360 px: Leaflet from the vendored files draws every feature, the list view comes
below the map and is reached by keyboard, axe finds nothing serious, and no request leaves the machine."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser.conftest import assert_accessible, tab_to
from tests.opendata.test_maps import make_layer, make_point, publish_aed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}


def test_the_map_and_its_list_view_at_360px(live_server, phone, town_a):
    publish_aed(town_a)  # two located rows, one without coordinates
    layer = make_layer(town_a, for_disasters=True)
    make_point(layer, title="町道の倒木", description="通行止め")
    requested: list[str] = []
    phone.on("request", lambda request: requested.append(request.url))
    base = f"{live_server.url}{town_a.path_prefix}"

    phone.goto(f"{base}/map/")
    phone.wait_for_selector("#town-map[data-ready='true']")

    assert phone.locator(".leaflet-container").count() == 1
    markers = phone.locator(".leaflet-overlay-pane path.leaflet-interactive")
    assert markers.count() == 3 == int(phone.locator("#town-map").get_attribute("data-markers"))
    assert phone.locator(".leaflet-tile").count() == 0  # no base map in tests
    assert phone.get_by_role("region", name="地図（同じ内容を下の一覧でも見られます）").count() == 1
    assert_accessible(phone)

    # At 360 px the list comes below the map.
    map_box = phone.locator("#town-map").bounding_box()
    list_box = phone.locator("#map-list").bounding_box()
    assert map_box is not None and list_box is not None and list_box["y"] >= map_box["y"] + map_box["height"]

    # The keyboard path: the skip link takes the focus to the list, the next Tab to its first item.
    tab_to(phone, "a[href='#map-list']")
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "map-list"
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent.trim()") == "下仁田町役場"
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "/opendata/aed/items/AED-001/" in phone.url

    # A marker's popup links to the item's page.
    phone.goto(f"{base}/map/")
    phone.wait_for_selector("#town-map[data-ready='true']")
    phone.locator(".leaflet-overlay-pane path.leaflet-interactive").last.click()
    popup = phone.locator(".leaflet-popup-content a")
    popup.wait_for()
    assert popup.inner_text() in ("下仁田町役場", "下仁田町文化ホール", "町道の倒木")
    # Leaflet fades the popup in; axe would measure the contrast half way.
    phone.wait_for_function("() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")
    assert_accessible(phone)

    # The point's own page, and its layer's GeoJSON.
    phone.goto(f"{base}/map/")
    phone.locator("#map-list a", has_text="町道の倒木").click()
    phone.wait_for_load_state()
    assert "通行止め" in phone.locator("main").inner_text()
    assert_accessible(phone)

    outside = [url for url in requested if urlparse(url).scheme in ("http", "https", "ws", "wss")
               and urlparse(url).hostname not in LOOPBACK]
    assert outside == []


def test_staff_add_a_point_and_see_a_swapped_coordinate_error(live_server, phone, town_a, staff_a):
    from tests.browser.conftest import log_in_staff

    make_layer(town_a, department=staff_a.department)
    base = f"{live_server.url}{town_a.path_prefix}"
    log_in_staff(phone, base, staff_a)
    phone.goto(f"{base}/staff/map/layers/")
    assert_accessible(phone)
    phone.goto(f"{base}/staff/map/layers/saigai/")
    assert_accessible(phone)

    phone.fill("#id_title", "県道の土砂崩れ")
    phone.fill("#id_latitude", "138.78")
    phone.fill("#id_longitude", "36.21")
    with phone.expect_navigation():
        phone.locator("form.map-form button[type=submit]").click()
    assert "緯度と経度が入れ替わっていませんか" in phone.locator(".error-summary").inner_text()
    assert phone.locator("#id_title").input_value() == "県道の土砂崩れ"
    assert_accessible(phone)

    phone.fill("#id_latitude", "36.21")
    phone.fill("#id_longitude", "138.78")
    with phone.expect_navigation():
        phone.locator("form.map-form button[type=submit]").click()
    assert "地点「県道の土砂崩れ」を追加しました。" in phone.locator(".messages").inner_text()
    assert_accessible(phone)


def test_wider_the_list_is_beside_the_map(live_server, browser, town_a):
    publish_aed(town_a)
    context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="ja-JP")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    try:
        page.goto(f"{live_server.url}{town_a.path_prefix}/map/")
        page.wait_for_selector("#town-map[data-ready='true']")
        map_box = page.locator("#town-map").bounding_box()
        list_box = page.locator("#map-list").bounding_box()
        assert map_box is not None and list_box is not None and list_box["x"] >= map_box["x"] + map_box["width"]
        assert page.locator(".leaflet-control-layers-list input:checked").count() == 1  # shown open, all on
        assert_accessible(page)
    finally:
        context.close()
