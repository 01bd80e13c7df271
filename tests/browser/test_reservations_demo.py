"""The issue's 'done when', on the demo data at 360 px: a resident books a 公民館 room and a 納税相談 appointment, gets
the .ics, cancels one; staff see the day view and the 稼働率. axe-core on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests.browser.conftest import assert_accessible
from tests.browser.test_applications_demo import click, shimonita, staff_log_in
from yakuba.kernel.ops import demo
from yakuba.reservations import services
from yakuba.reservations.models import AppointmentType, Reservation, Room, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def first_free_day(slots_of, start_in: int = 2):
    """The first day from `start_in` days ahead with a free slot, and that slot."""
    for offset in range(start_in, start_in + 40):
        day = timezone.localdate() + timedelta(days=offset)
        slots = slots_of(day)
        if slots:
            return day, slots[0]
    raise AssertionError("no free day in the demo calendar")


def test_a_demo_resident_books_a_room_and_an_appointment_and_staff_see_them(live_server, phone, demo_towns, browser):
    town = shimonita()
    with scope(municipality=town):
        room = Room.objects.get(facility__name="下仁田町公民館", name="第1会議室")
        tax = AppointmentType.objects.get(name="納税相談")
        room_day, _room_slot = first_free_day(lambda d: services.free_slots(room.resource, d))
        tax_day, tax_slot = first_free_day(lambda d: services.appointment_slots(tax, d))
    base = f"{live_server.url}/t/10382"
    phone.goto(f"{base}/accounts/login/?next=/t/10382/reservations/")
    phone.fill("input[name=username]", "resident2@shimonita.demo")
    phone.fill("input[name=password]", demo.DEMO_PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="ログイン", exact=True).click()
    assert_accessible(phone)

    phone.goto(f"{base}/reservations/rooms/{room.pk}/?day={room_day.isoformat()}")
    assert "第1会議室" in phone.locator("h1").inner_text()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.locator(".slot-list a").first.click()
    phone.locator("input[name=length]").first.check()
    phone.get_by_label("利用目的").fill("自治会の役員会")
    click(phone, "予約する")
    assert phone.locator(".confirmation h1").inner_text() == "予約が確定しました"
    assert_accessible(phone)
    ics_href = phone.locator("a[href$='/calendar.ics']").get_attribute("href")
    ics = phone.request.get(f"{live_server.url}{ics_href}")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in ics.text() and "第1会議室" in ics.text()

    phone.goto(f"{base}/reservations/appointments/{tax.slug}/?day={tax_day.isoformat()}")
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.locator(".slot-list a").first.click()
    phone.fill("#id_purpose", "固定資産税の分納の相談")
    click(phone, "予約する")
    assert phone.locator(".confirmation h1").inner_text() == "予約が確定しました"
    assert_accessible(phone)

    # Cancel the room from 「予約の確認」.
    phone.goto(f"{base}/my/reservations/")
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.locator("main a", has_text="第1会議室").first.click()
    with phone.expect_navigation():
        phone.get_by_role("link", name="予約を取り消す").click()
    assert_accessible(phone)
    click(phone, "予約を取り消す")
    assert "予約を取り消しました。" in phone.locator(".messages").inner_text()
    assert_accessible(phone)
    with scope(municipality=town):
        mine = Reservation.objects.filter(resident__user__email="resident2@shimonita.demo",
                                          purpose__in=["自治会の役員会", "固定資産税の分納の相談"])
        assert sorted(r.status for r in mine) == [Status.CANCELLED, Status.CONFIRMED]

    # The tax clerk's day view shows the appointment; 情報担当 sees the 稼働率.
    clerk = browser.new_context(viewport={"width": 360, "height": 740}, locale="ja-JP").new_page()
    clerk.console_errors = []
    staff_log_in(clerk, live_server.url, "juumin@shimonita.demo", "/t/10382/staff/reservations/")
    clerk.goto(f"{base}/staff/reservations/?day={tax_day.isoformat()}")
    assert "固定資産税の分納の相談" in clerk.locator("main").inner_text()
    assert tax_slot[0].strftime("%-H:%M") in clerk.locator("main").inner_text()
    assert_accessible(clerk)
    clerk.context.close()
    admin = browser.new_context(viewport={"width": 360, "height": 740}, locale="ja-JP").new_page()
    admin.console_errors = []
    staff_log_in(admin, live_server.url, "admin@shimonita.demo", "/t/10382/staff/reservations/stats/")
    assert "稼働率" in admin.locator("h1").inner_text()
    assert "第1会議室" in admin.locator("main").inner_text()
    assert_accessible(admin)
    admin.context.close()
