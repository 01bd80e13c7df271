"""Staff back office of 予約 through HTTP: day and week, a reservation's actions, blocks, phone bookings, 稼働率."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from tests import factories
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.scheduling import calendar
from yakuba.kernel.scheduling.models import Booking, BookingStatus, Resource
from yakuba.reservations import metrics, services
from yakuba.reservations.models import AppointmentType, Channel, Facility, Reservation, Room, Status

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)
NINE_TO_FIVE = ((time(9), time(17)),)
# Open every day 9–17, bookable a year ahead at any notice: tests choose their days freely.
EVERY_DAY = calendar.Rules(hours=(NINE_TO_FIVE,) * 7, closed_on_holidays=False, year_end_closure=False,
                           window_days=365, min_notice=timedelta(0)).to_dict()
# A town hall's week: weekdays 9–17, closed on public holidays.
WEEKDAYS = calendar.Rules(hours=(NINE_TO_FIVE,) * 5 + ((), ())).to_dict()


# Fixtures of this module ----------------------------------------------------------------------------------------

def make_room(town, *, department: str = "総務課", facility: str = "公民館", name: str = "会議室",
              rules: dict | None = None, approval: bool = False, people: int | None = 20) -> Room:
    n = next(_seq)
    with scope(municipality=town):
        dept = factories.make_department(town, department)
        place, _ = Facility.objects.get_or_create(municipality=town, slug=f"facility-{dept.pk}-{n}",
                                                  defaults={"name": facility, "department": dept})
        resource = Resource.objects.create(municipality=town, key=f"room:test-{n}", name=name,
                                           rules=rules or EVERY_DAY)
        return Room.objects.create(municipality=town, facility=place, name=name, resource=resource,
                                   approval_required=approval, people=people, fee_per_hour=300)


def make_appointment_type(town, *, department: str = "税務課", name: str = "納税相談", minutes: int = 60,
                          rules: dict | None = None) -> AppointmentType:
    n = next(_seq)
    with scope(municipality=town):
        dept = factories.make_department(town, department)
        resource = Resource.objects.create(municipality=town, key=f"appointment:test-{n}", name=name,
                                           rules=rules or EVERY_DAY)
        return AppointmentType.objects.create(municipality=town, slug=f"type-{n}", name=name, department=dept,
                                              duration_minutes=minutes, resource=resource)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def reserve(room: Room, resident, day: date, start: int, end: int, *, purpose: str = "自治会の会議",
            channel: str = Channel.ONLINE) -> Reservation:
    """A reservation made online the week before (so any day, past or future, is allowed by the rules)."""
    with scope(municipality=room.municipality):
        return services.reserve_room(room, resident, at(day, start), at(day, end), purpose=purpose, people=8,
                                     now=at(day, start) - timedelta(days=7), channel=channel)


def url(town, name, *args, query: str = "") -> str:
    return factories.town_url(town, reverse(f"staff:{name}", args=args)) + (f"?{query}" if query else "")


def audit_entries(town, action: str) -> list[AuditEntry]:
    with scope(municipality=town):
        return list(AuditEntry.objects.filter(action=action).order_by("pk"))


@pytest.fixture
def room(town_a):
    return make_room(town_a, department="総務課", facility="中央公民館", name="第1会議室")


@pytest.fixture
def other_room(town_a):
    return make_room(town_a, department="住民課", facility="体育館", name="A面")


@pytest.fixture
def today():
    return timezone.localdate()


# Day and week ---------------------------------------------------------------------------------------------------

def test_day_view_shows_own_department_rooms_only_and_is_audited(town_a, staff_a, admin_a, room, other_room,
                                                                 resident_a, today):
    reserve(room, resident_a, today, 10, 12, purpose="俳句の会")
    reserve(other_room, resident_a, today, 13, 15, purpose="卓球練習")
    kind = make_appointment_type(town_a, department="総務課", name="マイナンバーカード相談")
    page = factories.staff_client(staff_a).get(url(town_a, "reservations-day")).content.decode()
    assert "第1会議室" in page and "俳句の会" in page and "山田 花子" in page and "10:00〜12:00" in page
    assert "マイナンバーカード相談" in page
    assert "A面" not in page and "卓球練習" not in page
    entry = audit_entries(town_a, "reservations.day.viewed")[-1]
    assert entry.data == {"day": today.isoformat(), "count": 1}

    page = factories.staff_client(admin_a).get(url(town_a, "reservations-day")).content.decode()
    assert "俳句の会" in page and "卓球練習" in page and kind.name in page


def test_day_view_other_days_blocked_slots_and_bad_dates(town_a, staff_a, room, resident_a, today):
    tomorrow = today + timedelta(days=1)
    later = reserve(room, resident_a, tomorrow, 13, 14, purpose="書道教室")
    early = reserve(room, resident_a, tomorrow, 9, 10, purpose="朝の体操")
    with scope(municipality=town_a):
        services.block(room.resource, at(tomorrow, 15), at(tomorrow, 17), reason="空調の点検", staff=staff_a)
    client = factories.staff_client(staff_a)
    page = client.get(url(town_a, "reservations-day", query=f"day={tomorrow.isoformat()}")).content.decode()
    assert page.index("朝の体操") < page.index("書道教室") < page.index("空調の点検")
    assert "利用停止" in page
    assert reverse("staff:reservations-detail", args=[early.pk]) in page
    assert reverse("staff:reservations-detail", args=[later.pk]) in page
    assert f"day={today.isoformat()}" in page and f"day={(tomorrow + timedelta(days=1)).isoformat()}" in page
    assert audit_entries(town_a, "reservations.day.viewed")[-1].data["count"] == 3

    response = client.get(url(town_a, "reservations-day", query="day=2026-02-30"))
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


def test_week_view_per_resource(town_a, staff_a, room, other_room, resident_a, today):
    monday = today - timedelta(days=today.weekday())
    reserve(room, resident_a, monday + timedelta(days=2), 10, 11, purpose="合唱の練習")
    client = factories.staff_client(staff_a)
    response = client.get(url(town_a, "reservations-week",
                              query=f"resource={room.resource_id}&start={monday.isoformat()}"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="week__day') == 7 and "合唱の練習" in page
    assert audit_entries(town_a, "reservations.week.viewed")[-1].data == {"start": monday.isoformat(), "count": 1}
    assert client.get(url(town_a, "reservations-week")).status_code == 200  # the first managed resource
    assert client.get(url(town_a, "reservations-week", query="start=yesterday")).status_code == 400
    assert client.get(url(town_a, "reservations-week", query=f"resource={other_room.resource_id}")).status_code == 404


# One reservation ------------------------------------------------------------------------------------------------

def test_detail_shows_everything_and_is_audited(town_a, staff_a, room, resident_a, today):
    reservation = reserve(room, resident_a, today + timedelta(days=3), 10, 12, purpose="PTA役員会")
    page = factories.staff_client(staff_a).get(url(town_a, "reservations-detail", reservation.pk)).content.decode()
    assert "PTA役員会" in page and "山田 花子" in page and "ヤマダ" in page and "600円" in page
    assert "オンライン" in page and str(reservation.public_id) in page
    assert "この予約を取り消す" in page and "受付済みにする" not in page  # attendance only from the day
    entries = audit_entries(town_a, "reservations.reservation.viewed")
    assert [e.object_id for e in entries] == [str(reservation.pk)]


def test_detail_of_another_department_or_town_is_not_found(town_a, town_b, staff_a_other, staff_b, room,
                                                           resident_a, today):
    reservation = reserve(room, resident_a, today, 10, 11)
    assert factories.staff_client(staff_a_other).get(
        url(town_a, "reservations-detail", reservation.pk)).status_code == 404
    client_b = factories.staff_client(staff_b)
    assert client_b.get(url(town_a, "reservations-detail", reservation.pk)).status_code == 403
    assert client_b.get(url(town_a, "reservations-day")).status_code == 403
    assert client_b.get(url(town_b, "reservations-detail", reservation.pk)).status_code == 404
    assert client_b.post(url(town_b, "reservations-cancel", reservation.pk)).status_code == 404
    with scope(municipality=town_a):
        assert Reservation.objects.get(pk=reservation.pk).status == Status.CONFIRMED


def test_approve_a_pending_reservation(town_a, staff_a, resident_a, today):
    hall = make_room(town_a, name="大ホール", approval=True)
    reservation = reserve(hall, resident_a, today + timedelta(days=5), 13, 16, purpose="音楽発表会")
    assert reservation.status == Status.PENDING
    client = factories.staff_client(staff_a)
    assert "この予約を承認する" in client.get(url(town_a, "reservations-detail", reservation.pk)).content.decode()
    response = client.post(url(town_a, "reservations-approve", reservation.pk))
    assert response.status_code == 302
    with scope(municipality=town_a):
        reservation.refresh_from_db()
        assert reservation.status == Status.CONFIRMED
        assert Booking.objects.get(pk=reservation.booking_id).status == BookingStatus.CONFIRMED
    assert len(audit_entries(town_a, "reservations.reservation.approved")) == 1
    again = client.post(url(town_a, "reservations-approve", reservation.pk))
    assert again.status_code == 400
    assert "承認待ちの予約ではありません" in again.content.decode()
    assert client.get(url(town_a, "reservations-approve", reservation.pk)).status_code == 405


def test_attendance_on_the_day_and_refused_before(town_a, staff_a, room, resident_a, today):
    present = reserve(room, resident_a, today, 9, 10)
    future = reserve(room, resident_a, today + timedelta(days=2), 9, 10)
    client = factories.staff_client(staff_a)
    assert "受付済みにする" in client.get(url(town_a, "reservations-detail", present.pk)).content.decode()
    response = client.post(url(town_a, "reservations-attendance", present.pk), {"attended": "1"}, follow=True)
    assert "受付済みにしました" in response.content.decode()
    with scope(municipality=town_a):
        present.refresh_from_db()
        assert present.status == Status.ATTENDED and present.checked_in_at is not None
    client.post(url(town_a, "reservations-attendance", present.pk), {"attended": "0"})
    with scope(municipality=town_a):
        present.refresh_from_db()
        assert present.status == Status.NO_SHOW and present.checked_in_at is None
    assert len(audit_entries(town_a, "reservations.reservation.no_show")) == 1

    refused = client.post(url(town_a, "reservations-attendance", future.pk), {"attended": "1"})
    assert refused.status_code == 400
    assert "来場の記録は予約の当日から行えます" in refused.content.decode()
    bad = client.post(url(town_a, "reservations-attendance", future.pk), {"attended": "maybe"})
    assert bad.status_code == 400
    with scope(municipality=town_a):
        assert Reservation.objects.get(pk=future.pk).status == Status.CONFIRMED
    assert client.get(url(town_a, "reservations-attendance", future.pk)).status_code == 405


def test_cancel_on_behalf_ignores_the_deadline_and_counts_once(town_a, staff_a, room, resident_a, today):
    reservation = reserve(room, resident_a, today + timedelta(days=1), 9, 10)  # past the residents' deadline
    client = factories.staff_client(staff_a)
    token = "a" * 32
    response = client.post(url(town_a, "reservations-cancel", reservation.pk), {"_once": token})
    assert response.status_code == 302
    with scope(municipality=town_a):
        reservation.refresh_from_db()
        assert reservation.status == Status.CANCELLED
        assert Booking.objects.get(pk=reservation.booking_id).status == BookingStatus.CANCELLED
    entries = audit_entries(town_a, "reservations.reservation.cancelled")
    assert len(entries) == 1 and entries[0].actor_id == staff_a.user_id
    repeat = client.post(url(town_a, "reservations-cancel", reservation.pk), {"_once": token}, follow=True)
    assert "この操作はすでに受け付けています" in repeat.content.decode()
    again = client.post(url(town_a, "reservations-cancel", reservation.pk))
    assert again.status_code == 400
    assert "すでに取り消されているか" in again.content.decode()


# Blocks ---------------------------------------------------------------------------------------------------------

def test_block_and_unblock(town_a, staff_a, room, today):
    day = today + timedelta(days=4)
    client = factories.staff_client(staff_a)
    assert client.get(url(town_a, "reservations-block")).status_code == 200
    response = client.post(url(town_a, "reservations-block"), {
        "resource": room.resource_id, "day": day.isoformat(), "starts": "13:00", "ends": "17:00",
        "reason": "床の張り替え"}, follow=True)
    page = response.content.decode()
    assert "利用停止にしました" in page and "床の張り替え" in page
    with scope(municipality=town_a):
        block = Booking.objects.get(status=BookingStatus.BLOCKED)
        assert (block.starts_at, block.ends_at) == (at(day, 13), at(day, 17))
    assert len(audit_entries(town_a, "reservations.slot.blocked")) == 1

    response = client.post(url(town_a, "reservations-unblock", block.pk), follow=True)
    assert "利用停止を解除しました" in response.content.decode()
    with scope(municipality=town_a):
        assert Booking.objects.get(pk=block.pk).status == BookingStatus.CANCELLED
    assert client.post(url(town_a, "reservations-unblock", block.pk)).status_code == 404
    assert client.get(url(town_a, "reservations-unblock", block.pk)).status_code == 405


def test_block_refused_over_a_reservation_or_without_a_reason(town_a, staff_a, room, other_room, resident_a,
                                                              today):
    day = today + timedelta(days=4)
    reserve(room, resident_a, day, 10, 12)
    client = factories.staff_client(staff_a)
    data = {"resource": room.resource_id, "day": day.isoformat(), "starts": "11:00", "ends": "13:00",
            "reason": "点検"}
    response = client.post(url(town_a, "reservations-block"), data)
    assert response.status_code == 400
    assert "予約が入っている時間は停止できません" in response.content.decode()

    response = client.post(url(town_a, "reservations-block"), {**data, "reason": "", "starts": "14:00"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "理由を入力してください" in page and 'value="14:00"' in page and "error-summary" in page

    response = client.post(url(town_a, "reservations-block"), {**data, "starts": "15:00", "ends": "14:00"})
    assert response.status_code == 400 and "終了時刻は開始時刻より後にしてください" in response.content.decode()
    # Another department's room is not among the choices.
    response = client.post(url(town_a, "reservations-block"), {**data, "resource": other_room.resource_id,
                                                                "starts": "14:00", "ends": "15:00"})
    assert response.status_code == 400
    with scope(municipality=town_a):
        assert not Booking.objects.filter(status=BookingStatus.BLOCKED).exists()


# Phone bookings -------------------------------------------------------------------------------------------------

def test_phone_booking_of_a_room_and_an_appointment(town_a, staff_a, room, resident_a, today):
    factories.make_resident(town_a, family_name="佐藤", given_name="一郎", family_name_kana="サトウ",
                            given_name_kana="イチロウ", phone="0274-82-0000")
    with scope(municipality=town_a):
        resident_a.phone = "090-1111-2222"
        resident_a.save()
    kind = make_appointment_type(town_a, department="総務課", name="納税相談", minutes=60)
    client = factories.staff_client(staff_a)
    page = client.get(url(town_a, "reservations-new", query="q=やまだ")).content.decode()
    assert "山田 花子" in page and "佐藤" not in page
    page = client.get(url(town_a, "reservations-new", query="q=09011112222")).content.decode()
    assert "山田 花子" in page and "佐藤" not in page
    assert audit_entries(town_a, "reservations.resident.searched")[-1].data == {"count": 1}

    assert client.get(url(town_a, "reservations-new", query=f"resident={resident_a.pk}")).status_code == 200
    day = today + timedelta(days=10)
    response = client.post(url(town_a, "reservations-new"), {
        "resident": resident_a.pk, "target": f"room:{room.pk}", "day": day.isoformat(), "starts": "10:00",
        "ends": "12:00", "purpose": "老人会の集まり", "people": "12"})
    assert response.status_code == 302
    response = client.post(url(town_a, "reservations-new"), {
        "resident": resident_a.pk, "target": f"appointment:{kind.pk}", "day": day.isoformat(), "starts": "14:00",
        "purpose": "固定資産税の分納について"})
    assert response.status_code == 302
    with scope(municipality=town_a):
        booked = list(Reservation.objects.order_by("pk"))
    assert [(r.kind, r.channel, r.created_by_id, r.resident_id) for r in booked] == [
        ("room", Channel.PHONE, staff_a.pk, resident_a.pk), ("appointment", Channel.PHONE, staff_a.pk, resident_a.pk)]
    assert (booked[0].starts_at, booked[0].ends_at, booked[0].people) == (at(day, 10), at(day, 12), 12)
    assert (booked[1].starts_at, booked[1].ends_at) == (at(day, 14), at(day, 15))
    assert response["Location"] == url(town_a, "reservations-detail", booked[1].pk)


def test_phone_booking_refused_keeps_what_was_typed(town_a, town_b, staff_a, room, resident_a, resident_b, today):
    client = factories.staff_client(staff_a)
    day = today + timedelta(days=10)
    data = {"resident": resident_a.pk, "target": f"room:{room.pk}", "day": day.isoformat(), "starts": "10:00",
            "ends": "12:00", "purpose": ""}
    response = client.post(url(town_a, "reservations-new"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "利用目的・ご用件を入力してください" in page and 'value="12:00"' in page
    response = client.post(url(town_a, "reservations-new"), {**data, "purpose": "会議", "ends": ""})
    assert response.status_code == 400 and "終了時刻を入力してください" in response.content.decode()
    response = client.post(url(town_a, "reservations-new"), {**data, "purpose": "会議", "starts": "18:00",
                                                             "ends": "19:00"})
    assert response.status_code == 400 and "この日の利用時間は9:00〜17:00です" in response.content.decode()
    reserve(room, resident_a, day, 11, 13)
    response = client.post(url(town_a, "reservations-new"), {**data, "purpose": "会議"})
    assert response.status_code == 400 and "すでに予約が入っています" in response.content.decode()
    with scope(municipality=town_a):
        assert Reservation.objects.count() == 1
    assert client.get(url(town_a, "reservations-new", query=f"resident={resident_b.pk}")).status_code == 404
    assert client.post(url(town_a, "reservations-new"), {**data, "resident": resident_b.pk}).status_code == 404


# 稼働率 ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def february(town_a, staff_a, resident_a):
    """February 2026: a weekday room open 9–17 on 18 days (20 weekdays less 建国記念の日 and 天皇誕生日) = 144 h;
    2 reservations of 2 h (one a no-show), one cancelled, one phone appointment; a room of another department."""
    room = make_room(town_a, facility="中央公民館", name="和室", rules=WEEKDAYS)
    elsewhere = make_room(town_a, department="住民課", facility="体育館", name="B面", rules=WEEKDAYS)
    kind = make_appointment_type(town_a, department="総務課", rules=WEEKDAYS)
    now = at(date(2026, 2, 2), 9)
    with scope(municipality=town_a):
        services.reserve_room(room, resident_a, at(date(2026, 2, 10), 9), at(date(2026, 2, 10), 11),
                              purpose="茶道", now=now)
        missed = services.reserve_room(room, resident_a, at(date(2026, 2, 12), 13), at(date(2026, 2, 12), 15),
                                       purpose="華道", now=now)
        services.mark_attendance(missed, False, staff=staff_a)
        dropped = services.reserve_room(room, resident_a, at(date(2026, 2, 13), 13), at(date(2026, 2, 13), 15),
                                        purpose="囲碁", now=now)
        services.cancel(dropped, staff=staff_a)
        services.reserve_room(elsewhere, resident_a, at(date(2026, 2, 16), 9), at(date(2026, 2, 16), 12),
                              purpose="バレーボール", now=now)
        services.reserve_appointment(kind, resident_a, at(date(2026, 2, 17), 10), purpose="納税の相談", now=now,
                                     staff=staff_a, channel=Channel.PHONE)
    return room, elsewhere


def test_stats_for_a_hand_made_month(town_a, staff_a, february):
    room, elsewhere = february
    response = factories.staff_client(staff_a).get(url(town_a, "reservations-stats", query="month=2026-02"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "中央公民館 和室" in page and "144.0時間" in page and "4.0時間" in page and "2.8%" in page
    assert 'width="3"' in page  # the bar: 2.8% rounded
    assert "B面" not in page
    assert "style=" not in page
    # Counts (cancelled apart): 2 room reservations online, 1 appointment by phone; 1 no-show, 1 cancelled.
    rows = {line.split("</th>")[0].rsplit(">", 1)[-1]: line for line in page.split("<tr><th scope=\"row\">")[1:]}
    assert "<td>2</td><td>0</td><td>2</td>" in rows["オンライン"]
    assert "<td>0</td><td>1</td><td>1</td>" in rows["電話（職員が代行）"]
    assert "無断キャンセル</dt><dd>1件" in page and "取消し</dt><dd>1件" in page and "合計</dt><dd>3件" in page

    with scope(municipality=town_a):
        figures = {row["name"]: row for row in metrics.occupancy_by_month(2026, 2)}
        by_month = metrics.reservations_by_month()
        share = metrics.online_share()
    assert figures["和室"]["open_hours"] == 144 and figures["和室"]["booked_hours"] == 4
    assert figures["和室"]["rate"] == 4 / 144
    assert figures["B面"]["rate"] == 3 / 144
    assert len(by_month) == 1
    month = by_month[0]
    assert (month["total"], month["room"], month["appointment"], month["online"], month["phone"],
            month["no_show"], month["cancelled"]) == (4, 3, 1, 3, 1, 1, 1)
    assert month["online_share"] == 3 / 4
    assert share == 4 / 5


def test_stats_csv(town_a, staff_a, admin_a, february):
    response = factories.staff_client(staff_a).get(url(town_a, "reservations-stats-csv", query="month=2026-02"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="occupancy-2026-02.csv"' in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows == [["月", "施設", "部屋", "利用可能時間（時間）", "予約時間（時間）", "稼働率（%）"],
                    ["2026-02", "中央公民館", "和室", "144.0", "4.0", "2.8"]]
    rows = list(csv.reader(io.StringIO(factories.staff_client(admin_a).get(
        url(town_a, "reservations-stats-csv", query="month=2026-02")).content.decode("utf-8").lstrip("\ufeff"))))
    assert sorted(row[2] for row in rows[1:]) == ["B面", "和室"]
    assert factories.staff_client(staff_a).get(
        url(town_a, "reservations-stats-csv", query="month=2026-13")).status_code == 400


def test_stats_bad_month_is_400_and_default_is_this_month(town_a, staff_a):
    client = factories.staff_client(staff_a)
    assert client.get(url(town_a, "reservations-stats", query="month=11-2026")).status_code == 400
    today = timezone.localdate()
    page = client.get(url(town_a, "reservations-stats")).content.decode()
    assert f"{today.year}年{today.month}月の稼働率" in page


# Access ---------------------------------------------------------------------------------------------------------

def test_every_page_renders_for_a_clerk_and_post_only_views_refuse_get(town_a, staff_a, room, resident_a, today):
    reservation = reserve(room, resident_a, today, 9, 10)
    client = factories.staff_client(staff_a)
    for name in ("reservations-day", "reservations-week", "reservations-block", "reservations-new",
                 "reservations-stats", "reservations-stats-csv"):
        assert client.get(url(town_a, name)).status_code == 200, name
    assert client.get(url(town_a, "reservations-detail", reservation.pk)).status_code == 200
    for name in ("reservations-approve", "reservations-attendance", "reservations-cancel"):
        assert client.get(url(town_a, name, reservation.pk)).status_code == 405, name


def test_anonymous_goes_to_login_and_residents_are_refused(town_a, resident_a, client):
    response = client.get(url(town_a, "reservations-day"))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
    client.force_login(resident_a.user)
    assert client.get(url(town_a, "reservations-day")).status_code == 403


def test_stats_csv_writes_typed_names_as_text_and_figures_as_numbers(town_a, staff_a, february):
    from tests.kernel.files.test_tables import HOSTILE, assert_inert

    client = factories.staff_client(staff_a)
    for text in HOSTILE:
        with scope(municipality=town_a):
            Facility.objects.filter(name__in=["中央公民館", *HOSTILE]).update(name=text)
            Room.objects.filter(name__in=["和室", *HOSTILE]).update(name=text)
        body = client.get(url(town_a, "reservations-stats-csv", query="month=2026-02")).content.decode("utf-8")
        row = list(csv.reader(io.StringIO(body.lstrip("\ufeff"), newline="")))[1]
        assert_inert(row[1], text)
        assert_inert(row[2], text)
        assert row[0] == "2026-02" and row[3:] == ["144.0", "4.0", "2.8"]
