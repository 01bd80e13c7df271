"""キャッシュレス決済 at 360 px with fakepay in its own process: a resident pays a room booking's fee (a declined card
first), gets the 領収書, cancels and is refunded; a clerk takes cash at the counter for another booking. axe-core on
every page, the provider's page included."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.browser.conftest import assert_accessible, log_in_staff
from tests.payments.conftest import ACCOUNTS, start_fakepay, use_fakepay
from tests.reservations.test_views_public import make_room
from yakuba.payments import fakepay as fake
from yakuba.payments.models import Payment
from yakuba.reservations import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider():
    # On SQLite the live server's threads share one in-memory connection, so a webhook arriving while the browser
    # comes back would interleave two transactions on it; there the return page alone reads the outcome (webhooks
    # are tested through the test client). On PostgreSQL both race, as in production.
    process, url = start_fakepay(ACCOUNTS, webhooks=connection.vendor != "sqlite")
    yield url
    process.terminate()
    process.wait(timeout=10)


def _book(room, resident, days: int):
    starts = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(10)))
    with scope(municipality=room.municipality):
        return services.reserve_room(room, resident, starts, starts + timedelta(hours=2), purpose="自治会の会議")


def test_a_resident_pays_gets_the_receipt_cancels_and_is_refunded(live_server, phone, provider, settings):
    settings.BASE_URL = live_server.url  # where the provider sends the resident back
    town = factories.make_town()
    use_fakepay(town, provider)
    resident = factories.make_resident(town, email="hanako@example.jp")
    reservation = _book(make_room(town), resident, days=5)
    base = f"{live_server.url}/t/10382"

    phone.goto(f"{base}/accounts/login/?next=/t/10382/my/reservations/{reservation.public_id}/")
    phone.fill("input[name=username]", "hanako@example.jp")
    phone.fill("input[name=password]", factories.PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="ログイン", exact=True).click()
    assert "1,200円" in phone.locator("#payment-title + p").inner_text()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.locator(".payment-box").get_by_role("link", name="お支払いへ進む").click()
    assert phone.locator("h1").inner_text() == "お支払い"
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="お支払いへ進む").click()

    # The provider's page (another process): a declined card first, then a good one.
    assert "fakepay" in phone.title()
    assert_accessible(phone)
    phone.fill("#card", fake.FAILING_CARD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="支払う").click()
    assert "ご利用になれません" in phone.locator("[role=alert]").inner_text()
    assert_accessible(phone)
    phone.fill("#card", "4242 4242 4242 4242")
    with phone.expect_navigation():
        phone.get_by_role("button", name="支払う").click()

    # Back on the town's site: the outcome was read from the provider.
    assert "/my/reservations/" in phone.url
    assert "お支払いが完了しました" in phone.locator("main").inner_text()
    assert "支払済み" in phone.locator(".payment-box").inner_text()
    assert_accessible(phone)
    receipt = phone.locator(".payment-box").get_by_role("link", name="領収書（PDF）").get_attribute("href")
    answer = phone.request.get(f"{live_server.url}{receipt}" if receipt.startswith("/") else receipt)
    assert answer.status == 200 and answer.body().startswith(b"%PDF")

    with phone.expect_navigation():
        phone.get_by_role("link", name="予約を取り消す").click()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="予約を取り消す").click()
    assert "1,200円を還付しました" in phone.locator(".payment-box").inner_text()
    assert_accessible(phone)


def test_a_clerk_takes_cash_at_the_counter(live_server, phone, provider):
    town = factories.make_town()
    use_fakepay(town, provider)
    reservation = _book(make_room(town), factories.make_resident(town), days=6)
    clerk = factories.make_staff(town)
    base = f"{live_server.url}/t/10382"
    log_in_staff(phone, base, clerk)

    phone.goto(f"{base}/staff/payments/")
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name=f"R{reservation.pk:06d}").click()
    assert_accessible(phone)
    phone.get_by_label("現金（窓口）").check()
    phone.fill("#id_received", "500")  # a mistake: less than the fee
    with phone.expect_navigation():
        phone.get_by_role("button", name="1,200円を受け取った").click()
    assert "少なく" in phone.locator(".error-summary").inner_text()
    assert_accessible(phone)
    phone.fill("#id_received", "2000")
    with phone.expect_navigation():
        phone.get_by_role("button", name="1,200円を受け取った").click()
    assert "おつり 800円" in phone.locator("main").inner_text()
    assert_accessible(phone)
    with scope(municipality=town):
        paid = Payment.objects.get(payable_key=str(reservation.pk))
    assert (paid.status, paid.method, paid.taken_by) == ("success", "cash", clerk)
    phone.goto(f"{base}/staff/payments/daily/")
    assert "1,200" in phone.locator("table").first.inner_text()
    assert_accessible(phone)
