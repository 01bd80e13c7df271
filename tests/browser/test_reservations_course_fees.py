"""講座受講料 at 360 px with fakepay in its own process: a resident enrols in a 料理教室 with a fee, pays it from the
result panel, comes back to the enrolment's page with the receipt, and finds it paid in 予約の確認. axe-core on every
page of the town."""

from __future__ import annotations

import pytest
from django.db import connection
from django_scopes import scope

from tests import factories
from tests.browser.conftest import assert_accessible
from tests.payments.conftest import ACCOUNTS, start_fakepay, use_fakepay
from tests.reservations.test_courses_views import at
from yakuba.reservations.models import Enrolment
from yakuba.reservations.services import courses as services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider():
    # As in test_payments: on SQLite the return page alone reads the outcome (no webhooks racing it).
    process, url = start_fakepay(ACCOUNTS, webhooks=connection.vendor != "sqlite")
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_a_resident_enrols_pays_the_fee_and_gets_the_receipt(live_server, phone, provider, settings):
    settings.BASE_URL = live_server.url  # where the provider sends the resident back
    town = factories.make_town()
    use_fakepay(town, provider)
    clerk = factories.make_staff(town, department="総務課")
    factories.make_resident(town, email="hanako@example.jp")
    with scope(municipality=town):
        course = services.create_course(town, staff=clerk, title="料理教室", department=clerk.department, fee=500,
                                        fee_note="材料費", slug="cooking")
        session = services.add_session(course, staff=clerk, starts_at=at(9), ends_at=at(9, 13),
                                       place="中央公民館 調理室", seats=8)
    base = f"{live_server.url}{town.path_prefix}"

    phone.goto(f"{base}/accounts/login/?next={town.path_prefix}/reservations/courses/cooking/")
    phone.fill("input[name=username]", "hanako@example.jp")
    phone.fill("input[name=password]", factories.PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="ログイン", exact=True).click()
    assert "500円（材料費）" in phone.locator("main").inner_text()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.locator(f"#session-{session.pk} a.button").click()
    assert "申し込んだ後、受講料をオンラインでお支払いください" in phone.locator("main").inner_text()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="申し込む", exact=True).click()
    assert phone.locator(".confirmation h1").inner_text() == "申込済みです"
    assert "500円" in phone.locator("#payment-title + p").inner_text()
    assert_accessible(phone)

    with phone.expect_navigation():
        phone.locator(".payment-box").get_by_role("link", name="お支払いへ進む").click()
    with phone.expect_navigation():
        phone.get_by_role("button", name="お支払いへ進む").click()
    assert "fakepay" in phone.title()
    phone.fill("#card", "4242 4242 4242 4242")
    with phone.expect_navigation():
        phone.get_by_role("button", name="支払う").click()

    # Back on the enrolment's page (the payment's return path), the outcome read from the provider.
    with scope(municipality=town):
        enrolment = Enrolment.objects.get(session=session)
    assert f"/my/enrolments/{enrolment.public_id}/" in phone.url
    assert phone.locator("h1").inner_text() == "講座の申込の内容"
    assert "支払済み" in phone.locator(".payment-box").inner_text()
    assert phone.locator(".payment-box").get_by_role("link", name="領収書（PDF）").count() == 1
    assert_accessible(phone)

    with phone.expect_navigation():
        phone.get_by_role("link", name="予約の確認へ戻る").click()
    mine = phone.locator("main").inner_text()
    assert "料理教室" in mine and "お支払い待ち" not in mine
    assert_accessible(phone)
