"""The issue's 'done when' for 勤怠, on the demo at 360 px: the 総務課 clerk clocks in on a phone (the near-45-hours
warning shows), requests half a day of 年休 and an hour of overtime; another clerk punches at the entrance tablet
with a staff number; the 所属長 approves both requests. axe-core on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests.browser.conftest import assert_accessible
from tests.browser.test_applications_demo import click, shimonita, staff_log_in
from tests.browser.test_approvals_decide import _as
from yakuba.attendance import demo
from yakuba.attendance.models import LeaveRequest, Overtime, OvertimeState, StaffCard, Status, WorkPeriod
from yakuba.attendance.services import rules
from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.ops.demo import TOWNS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _next_working_day(person):
    day = timezone.localdate() + timedelta(days=1)
    while rules.closed_reason(person, day):
        day += timedelta(days=1)
    return day


def test_clerk_clocks_in_asks_for_leave_and_overtime_and_the_head_approves(live_server, phone, demo_towns,
                                                                            browser):
    base = f"{live_server.url}/t/10382"
    staff_log_in(phone, base, "soumu@shimonita.demo", "/staff/attendance/")
    assert "時間外勤務が上限に近づいています。" in phone.locator("main").inner_text()
    assert_accessible(phone)
    phone.get_by_label("テレワーク").check()
    click(phone, "出勤する")
    assert "出勤しました" in phone.locator(".messages").inner_text()
    assert "勤務中（テレワーク）" in phone.locator("main").inner_text()
    assert_accessible(phone)

    with scope(municipality=shimonita()):
        clerk = Staff.objects.get(user__email="soumu@shimonita.demo")
        day = _next_working_day(clerk)
    phone.goto(f"{base}/staff/attendance/leave/")
    phone.get_by_label("午後半日").check()
    phone.locator("#id_first_day").fill(day.isoformat())
    click(phone, "休暇を申請する")
    assert "休暇を申請しました" in phone.locator(".messages").inner_text()
    assert_accessible(phone)

    phone.goto(f"{base}/staff/attendance/overtime/")
    phone.locator("#id_start").fill("17:15")
    phone.locator("#id_end").fill("18:15")
    click(phone, "時間外勤務を申し出る")
    assert "業務の内容" in phone.locator(".error-summary").inner_text() or \
        "時間外に行う業務を入力してください" in phone.locator(".error-summary").inner_text()
    assert phone.locator("#id_start").input_value() == "17:15"  # the typing is kept
    assert_accessible(phone)
    phone.locator("#id_work").fill("窓口の月次集計")
    click(phone, "時間外勤務を申し出る")
    assert "時間外勤務を申し出ました" in phone.locator(".messages").inner_text()

    tablet = browser.new_context(viewport={"width": 360, "height": 740}, locale="ja-JP").new_page()
    tablet.console_errors = []
    tablet.on("console", lambda message: message.type == "error" and tablet.console_errors.append(message.text))
    with scope(municipality=shimonita()):
        number = StaffCard.objects.get(staff__user__email="juumin@shimonita.demo").number
    tablet.goto(f"{base}/attendance/kiosk/{demo.device_token(TOWNS[0])}/")
    assert_accessible(tablet)
    tablet.locator("#code").fill(number)
    tablet.locator("#code").press("Enter")  # as a keyboard-wedge scanner does
    tablet.wait_for_load_state()
    assert "さん 出勤" in tablet.locator(".messages").inner_text()
    assert_accessible(tablet)

    head = _as(browser, base, "kacho@shimonita.demo", "/staff/attendance/approvals/")
    assert_accessible(head)
    click(head, f"{clerk}さんの休暇を承認")
    assert "承認しました" in head.locator(".messages").inner_text()
    click(head, f"{clerk}さんに時間外勤務を命令")
    assert "承認しました" in head.locator(".messages").inner_text()
    assert_accessible(head)
    head.goto(f"{base}/staff/attendance/department/")
    assert "テレワーク中" in head.locator("main").inner_text()
    assert_accessible(head)
    with scope(municipality=shimonita()):
        assert LeaveRequest.objects.get(staff=clerk, first_day=day).status == Status.APPROVED
        assert Overtime.objects.get(staff=clerk, work="窓口の月次集計").state == OvertimeState.ORDERED
        assert WorkPeriod.objects.filter(staff__user__email="juumin@shimonita.demo", source="tablet").exists()
