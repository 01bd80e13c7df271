"""総務課 sets up 勤怠 in real Chromium at 360 px: a 時差出勤 pattern (a refusal first, the typing kept), the town's
closed days beside the public holidays, a 特別休暇 type, 年休の付与 and a 課's 勤務区分. axe-core on every page."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests import factories
from tests.attendance.support import make_office
from tests.browser.conftest import assert_accessible, log_in_staff
from tests.browser.test_applications_demo import click
from yakuba.attendance.models import ClosedDay, WorkPattern

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_personnel_sets_up_attendance(live_server, phone):
    town = factories.make_town("10382", "下仁田町")
    office = make_office(town)
    base = f"{live_server.url}{town.path_prefix}"
    log_in_staff(phone, base, office.personnel)

    phone.goto(f"{base}/staff/attendance/patterns/")
    assert_accessible(phone)
    phone.locator("#id_name").fill("時差出勤A")
    phone.locator("#id_starts").fill("09:30")
    phone.locator("#id_ends").fill("09:00")
    phone.locator("#id_break_minutes").fill("60")
    click(phone, "勤務パターンを追加する")
    assert "終業は始業より後の時刻" in phone.locator(".error-summary").inner_text()
    assert phone.locator("#id_name").input_value() == "時差出勤A"
    assert_accessible(phone)
    phone.locator("#id_ends").fill("18:15")
    click(phone, "勤務パターンを追加する")
    assert "時差出勤A" in phone.locator(".messages").inner_text()
    assert_accessible(phone)

    phone.goto(f"{base}/staff/attendance/closed-days/?year=2026")
    phone.locator("#id_first").fill("2026-10-01")
    phone.locator("#id_name").fill("町民の日")
    click(phone, "閉庁日を追加する")
    assert "町民の日" in phone.locator("main").inner_text() and "文化の日" in phone.locator("main").inner_text()
    assert_accessible(phone)

    for page in ("leave-types/", f"leave-types/{office.summer.pk}/", "grants/", "departments/"):
        phone.goto(f"{base}/staff/attendance/{page}")
        assert_accessible(phone)
    with scope(municipality=town):
        assert WorkPattern.objects.filter(name="時差出勤A").exists() and ClosedDay.objects.count() == 1
