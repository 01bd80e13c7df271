"""The 事務局's pages: lists, forms with bad input (400, message, typing kept), actions, and 404 for staff who are
not the body's 事務局."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.meetings.support import make_committee
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.once import FIELD as ONCE
from yakuba.meetings.models import AgendaItem, Attendance, Meeting, MeetingState, Member

pytestmark = pytest.mark.django_db


def url(town, path):
    return factories.town_url(town, path)


def test_home_lists_the_meetings_of_the_secretariat(town_a):
    committee = make_committee(town_a)
    client = factories.staff_client(committee.clerk)
    page = client.get(url(town_a, "/staff/meetings/")).content.decode()
    assert committee.meeting.title in page and committee.body.name in page
    other = factories.staff_client(committee.other).get(url(town_a, "/staff/meetings/")).content.decode()
    assert committee.meeting.title not in other and "担当する会議体はありません" in other


def test_meeting_page_is_the_secretariats_only(town_a, staff_b):
    committee = make_committee(town_a)
    address = url(town_a, f"/staff/meetings/{committee.meeting.uuid}/")
    assert factories.staff_client(committee.clerk).get(address).status_code == 200
    assert factories.staff_client(committee.other).get(address).status_code == 404


def test_scheduling_with_bad_times_keeps_the_typing(town_a):
    committee = make_committee(town_a)
    client = factories.staff_client(committee.clerk)
    response = client.post(url(town_a, f"/staff/meetings/bodies/{committee.body.pk}/meetings/"), {
        ONCE: "once-1", "title": "臨時会（第1回）", "starts_at": "2027-01-10T10:00", "ends_at": "2027-01-10T09:00",
        "place": "議場", "public": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "終了予定は開始日時より後にしてください" in page and 'value="臨時会（第1回）"' in page
    response = client.post(url(town_a, f"/staff/meetings/bodies/{committee.body.pk}/meetings/"), {
        ONCE: "once-2", "title": "臨時会（第1回）", "starts_at": "not a date", "place": "議場"})
    assert response.status_code == 400
    with scope(municipality=town_a):
        assert not Meeting.objects.filter(title="臨時会（第1回）").exists()
    response = client.post(url(town_a, f"/staff/meetings/bodies/{committee.body.pk}/meetings/"), {
        ONCE: "once-3", "title": "臨時会（第1回）", "starts_at": "2027-01-10T10:00", "place": "議場", "public": "on"})
    assert response.status_code == 302
    with scope(municipality=town_a):
        created = Meeting.objects.get(title="臨時会（第1回）")
    assert response["Location"].endswith(f"/staff/meetings/{created.uuid}/")


def test_agenda_attendance_and_close(town_a):
    committee = make_committee(town_a, starts_at=timezone.now() - timedelta(hours=1))
    client = factories.staff_client(committee.clerk)
    base = f"/staff/meetings/{committee.meeting.uuid}/"
    response = client.post(url(town_a, base + "items/"), {ONCE: "a1", "item-number": "議案第47号", "item-title": ""})
    assert response.status_code == 400 and 'value="議案第47号"' in response.content.decode()
    assert client.post(url(town_a, base + "items/"), {ONCE: "a2", "item-number": "議案第47号",
                                                       "item-title": "指定管理者の指定"}).status_code == 302
    first, second, _third = committee.members
    assert client.post(url(town_a, base + "attendance/"), {ONCE: "a3", f"member-{first.pk}": "present",
                                                            f"member-{second.pk}": "absent"}).status_code == 302
    assert client.post(url(town_a, base + "close/"), {ONCE: "a4"}).status_code == 302
    with scope(municipality=town_a):
        assert AgendaItem.objects.filter(meeting=committee.meeting).count() == 2
        assert Attendance.objects.filter(meeting=committee.meeting).count() == 2
        assert Meeting.objects.get(pk=committee.meeting.pk).state == MeetingState.HELD
    page = client.get(url(town_a, base)).content.decode()
    assert "資料は確定しています" in page and "議題を追加する" not in page


def test_members_are_added_with_checks(town_a):
    committee = make_committee(town_a)
    client = factories.staff_client(committee.clerk)
    address = url(town_a, f"/staff/meetings/bodies/{committee.body.pk}/members/")
    response = client.post(address, {ONCE: "m1", "member-name": "新人 議員", "member-email": "not-an-address",
                                     "member-sort_order": 4})
    assert response.status_code == 400 and 'value="新人 議員"' in response.content.decode()
    assert client.post(address, {ONCE: "m2", "member-name": "新人 議員", "member-title": "新人議員",
                                 "member-email": "", "member-sort_order": 4}).status_code == 302
    with scope(municipality=town_a):
        assert Member.objects.filter(body=committee.body, title="新人議員").exists()


def test_only_the_admin_adds_bodies(town_a):
    admin = factories.make_staff(town_a, role=Role.ADMIN)
    client = factories.staff_client(admin)
    response = client.post(url(town_a, "/staff/meetings/bodies/new/"), {
        ONCE: "b1", "body-name": "", "body-kind": "advisory", "body-department": admin.department_id,
        "body-sort_order": 0})
    assert response.status_code == 400
    response = client.post(url(town_a, "/staff/meetings/bodies/new/"), {
        ONCE: "b2", "body-name": "まちづくり審議会", "body-kind": "advisory",
        "body-department": admin.department_id, "body-public": "on", "body-sort_order": 0})
    assert response.status_code == 302
    clerk = factories.make_staff(town_a, role=Role.APPROVER)
    assert factories.staff_client(clerk).post(url(town_a, "/staff/meetings/bodies/new/"), {
        ONCE: "b3", "body-name": "別の審議会", "body-kind": "advisory",
        "body-department": admin.department_id, "body-sort_order": 0}).status_code == 403
