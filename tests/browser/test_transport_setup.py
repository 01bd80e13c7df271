"""An operator of the 担当課 keeps the デマンド交通 乗降ポイント in real Chromium at 360 px, by keyboard only: adds a
stop with a latitude out of range, reads the error, fixes it, and finds the stop on the map page's table; the
other setup pages pass axe-core too."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.browser.conftest import assert_accessible, log_in_staff, tab_to
from tests.transport.support import make_service, operator
from yakuba.kernel.accounts.models import Role
from yakuba.transport.models import Stop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _type(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def _submit(page) -> None:
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_operator_adds_a_stop_by_keyboard(live_server, phone):
    from tests import factories

    town = factories.make_town("10382", "下仁田町")
    make_service(town)
    clerk = operator(town)
    base = f"{live_server.url}{town.path_prefix}"
    log_in_staff(phone, base, clerk)

    phone.goto(f"{base}/staff/transport/setup/stops/new/")
    assert_accessible(phone)
    _type(phone, "#id_code", "kominkan")
    _type(phone, "#id_name", "中央公民館")
    tab_to(phone, "#id_zone")
    phone.keyboard.press("ArrowDown")  # the first zone, 中心部
    _type(phone, "#id_latitude", "361.2")
    _type(phone, "#id_longitude", "138.79")
    _submit(phone)
    summary = phone.locator(".error-summary")
    assert "緯度は-90〜90の数で入力してください" in summary.inner_text()
    assert phone.locator("#id_name").input_value() == "中央公民館"
    assert phone.locator("#id_longitude").input_value() == "138.79"
    assert_accessible(phone)

    _type(phone, "#id_latitude", "36.2110")
    _submit(phone)
    assert "中央公民館" in phone.locator(".messages").inner_text()
    assert "中央公民館" in phone.locator("#stops-list table").inner_text()
    assert_accessible(phone)
    with scope(municipality=town):
        assert str(Stop.objects.get(code="kominkan").latitude) == "36.211000"

    for page in ("", "travel/"):
        phone.goto(f"{base}/staff/transport/setup/{page}")
        assert_accessible(phone)


def test_head_sees_every_setup_page(live_server, phone):
    from tests import factories

    town = factories.make_town("10382", "下仁田町")
    make_service(town)
    head = operator(town, Role.APPROVER)
    log_in_staff(phone, f"{live_server.url}{town.path_prefix}", head)
    base = f"{live_server.url}{town.path_prefix}/staff/transport/setup/"
    with scope(municipality=town):
        stop = Stop.objects.get(code="yakuba")
    for page in ("", "service/", "zones/new/", "vehicles/new/", "routes/new/", f"stops/{stop.pk}/"):
        phone.goto(base + page)
        assert_accessible(phone)
    phone.goto(base + "service/")
    _type(phone, "#id_speed_kmh", "200")
    _submit(phone)
    assert "平均速度は5〜80km/h" in phone.locator(".error-summary").inner_text()
    assert phone.locator("#id_speed_kmh").input_value() == "200"
    assert_accessible(phone)
