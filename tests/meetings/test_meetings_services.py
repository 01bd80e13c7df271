"""Preparing and holding meetings: who may, times and places, agenda, 出欠, closing (freezing) and publishing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.meetings.support import make_committee
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.meetings.models import Attendance, Body, Meeting, MeetingState, Presence
from yakuba.meetings.services import meetings

pytestmark = pytest.mark.django_db


def fields(**overrides):
    values = {"title": "臨時会", "starts_at": timezone.now() + timedelta(days=2), "place": "議場"}
    return meetings.MeetingFields(**{**values, **overrides})


def test_only_the_secretariat_prepares_its_meetings(town_a):
    committee = make_committee(town_a)
    with scope(municipality=town_a):
        meeting = meetings.schedule_meeting(committee.clerk, committee.body, fields())
        assert meeting.public and meeting.state == MeetingState.PLANNED
        with pytest.raises(Refused, match="事務局"):
            meetings.schedule_meeting(committee.other, committee.body, fields())
        admin = factories.make_staff(town_a, department="企画課", role=Role.ADMIN)
        assert meetings.add_item(admin, meeting, number="報告1", title="報告").sort_order == 0
        assert AuditEntry.objects.filter(action="meetings.meeting.scheduled", object_id=str(meeting.pk)).exists()


def test_times_and_place_are_checked(town_a):
    committee = make_committee(town_a)
    start = timezone.now() + timedelta(days=1)
    with scope(municipality=town_a):
        with pytest.raises(Refused) as refused:
            meetings.schedule_meeting(committee.clerk, committee.body, fields(starts_at=start, ends_at=start))
        assert "ends_at" in refused.value.errors
        with pytest.raises(Refused) as refused:
            meetings.schedule_meeting(committee.clerk, committee.body, fields(place=""))
        assert "place" in refused.value.errors
        online = meetings.schedule_meeting(committee.clerk, committee.body,
                                           fields(place="", online_url="https://meet.example.jp/abc"))
        assert online.online_url


def test_a_closed_body_has_no_public_meetings(town_a):
    committee = make_committee(town_a, public=False)
    with scope(municipality=town_a):
        meeting = meetings.schedule_meeting(committee.clerk, committee.body, fields(public=True))
        assert not meeting.public
        with pytest.raises(Refused, match="非公開"):
            meetings.publish_pack(committee.clerk, meeting)


def test_close_freezes_and_only_after_the_start(town_a):
    committee = make_committee(town_a)
    with scope(municipality=town_a):
        with pytest.raises(Refused, match="開始日時より前"):
            meetings.close_meeting(committee.clerk, committee.meeting)
        held = meetings.close_meeting(committee.clerk, committee.meeting, now=committee.meeting.starts_at +
                                      timedelta(hours=2))
        assert held.frozen and held.held_at
        for change in (lambda: meetings.add_item(committee.clerk, held, number="", title="追加"),
                       lambda: meetings.change_meeting(committee.clerk, held, fields()),
                       lambda: meetings.close_meeting(committee.clerk, held)):
            with pytest.raises(Refused, match="開催済み"):
                change()
        # The outcome of an item is recorded after the meeting.
        item = meetings.change_item(committee.clerk, committee.item, number=committee.item.number,
                                    title=committee.item.title, outcome="原案可決")
        assert item.outcome == "原案可決"
        with pytest.raises(Refused):
            meetings.change_item(committee.clerk, committee.item, number="議案第99号", title="別", outcome="")


def test_the_database_refuses_a_held_meeting_without_its_time(town_a):
    committee = make_committee(town_a)
    with scope(municipality=town_a), pytest.raises(IntegrityError):
        Meeting.objects.filter(pk=committee.meeting.pk).update(state=MeetingState.HELD)


def test_attendance_is_recorded_once_per_member(town_a):
    committee = make_committee(town_a)
    with scope(municipality=town_a):
        first, second, third = committee.members
        meetings.record_attendance(committee.clerk, committee.meeting, {first.pk: Presence.PRESENT,
                                                                         second.pk: Presence.ONLINE})
        meetings.record_attendance(committee.clerk, committee.meeting, {second.pk: Presence.ABSENT})
        assert dict(Attendance.objects.values_list("member_id", "presence")) == {
            first.pk: Presence.PRESENT, second.pk: Presence.ABSENT}
        with pytest.raises(Refused):
            meetings.record_attendance(committee.clerk, committee.meeting, {third.pk: "asleep"})
        other = make_committee(town_a, name="文教厚生常任委員会")
        with pytest.raises(Refused):  # a member of another body
            meetings.record_attendance(committee.clerk, committee.meeting, {other.members[0].pk: Presence.PRESENT})


def test_cancel_needs_a_reason(town_a):
    committee = make_committee(town_a)
    with scope(municipality=town_a):
        with pytest.raises(Refused) as refused:
            meetings.cancel_meeting(committee.clerk, committee.meeting, "  ")
        assert "reason" in refused.value.errors
        cancelled = meetings.cancel_meeting(committee.clerk, committee.meeting, "台風のため")
        assert cancelled.state == MeetingState.CANCELLED and cancelled.frozen


def test_publishing_needs_documents(town_a):
    committee = make_committee(town_a)
    with scope(municipality=town_a), pytest.raises(Refused, match="資料がまだ"):
        meetings.publish_pack(committee.clerk, committee.meeting)


def test_bodies_are_added_by_the_admin_and_named_once(town_a):
    committee = make_committee(town_a)
    admin = factories.make_staff(town_a, role=Role.ADMIN)
    with scope(municipality=town_a):
        values = meetings.BodyFields(name="庁議", kind="executive", department=admin.department, public=False)
        with pytest.raises(Refused, match="情報担当"):
            meetings.save_body(committee.clerk, values)
        body = meetings.save_body(admin, values)
        assert not body.public
        with pytest.raises(Refused) as refused:
            meetings.save_body(admin, meetings.BodyFields(name="庁議", kind="executive", department=admin.department,
                                                          public=False))
        assert "name" in refused.value.errors
        renamed = meetings.save_body(admin, meetings.BodyFields(name="庁議（定例）", kind="executive",
                                                                department=admin.department, public=False), body)
        assert Body.objects.get(pk=renamed.pk).name == "庁議（定例）"


def test_members_with_an_account_are_linked_once(town_a):
    committee = make_committee(town_a)
    user = factories.make_user("giin9@example.jp")
    with scope(municipality=town_a):
        member = meetings.add_member(committee.clerk, committee.body, name="新人 議員", title="新人議員",
                                     email="GIIN9@example.jp")
        assert member.user == user
        with pytest.raises(Refused) as refused:
            meetings.add_member(committee.clerk, committee.body, name="同じ人", title="", email="giin9@example.jp")
        assert "email" in refused.value.errors
        retired = meetings.set_member_active(committee.clerk, member, False)
        assert not retired.active
