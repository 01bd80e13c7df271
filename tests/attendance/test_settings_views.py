"""総務課's 勤怠 settings pages: 勤務パターン and their assignment, 閉庁日, 休暇の種類, 年休の付与. Only 人事担当
enter; a refused form answers 400 with the reason and keeps the typing; every save is audited."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from tests import factories
from tests.attendance.support import make_office
from yakuba.attendance.models import (
    Assignment,
    ClosedDay,
    DepartmentOption,
    LeaveGrant,
    LeaveType,
    MonthClose,
    WorkPattern,
)
from yakuba.kernel.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
PREFIX = "/t/10382/staff/attendance/"
PAGES = ["patterns/", "closed-days/", "leave-types/", "grants/", "departments/"]


@pytest.fixture
def office(town_a):
    return make_office(town_a)


@pytest.fixture
def client(office):
    return factories.staff_client(office.personnel)


def _post(client, url, data, once="a"):
    return client.post(PREFIX + url, {**data, "_once": once * 24})


def _entry(action):
    with scopes_disabled():
        return AuditEntry.objects.filter(action=f"attendance.{action}").order_by("-pk").first()


def test_pages_are_for_personnel_only(office, client):
    with scope(municipality=office.town):
        pattern, kind = WorkPattern.objects.get(), office.summer
    pages = [*PAGES, f"patterns/{pattern.pk}/", f"leave-types/{kind.pk}/"]
    head = factories.staff_client(office.head)  # 所属長 of 住民課, not 総務課
    for page in pages:
        response = client.get(PREFIX + page)
        assert response.status_code == 200, page
        assert "勤務パターン" in response.content.decode()  # the personnel links in the nav
        assert head.get(PREFIX + page).status_code == 403, page
    assert _post(head, "patterns/", {"name": "時差A", "starts": "09:30", "ends": "18:15",
                                     "break_minutes": "60"}).status_code == 403
    assert "attendance/patterns/" not in factories.staff_client(office.head).get(PREFIX).content.decode()


def test_add_edit_and_assign_a_pattern(office, client):
    response = _post(client, "patterns/", {"name": "時差出勤A", "starts": "09:30", "ends": "18:15",
                                           "break_minutes": "60"})
    assert response.status_code == 302
    with scope(municipality=office.town):
        pattern = WorkPattern.objects.get(name="時差出勤A")
    assert pattern.working_minutes == 465
    entry = _entry("pattern.saved")
    assert entry.data["before"] is None and entry.data["after"]["starts"] == "09:30:00"
    response = _post(client, f"patterns/{pattern.pk}/", {"name": "時差出勤A", "starts": "10:00", "ends": "18:45",
                                                         "break_minutes": "60"}, once="b")
    assert response.status_code == 302
    entry = _entry("pattern.saved")
    assert entry.data["before"]["starts"] == "09:30:00" and entry.data["after"]["starts"] == "10:00:00"
    response = _post(client, "patterns/assign/", {"assign-staff": office.clerk.pk, "assign-pattern": pattern.pk,
                                                  "assign-valid_from": "2026-07-01"}, once="c")
    assert response.status_code == 302
    with scope(municipality=office.town):
        assignment = Assignment.objects.get()
    assert (assignment.staff, assignment.pattern, assignment.valid_from) == (office.clerk, pattern, date(2026, 7, 1))
    assert _entry("pattern.assigned").data["after"] == "時差出勤A"


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "逆転", "starts": "17:00", "ends": "08:30", "break_minutes": "60"}, "終業は始業より後の時刻"),
    ({"name": "長休憩", "starts": "08:30", "ends": "09:30", "break_minutes": "90"}, "休憩が始業から終業までの時間以上"),
    ({"name": "負の休憩", "starts": "08:30", "ends": "17:15", "break_minutes": "-5"}, "休憩は0分以上"),
    ({"name": "標準", "starts": "08:00", "ends": "16:45", "break_minutes": "60"}, "同じ名前の勤務パターン"),
])
def test_a_refused_pattern_keeps_the_typing(office, client, data, message):
    response = _post(client, "patterns/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and f'value="{data["name"]}"' in page and data["starts"] in page
    with scope(municipality=office.town):
        assert WorkPattern.objects.count() == 1


def test_no_assignment_into_a_closed_month(office, client):
    with scope(municipality=office.town):
        pattern = WorkPattern.objects.get()
        MonthClose.objects.create(municipality=office.town, staff=office.clerk, month=date(2026, 6, 1),
                                  state="closed")
    response = _post(client, "patterns/assign/", {"assign-staff": office.clerk.pk, "assign-pattern": pattern.pk,
                                                  "assign-valid_from": "2026-06-10"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "月次締めが済んでいる" in page and 'value="2026-06-10"' in page
    with scope(municipality=office.town):
        assert not Assignment.objects.exists()


def test_closed_days_a_range_and_a_delete(office, client):
    response = _post(client, "closed-days/", {"first": "2026-08-13", "last": "2026-08-14", "name": "夏の閉庁"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2026")
    with scope(municipality=office.town):
        assert list(ClosedDay.objects.values_list("day", flat=True)) == [date(2026, 8, 13), date(2026, 8, 14)]
        first = ClosedDay.objects.first()
    assert _entry("closed_day.added").data["after"]["name"] == "夏の閉庁"
    page = client.get(PREFIX + "closed-days/?year=2026").content.decode()
    assert "夏の閉庁" in page and "海の日" in page  # the public holidays beside them, read-only
    assert _post(client, f"closed-days/{first.pk}/delete/", {}, once="b").status_code == 302
    with scope(municipality=office.town):
        assert ClosedDay.objects.count() == 1
    assert _entry("closed_day.deleted").data["before"]["day"] == "2026-08-13"


@pytest.mark.parametrize(("data", "message"), [
    ({"first": "2026-08-14", "last": "2026-08-13", "name": "逆の期間"}, "最終日は初日と同じ日か"),
    ({"first": "2026-07-01", "last": "2026-08-01", "name": "長すぎる期間"}, "31日までです"),
    ({"first": "2026-11-03", "last": "", "name": ""}, "閉庁日の名称を入力してください"),
])
def test_a_refused_closed_day_keeps_the_typing(office, client, data, message):
    response = _post(client, "closed-days/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and f'value="{data["first"]}"' in page
    with scope(municipality=office.town):
        assert not ClosedDay.objects.exists()


def test_a_closed_day_twice_is_refused(office, client):
    _post(client, "closed-days/", {"first": "2026-10-01", "name": "町民の日"})
    response = _post(client, "closed-days/", {"first": "2026-09-30", "last": "2026-10-01", "name": "町民の日"},
                     once="b")
    assert response.status_code == 400
    assert "10月1日はすでに閉庁日として登録されています" in response.content.decode()
    with scope(municipality=office.town):
        assert ClosedDay.objects.count() == 1


def test_leave_types_add_edit_and_the_annual_type_stays(office, client):
    response = _post(client, "leave-types/", {"name": "忌引休暇", "code": "bereavement", "days_per_year": "",
                                              "sort_order": "3", "is_active": "on"})
    assert response.status_code == 302
    with scope(municipality=office.town):
        kind = LeaveType.objects.get(code="bereavement")
    assert kind.is_active and not kind.annual and _entry("leave_type.saved").data["before"] is None
    response = _post(client, f"leave-types/{kind.pk}/", {"name": "忌引休暇", "code": "bereavement",
                                                         "days_per_year": "7", "sort_order": "3"}, once="b")
    assert response.status_code == 302
    kind.refresh_from_db()
    assert kind.days_per_year == Decimal(7) and not kind.is_active
    assert _entry("leave_type.saved").data["after"]["is_active"] is False
    response = _post(client, f"leave-types/{office.annual.pk}/", {"name": "年次休暇", "code": "annual",
                                                                  "sort_order": "0"}, once="c")
    assert response.status_code == 400
    page = response.content.decode()
    assert "年次有給休暇は使用をやめることができません" in page and 'value="年次休暇"' in page
    office.annual.refresh_from_db()
    assert office.annual.is_active and office.annual.name == "年次有給休暇"
    assert "delete" not in client.get(PREFIX + f"leave-types/{office.annual.pk}/").content.decode()


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "夏季休暇", "code": "summer2", "days_per_year": "3", "sort_order": "1"}, "同じ名称の休暇の種類"),
    ({"name": "夏休み", "code": "summer", "days_per_year": "3", "sort_order": "1"}, "この休暇コードはほかの"),
    ({"name": "負の休暇", "code": "minus", "days_per_year": "-1", "sort_order": "1"}, "年間の日数は0より大きい数"),
])
def test_a_refused_leave_type_keeps_the_typing(office, client, data, message):
    response = _post(client, "leave-types/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and f'value="{data["name"]}"' in page
    with scope(municipality=office.town):
        assert LeaveType.objects.count() == 2


def test_grant_carries_over_at_most_the_limit(office, client):
    office.town.settings = {**(office.town.settings or {}), "attendance": {"carry_over_limit_days": 5}}
    office.town.save()
    response = _post(client, "grants/", {"staff": office.clerk.pk, "valid_from": "2027-01-01", "days": "20"})
    assert response.status_code == 302
    with scope(municipality=office.town):
        row = LeaveGrant.objects.get(staff=office.clerk, valid_from=date(2027, 1, 1))
    assert (row.days, row.carried_days) == (Decimal(20), Decimal(5))
    entry = _entry("leave.grant_saved")
    assert entry.data["before"] is None
    assert {key: Decimal(value) for key, value in entry.data["after"].items()} == {"days": 20, "carried_days": 5}


@pytest.mark.parametrize(("days", "message"), [("-1", "付与日数は0以上"), ("1.3", "0.5日単位")])
def test_a_refused_grant_keeps_the_typing(office, client, days, message):
    response = _post(client, "grants/", {"staff": office.clerk.pk, "valid_from": "2027-01-01", "days": days})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and f'value="{days}"' in page and 'value="2027-01-01"' in page
    with scope(municipality=office.town):
        assert not LeaveGrant.objects.filter(valid_from=date(2027, 1, 1)).exists()


def test_the_new_default_pattern_takes_the_mark(office, client):
    response = _post(client, "patterns/", {"name": "新標準", "starts": "08:15", "ends": "17:00",
                                           "break_minutes": "60", "is_default": "on"})
    assert response.status_code == 302
    with scope(municipality=office.town):
        assert list(WorkPattern.objects.filter(is_default=True).values_list("name", flat=True)) == ["新標準"]
        assert WorkPattern.objects.get(name="標準").starts == time(8, 30)


def test_department_options(office, client):
    assert client.get(PREFIX + "departments/").status_code == 200
    assert factories.staff_client(office.head).get(PREFIX + "departments/").status_code == 403
    department = office.clerk.department
    response = _post(client, "departments/", {"department": department.pk, "demanding": "on"})
    assert response.status_code == 302
    with scope(municipality=office.town):
        option = DepartmentOption.objects.get(department=department)
    assert option.demanding and not option.uses_shifts
    entry = _entry("department_option.saved")
    assert entry.data == {"before": None, "after": {"uses_shifts": False, "demanding": True}}
    response = _post(client, "departments/", {"department": "999999", "demanding": "on"}, once="b")
    assert response.status_code == 400 and "課を選び直してください" in response.content.decode()


def test_another_towns_department_is_refused(office, client, town_b):
    other = factories.make_staff(town_b, department="甘楽の課")
    response = _post(client, "departments/", {"department": other.department_id, "uses_shifts": "on"})
    assert response.status_code == 400 and "課を選び直してください" in response.content.decode()
    with scopes_disabled():
        assert not DepartmentOption.objects.exists()
