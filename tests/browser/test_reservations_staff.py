"""A clerk's day in real Chromium at 360 px: the day's bookings, a reservation checked in, a slot blocked
(error first), the month's 稼働率."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.browser.conftest import assert_accessible, log_in_staff
from tests.reservations.test_views_staff import make_appointment_type, make_room, reserve
from yakuba.kernel.scheduling.models import Booking, BookingStatus
from yakuba.reservations.models import Reservation, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_checks_in_a_visitor_blocks_a_slot_and_reads_the_occupancy(live_server, phone):
    town = factories.make_town("10382", "下仁田町")
    clerk = factories.make_staff(town, department="総務課")
    room = make_room(town, department="総務課", facility="中央公民館", name="第1会議室")
    make_appointment_type(town, department="総務課", name="納税相談")
    resident = factories.make_resident(town)
    today = timezone.localdate()
    reservation = reserve(room, resident, today, 10, 12, purpose="俳句の会")
    base = f"{live_server.url}{town.path_prefix}"
    log_in_staff(phone, base, clerk)

    phone.goto(f"{base}/staff/reservations/")
    table = phone.locator("table", has_text="第1会議室")
    assert "俳句の会" in table.inner_text() and "山田 花子" in table.inner_text()
    assert phone.locator("table", has_text="納税相談").count() == 1
    assert_accessible(phone)

    with phone.expect_navigation():
        table.get_by_role("link", name="10:00〜12:00").click()
    assert "俳句の会" in phone.locator("dl.summary").inner_text()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="受付済みにする").click()
    assert "受付済みにしました" in phone.locator(".messages").inner_text()
    assert "来場済み" in phone.locator("dl.summary").inner_text()
    assert_accessible(phone)

    phone.goto(f"{base}/staff/reservations/week/?resource={room.resource_id}")
    assert phone.locator(".week__day").count() == 7
    assert_accessible(phone)

    # 利用停止 without a reason: the error summary, the times typed stay.
    day = today + timedelta(days=3)
    phone.goto(f"{base}/staff/reservations/block/")
    phone.get_by_label("施設・窓口").select_option(label="中央公民館 第1会議室")
    phone.get_by_label("日付").fill(day.isoformat())
    phone.get_by_label("開始時刻").fill("13:00")
    phone.get_by_label("終了時刻").fill("15:00")
    with phone.expect_navigation():
        phone.get_by_role("button", name="利用停止にする").click()
    assert "理由を入力してください" in phone.locator(".error-summary").inner_text()
    assert phone.get_by_label("開始時刻").input_value() == "13:00"
    assert_accessible(phone)
    phone.get_by_label("理由").fill("空調の点検")
    with phone.expect_navigation():
        phone.get_by_role("button", name="利用停止にする").click()
    assert "利用停止にしました" in phone.locator(".messages").inner_text()
    assert "空調の点検" in phone.locator("table").inner_text()
    assert_accessible(phone)

    # A phone caller: found by kana, the booking form for them.
    phone.goto(f"{base}/staff/reservations/new/")
    phone.get_by_label("氏名・フリガナ・電話番号").fill("やまだ")
    with phone.expect_navigation():
        phone.get_by_role("button", name="検索する").click()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="山田 花子").click()
    assert phone.get_by_label("予約するもの").is_visible()
    assert_accessible(phone)

    phone.goto(f"{base}/staff/reservations/stats/")
    assert "稼働率" in phone.locator("h1").inner_text()
    assert "中央公民館 第1会議室" in phone.locator("table.occupancy").inner_text()
    assert_accessible(phone)

    with scope(municipality=town):
        assert Reservation.objects.get(pk=reservation.pk).status == Status.ATTENDED
        block = Booking.objects.get(status=BookingStatus.BLOCKED)
        assert block.label == "空調の点検" and block.resource_id == room.resource_id
