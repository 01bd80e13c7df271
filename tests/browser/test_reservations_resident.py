"""A resident books on a 360 px phone: a room picked in the month calendar by keyboard (with a mistake first),
a 納税相談 appointment, then cancels one from 「予約の確認」. axe-core on every page."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.browser.conftest import assert_accessible
from tests.reservations.test_views_public import make_appointment_type, make_room
from yakuba.kernel.scheduling import calendar
from yakuba.reservations.models import Reservation, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Open every day, so the journey works whatever day the suite runs on (the real clock: cookies must stay valid).
EVERY_DAY = {"closed_on_holidays": False, "year_end_closure": False, "min_notice": timedelta(hours=1),
             "cancel_deadline": timedelta(days=1), "window_days": 60}
ROOM_RULES = calendar.Rules(hours=(((time(9), time(21)),),) * 7, slot=timedelta(hours=1),
                            min_length=timedelta(hours=1), max_length=timedelta(hours=3), **EVERY_DAY)
COUNTER_RULES = calendar.Rules(hours=(((time(9), time(12)), (time(13), time(17))),) * 7, slot=timedelta(minutes=30),
                               min_length=timedelta(hours=1), max_length=timedelta(hours=1), **EVERY_DAY)


def test_resident_books_a_room_and_an_appointment_and_cancels_one(live_server, phone):
    town = factories.make_town()
    resident = factories.make_resident(town, email="hanako@example.jp")
    make_room(town, rules=ROOM_RULES)
    make_appointment_type(town, rules=COUNTER_RULES)
    day = timezone.localdate() + timedelta(days=2)
    base = f"{live_server.url}/t/10382"

    phone.goto(f"{base}/accounts/login/?next=/t/10382/reservations/")
    phone.fill("input[name=username]", "hanako@example.jp")
    phone.fill("input[name=password]", factories.PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="ログイン", exact=True).click()
    assert phone.locator("h1").inner_text() == "施設・窓口の予約"
    assert_accessible(phone)

    with phone.expect_navigation():
        phone.get_by_role("link", name="中央公民館", exact=True).click()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="空き状況を見て予約する").click()
    assert phone.locator("h1").inner_text() == "第1会議室"
    assert phone.locator("table.month-calendar__table caption").count() == 1
    assert_accessible(phone)
    if day.month != timezone.localdate().month:
        with phone.expect_navigation():
            phone.get_by_role("link", name="次の月").click()

    # The day, by keyboard: its link takes the focus and Enter opens the day's free hours.
    day_link = phone.locator(f"table.month-calendar__table a[href*='day={day.isoformat()}']")
    assert "空き12時間" in day_link.inner_text()
    day_link.focus()
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    chosen = phone.locator(f"table.month-calendar__table a[href*='day={day.isoformat()}']")
    assert chosen.get_attribute("aria-current") == "date"
    assert f"{day.month}月{day.day}日" in phone.locator("#slots").inner_text()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.locator(".slot-list").get_by_role("link", name="10:00〜11:00").click()

    assert phone.locator("h1").inner_text() == "予約の申込み"
    assert_accessible(phone)
    phone.get_by_label("2時間（12:00まで）").check()
    phone.fill("#id_people", "12")
    with phone.expect_navigation():  # a mistake: no purpose
        phone.get_by_role("button", name="予約する").click()
    summary = phone.locator(".error-summary")
    assert "利用目的を入力してください。" in summary.inner_text()
    assert phone.title().startswith("エラー")
    assert phone.locator("#id_people").input_value() == "12"  # typing kept
    assert phone.get_by_label("2時間（12:00まで）").is_checked()
    assert_accessible(phone)
    summary.get_by_role("link").first.click()
    assert phone.evaluate("document.activeElement.id") == "id_purpose"
    phone.keyboard.type("自治会の役員会")
    with phone.expect_navigation():
        phone.get_by_role("button", name="予約する").click()

    assert phone.locator(".confirmation h1").inner_text() == "予約が確定しました"
    assert "1,200円" in phone.locator("main").inner_text()
    assert phone.locator("a[href$='/calendar.ics']").count() == 1
    assert "確認のメールはお送りしていません" in phone.locator("main").inner_text()
    assert_accessible(phone)

    # Moved to the afternoon of the same day: the new time is booked before the old one is let go.
    with phone.expect_navigation():
        phone.get_by_role("link", name="日時を変更する").click()
    assert phone.locator("h1").inner_text() == "予約の日時の変更"
    assert_accessible(phone)
    phone.get_by_label("14:00", exact=True).check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="この日時に変更する").click()
    assert "予約の日時を変更しました。" in phone.locator(".messages").inner_text()
    assert "14:00〜16:00" in phone.locator(".confirmation").inner_text()
    assert_accessible(phone)

    # 納税相談 at the counter.
    phone.goto(f"{base}/reservations/")
    with phone.expect_navigation():
        phone.get_by_role("link", name="納税相談").click()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.locator(f".day-list a[href*='day={day.isoformat()}']").click()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.locator(".slot-list").get_by_role("link", name="10:00").click()
    assert_accessible(phone)
    phone.fill("#id_purpose", "固定資産税の分納の相談")
    with phone.expect_navigation():
        phone.get_by_role("button", name="予約する").click()
    assert phone.locator(".confirmation h1").inner_text() == "予約が確定しました"
    assert "税務課" in phone.locator("main").inner_text()
    assert_accessible(phone)

    # Cancel the appointment from 「予約の確認」.
    phone.goto(f"{base}/reservations/")
    with phone.expect_navigation():
        phone.get_by_role("link", name="予約の確認").click()
    assert phone.locator("h1").inner_text() == "予約の確認"
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="納税相談").click()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="予約を取り消す").click()
    assert phone.locator("h1").inner_text() == "予約の取消し"
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="予約を取り消す").click()
    assert "予約を取り消しました。" in phone.locator(".messages").inner_text()
    assert_accessible(phone)

    with scope(municipality=town):
        states = sorted((r.kind, r.status, timezone.localtime(r.starts_at).hour)
                        for r in Reservation.objects.filter(resident=resident))
    assert states == [("appointment", Status.CANCELLED, 10), ("room", Status.CANCELLED, 10),
                      ("room", Status.CONFIRMED, 14)]
