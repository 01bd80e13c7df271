"""The 勤怠 pages over HTTP: clocking in and out, a refused form keeps the typing (400), the 所属長 approves, 総務課
closes and downloads the CSV, the tablet punches without a login."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django_scopes import scope

from tests import factories
from tests.attendance.support import MONDAY, at, make_office
from yakuba.attendance.models import (
    CloseState,
    Device,
    LeaveRequest,
    MonthClose,
    Overtime,
    OvertimeState,
    StaffCard,
    Status,
    WorkPeriod,
)
from yakuba.attendance.services import clock, month
from yakuba.kernel.accounts.models import Role

pytestmark = pytest.mark.django_db
PREFIX = "/t/10382/staff/attendance/"


@pytest.fixture
def office(town_a):
    return make_office(town_a)


def test_clock_in_at_telework_and_out(office):
    client = factories.staff_client(office.clerk)
    with time_machine.travel(at(MONDAY, 8, 31), tick=False):
        assert "出勤する" in client.get(PREFIX).content.decode()
        response = client.post(PREFIX + "clock/", {"action": "in", "place": "telework", "_once": "a" * 24})
        assert response.status_code == 302
        page = client.get(PREFIX).content.decode()
        assert "08:31から勤務中（テレワーク）" in page
    with time_machine.travel(at(MONDAY, 17, 20), tick=False):
        client = factories.staff_client(office.clerk)  # a new sign-in: the morning's session has idled out
        client.post(PREFIX + "clock/", {"action": "out", "_once": "b" * 24})
    with scope(municipality=office.town):
        period = WorkPeriod.objects.get()
    assert period.place == "telework" and period.ended_at == at(MONDAY, 17, 20)


def test_clocking_in_twice_says_so(office):
    client = factories.staff_client(office.clerk)
    client.post(PREFIX + "clock/", {"action": "in", "place": "office", "_once": "a" * 24})
    response = client.post(PREFIX + "clock/", {"action": "in", "place": "office", "_once": "c" * 24})
    assert response.status_code == 400
    assert "すでに出勤しています" in response.content.decode()


def test_a_refused_leave_request_keeps_the_typing(office):
    client = factories.staff_client(office.clerk)
    response = client.post(PREFIX + "leave/", {"leave_type": office.annual.pk, "unit": "day",
                                               "first_day": "2026-06-06", "reason": "家族の用事",
                                               "_once": "d" * 24})
    body = response.content.decode()
    assert response.status_code == 400
    assert "休日（土曜日・日曜日）" in body and 'value="家族の用事"' in body and 'value="2026-06-06"' in body
    response = client.post(PREFIX + "leave/", {"leave_type": office.annual.pk, "unit": "day",
                                               "first_day": "6月1日", "_once": "e" * 24})
    assert response.status_code == 400 and "「年-月-日」の形" in response.content.decode()


def test_half_day_leave_and_overtime_approved_by_the_head(office):
    clerk = factories.staff_client(office.clerk)
    clerk.post(PREFIX + "leave/", {"leave_type": office.annual.pk, "unit": "pm", "first_day": MONDAY.isoformat(),
                                   "_once": "f" * 24})
    clerk.post(PREFIX + "overtime/", {"day": MONDAY.isoformat(), "start": "17:15", "end": "18:15",
                                      "work": "窓口の集計", "_once": "g" * 24})
    head = factories.staff_client(office.head)
    page = head.get(PREFIX + "approvals/").content.decode()
    assert "さんの休暇を承認" in page and "さんに時間外勤務を命令" in page
    with scope(municipality=office.town):
        leave, overtime = LeaveRequest.objects.get(), Overtime.objects.get()
    assert head.post(PREFIX + f"approvals/leave/{leave.pk}/", {"decision": "approve", "_once": "h" * 24}
                     ).status_code == 302
    head.post(PREFIX + f"approvals/overtime/{overtime.pk}/", {"decision": "approve", "_once": "i" * 24})
    with scope(municipality=office.town):
        assert LeaveRequest.objects.get().status == Status.APPROVED
        assert Overtime.objects.get().state == OvertimeState.ORDERED
    # the clerk cannot decide (403), and a head of another 課 finds nothing to decide (404)
    assert clerk.post(PREFIX + f"approvals/leave/{leave.pk}/", {"decision": "approve"}).status_code == 403
    stranger = factories.make_staff(office.town, department="建設課", role=Role.APPROVER)
    assert factories.staff_client(stranger).post(PREFIX + f"approvals/leave/{leave.pk}/",
                                                 {"decision": "approve"}).status_code == 404


def test_the_department_page_shows_the_day(office):
    with scope(municipality=office.town):
        clock.clock_in(office.clerk, "telework")
    page = factories.staff_client(office.head).get(PREFIX + "department/").content.decode()
    assert "テレワーク中" in page and "未出勤" in page


def test_personnel_close_and_download_the_csv(office):
    with scope(municipality=office.town):
        clock.clock_in(office.clerk, now=at(MONDAY, 8, 30))
        clock.clock_out(office.clerk, now=at(MONDAY, 17, 15))
        month.confirm(office.head, office.clerk, MONDAY)
    client = factories.staff_client(office.personnel)
    response = client.post(PREFIX + "town/close/", {"month": "2026-06", "_once": "j" * 24})
    assert response.status_code == 302
    with scope(municipality=office.town):
        assert MonthClose.objects.get().state == CloseState.CLOSED
        number = StaffCard.objects.get(staff=office.clerk).number
    csv = client.get(PREFIX + "town/export/?month=2026-06")
    text = csv.content.decode("utf-8")
    assert csv["Content-Type"].startswith("text/csv") and text.startswith("\ufeff職員番号,氏名,所属,対象年月")
    assert f"{number},{office.clerk},住民課,2026-06,1,525,0,0,0,0,0,0,0" in text


def test_closing_with_nobody_confirmed_is_a_400_with_the_reason(office):
    client = factories.staff_client(office.personnel)
    response = client.post(PREFIX + "town/close/", {"month": "2026-06", "_once": "k" * 24})
    assert response.status_code == 400 and "締められる職員がいません" in response.content.decode()


def test_the_town_pages_are_for_personnel_only(office):
    head = factories.staff_client(office.head)  # 所属長 of 住民課, not 総務課
    assert head.get(PREFIX + "town/").status_code == 403
    assert head.get(PREFIX + "devices/").status_code == 403
    assert factories.staff_client(office.personnel).get(PREFIX + "town/").status_code == 200


def test_the_tablet_punches_by_qr_and_refuses_a_suspended_card(office):
    with scope(municipality=office.town):
        device = Device.objects.create(municipality=office.town, name="本庁舎玄関")
        card = StaffCard.objects.get(staff=office.clerk)
    client = Client(enforce_csrf_checks=True)
    url = f"/t/10382/attendance/kiosk/{device.token}/"
    page = client.get(url)
    assert page.status_code == 200 and 'autofocus' in page.content.decode()
    csrf = client.cookies["csrftoken"].value
    assert client.post(url, {"code": card.qr_token, "_once": "l" * 24}).status_code == 403  # no CSRF token
    response = client.post(url, {"code": card.qr_token, "_once": "l" * 24, "csrfmiddlewaretoken": csrf},
                           follow=True)
    assert f"{office.clerk}さん 出勤" in response.content.decode()
    with scope(municipality=office.town):
        StaffCard.objects.filter(pk=card.pk).update(suspended=True)
    response = client.post(url, {"code": card.number, "_once": "m" * 24, "csrfmiddlewaretoken": csrf})
    assert response.status_code == 400 and "利用が停止" in response.content.decode()
    assert f'value="{card.number}"' in response.content.decode()


def test_an_unknown_tablet_is_not_found(office):
    assert Client().get("/t/10382/attendance/kiosk/not-a-device/").status_code == 404


def test_the_qr_page_shows_the_code_and_the_number(office):
    page = factories.staff_client(office.clerk).get(PREFIX + "qr/").content.decode()
    assert "<svg" in page and str(1000 + office.clerk.pk) in page


def test_the_warning_shows_to_a_person_near_45_hours(office):
    with scope(municipality=office.town):
        day = MONDAY
        for _n in range(9):
            while day.weekday() >= 5:
                day += timedelta(days=1)
            Overtime.objects.create(municipality=office.town, staff=office.clerk, day=day, work="決算",
                                    planned_start=at(day, 17, 15), planned_end=at(day, 21, 15),
                                    actual_start=at(day, 17, 15), actual_end=at(day, 21, 15), minutes=240,
                                    state=OvertimeState.RECORDED)
            day += timedelta(days=1)
    with time_machine.travel(at(day, 9), tick=False):
        page = factories.staff_client(office.clerk).get(PREFIX).content.decode()
    assert "時間外勤務が上限に近づいています。" in page and "36時間／上限 45時間" in page
