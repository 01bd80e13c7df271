"""予約 services: the calendar's refusals, overlaps, approval, counters with a buffer, cancelling, blocks, 稼働率, .ics.

The clock stands at 2026-04-20 (Mon) 10:00 in Tokyo: 4/27 is a Monday (closed), 4/29 昭和の日, and the
60-day window ends on 6/19. Rooms open Tuesday to Sunday 9:00–21:00; counters on weekdays 8:30–17:15.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.db import connection
from django_scopes import scope, scopes_disabled

from tests import factories
from tests.support.race import race
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling import calendar
from yakuba.kernel.scheduling.models import Booking, BookingStatus, Resource
from yakuba.reservations import services
from yakuba.reservations.models import AppointmentType, Channel, Facility, Reservation, Room, Status

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 4, 20, 10, 0, tzinfo=TOKYO)
TUESDAY = date(2026, 4, 28)
ROOM_RULES = calendar.Rules(
    hours=tuple(() if day == 0 else ((time(9), time(21)),) for day in range(7)), window_days=60,
    min_notice=timedelta(hours=1), min_length=timedelta(minutes=30), max_length=timedelta(hours=4),
    slot=timedelta(minutes=30), cancel_deadline=timedelta(days=1))
COUNTER_RULES = calendar.Rules(
    hours=tuple(((time(8, 30), time(17, 15)),) if day < 5 else () for day in range(7)), window_days=30,
    min_notice=timedelta(hours=1), min_length=timedelta(minutes=60), max_length=timedelta(minutes=60),
    slot=timedelta(minutes=30), cancel_deadline=timedelta(hours=2))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TOKYO)


def make_room(town, *, name: str = "第1会議室", fee_per_hour: int = 0, approval_required: bool = False,
              people: int | None = 30, rules: calendar.Rules = ROOM_RULES, slug: str = "kominkan") -> Room:
    department = factories.make_department(town, "教育課")
    with scope(municipality=town):
        facility, _ = Facility.objects.get_or_create(
            municipality=town, slug=slug,
            defaults={"name": f"{town.name}公民館", "department": department, "address": "下仁田町大字下仁田1"})
        resource = Resource.objects.create(municipality=town, key=f"room:{slug}:{name}", name=name, capacity=1,
                                           rules=rules.to_dict())
        return Room.objects.create(municipality=town, facility=facility, name=name, people=people,
                                   resource=resource, fee_per_hour=fee_per_hour, approval_required=approval_required)


def make_kind(town, *, slug: str = "nouzei-soudan", counters: int = 2, duration: int = 60, buffer: int = 15,
              rules: calendar.Rules = COUNTER_RULES) -> AppointmentType:
    department = factories.make_department(town, "税務課")
    with scope(municipality=town):
        resource = Resource.objects.create(municipality=town, key=f"appointment:{slug}", name="納税相談",
                                           capacity=counters, rules=rules.to_dict())
        return AppointmentType.objects.create(municipality=town, slug=slug, name="納税相談", department=department,
                                              duration_minutes=duration, buffer_minutes=buffer, resource=resource)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def room(town_a):
    return make_room(town_a, fee_per_hour=500)


def counts(town) -> tuple[int, int]:
    with scope(municipality=town):
        return Reservation.objects.count(), Booking.objects.count()


# Reserving a room -----------------------------------------------------------------------------------------------

def test_reserving_a_room_books_its_time_charges_the_fee_and_is_audited(room, resident_a):
    with scope(municipality=room.municipality):
        reservation = services.reserve_room(room, resident_a, at(TUESDAY, 10), at(TUESDAY, 12, 30),
                                            purpose="  俳句の会  ", people=12)
        assert reservation.status == Status.CONFIRMED and reservation.channel == Channel.ONLINE
        assert reservation.fee == 1250  # 2.5 h × 500円
        assert reservation.purpose == "俳句の会"
        booking = reservation.booking
        assert (booking.resource_id, booking.starts_at, booking.ends_at) == (
            room.resource_id, at(TUESDAY, 10), at(TUESDAY, 12, 30))
        assert booking.status == BookingStatus.CONFIRMED
        entry = AuditEntry.objects.get(action="reservations.reservation.created")
        assert entry.actor == resident_a.user and entry.object_id == str(reservation.pk)


def test_an_overlapping_request_is_refused_and_saves_nothing(room, resident_a):
    with scope(municipality=room.municipality):
        services.reserve_room(room, resident_a, at(TUESDAY, 10), at(TUESDAY, 12), purpose="俳句の会")
        other = factories.make_resident(room.municipality, family_name="佐藤")
        with pytest.raises(Refused) as refused:
            services.reserve_room(room, other, at(TUESDAY, 11, 30), at(TUESDAY, 13), purpose="将棋")
    assert "すでに予約が入っています" in refused.value.messages[0]
    assert counts(room.municipality) == (1, 1)
    with scope(municipality=room.municipality):  # touching is not overlapping: [10, 12) then [12, 13)
        services.reserve_room(room, other, at(TUESDAY, 12), at(TUESDAY, 13), purpose="将棋")


@pytest.mark.parametrize(("starts_at", "ends_at", "expected"), [
    (at(date(2026, 4, 19), 10), at(date(2026, 4, 19), 12), "過去の日時は予約できません"),
    (at(date(2026, 4, 20), 10, 30), at(date(2026, 4, 20), 11), "開始の1時間前まで"),
    (at(date(2026, 4, 27), 10), at(date(2026, 4, 27), 12), "この曜日は休館です"),
    (at(date(2026, 4, 29), 10), at(date(2026, 4, 29), 12), "祝日（昭和の日）のため休館です"),
    (at(TUESDAY, 8), at(TUESDAY, 10), "この日の利用時間は9:00〜21:00です"),
    (at(TUESDAY, 20), at(TUESDAY, 22), "この日の利用時間は9:00〜21:00です"),
    (at(TUESDAY, 10, 15), at(TUESDAY, 11, 15), "30分刻み"),
    (at(TUESDAY, 9), at(TUESDAY, 14), "利用時間は4時間以内にしてください"),
    (at(date(2026, 6, 20), 10), at(date(2026, 6, 20), 12), "予約は6月19日の分まで受け付けています"),
])
def test_each_calendar_refusal_reaches_the_caller_in_japanese(room, resident_a, starts_at, ends_at, expected):
    with scope(municipality=room.municipality), pytest.raises(Refused) as refused:
        services.reserve_room(room, resident_a, starts_at, ends_at, purpose="俳句の会")
    assert any(expected in message for message in refused.value.messages), refused.value.messages
    assert counts(room.municipality) == (0, 0)


def test_the_last_day_of_the_window_is_bookable(room, resident_a):
    with scope(municipality=room.municipality):
        reservation = services.reserve_room(room, resident_a, at(date(2026, 6, 19), 10), at(date(2026, 6, 19), 12),
                                            purpose="俳句の会")
        assert reservation.status == Status.CONFIRMED
        assert (reservation.starts_at, reservation.ends_at) == (at(date(2026, 6, 19), 10), at(date(2026, 6, 19), 12))
    assert counts(room.municipality) == (1, 1)


def test_purpose_and_people_are_checked_with_the_calendar(room, resident_a):
    with scope(municipality=room.municipality), pytest.raises(Refused) as refused:
        services.reserve_room(room, resident_a, at(date(2026, 4, 27), 10), at(date(2026, 4, 27), 12), purpose=" ",
                              people=31)
    assert refused.value.messages == ["この曜日は休館です", "利用目的・ご用件を入力してください。",
                                      "この部屋の定員は30人です。"]


# Approval -------------------------------------------------------------------------------------------------------

def test_an_approval_room_waits_for_staff_and_holds_the_time_meanwhile(town_a, resident_a, staff_a):
    hall = make_room(town_a, name="大ホール", fee_per_hour=2000, approval_required=True, people=300)
    with scope(municipality=town_a):
        reservation = services.reserve_room(hall, resident_a, at(TUESDAY, 13), at(TUESDAY, 16), purpose="発表会")
        assert reservation.status == Status.PENDING and reservation.booking.status == BookingStatus.PENDING
        assert reservation.fee == 6000
        with pytest.raises(Refused):  # pending time is taken
            services.reserve_room(hall, factories.make_resident(town_a), at(TUESDAY, 15), at(TUESDAY, 17),
                                  purpose="練習")
        approved = services.approve(reservation, staff=staff_a)
        assert approved.status == Status.CONFIRMED
        approved.booking.refresh_from_db()
        assert approved.booking.status == BookingStatus.CONFIRMED
        assert AuditEntry.objects.filter(action="reservations.reservation.approved", actor=staff_a.user).exists()
        with pytest.raises(Refused, match="承認待ちの予約ではありません"):
            services.approve(approved, staff=staff_a)
        # Staff booking for a caller need not wait for themselves.
        by_phone = services.reserve_room(hall, resident_a, at(TUESDAY, 17), at(TUESDAY, 19), purpose="打合せ",
                                         staff=staff_a, channel=Channel.PHONE)
        assert by_phone.status == Status.CONFIRMED and by_phone.created_by == staff_a


# Appointments: counters and the buffer --------------------------------------------------------------------------

def test_two_counters_take_two_visits_at_once_and_the_buffer_delays_the_next(town_a):
    kind = make_kind(town_a)
    people = [factories.make_resident(town_a, given_name=str(n)) for n in range(4)]
    with scope(municipality=town_a):
        first = services.reserve_appointment(kind, people[0], at(TUESDAY, 10), purpose="分割納付の相談")
        services.reserve_appointment(kind, people[1], at(TUESDAY, 10), purpose="分割納付の相談")
        assert first.ends_at == at(TUESDAY, 11) and first.booking.ends_at == at(TUESDAY, 11, 15)
        with pytest.raises(Refused) as refused:
            services.reserve_appointment(kind, people[2], at(TUESDAY, 10), purpose="分割納付の相談")
        assert refused.value.messages
        with pytest.raises(Refused):  # both counters stay taken until 11:15
            services.reserve_appointment(kind, people[2], at(TUESDAY, 11), purpose="分割納付の相談")
        assert Reservation.objects.count() == 2
        starts = [start for start, _end in services.appointment_slots(kind, TUESDAY)]
        assert at(TUESDAY, 10) not in starts and at(TUESDAY, 11) not in starts
        assert at(TUESDAY, 11, 30) in starts and at(TUESDAY, 16) in starts and at(TUESDAY, 16, 30) not in starts
        services.reserve_appointment(kind, people[2], at(TUESDAY, 11, 30), purpose="分割納付の相談")


def test_appointment_slots_offer_only_starts_that_can_be_booked(town_a):
    kind = make_kind(town_a)
    with scope(municipality=town_a):
        for _n in range(2):
            services.reserve_appointment(kind, factories.make_resident(town_a), at(TUESDAY, 10), purpose="相談")
        assert at(TUESDAY, 9) not in [start for start, _end in services.appointment_slots(kind, TUESDAY)]


def test_an_appointment_follows_the_counter_calendar(town_a, resident_a):
    kind = make_kind(town_a)
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        services.reserve_appointment(kind, resident_a, at(date(2026, 4, 29), 17), purpose="相談")
    assert refused.value.messages == ["祝日（昭和の日）のため休館です"]
    with scope(municipality=town_a), pytest.raises(Refused) as refused:
        services.reserve_appointment(kind, resident_a, at(TUESDAY, 16, 30), purpose="相談")
    assert refused.value.messages == ["この日の利用時間は8:30〜17:15です"]


# Cancelling -----------------------------------------------------------------------------------------------------

def test_a_resident_cancels_before_the_deadline_and_the_time_is_free_again(room, resident_a):
    with scope(municipality=room.municipality):
        reservation = services.reserve_room(room, resident_a, at(TUESDAY, 10), at(TUESDAY, 12), purpose="俳句の会")
        cancelled = services.cancel(reservation, resident=resident_a)
        assert cancelled.status == Status.CANCELLED and cancelled.cancelled_at is not None
        assert Booking.objects.get(pk=reservation.booking_id).status == BookingStatus.CANCELLED
        assert AuditEntry.objects.filter(action="reservations.reservation.cancelled").count() == 1
        with pytest.raises(Refused, match="すでに取り消されている"):
            services.cancel(reservation, resident=resident_a)
        services.reserve_room(room, factories.make_resident(room.municipality), at(TUESDAY, 10), at(TUESDAY, 12),
                              purpose="将棋")


def test_after_the_deadline_only_staff_can_cancel(room, resident_a, staff_a, clock):
    with scope(municipality=room.municipality):
        reservation = services.reserve_room(room, resident_a, at(TUESDAY, 10), at(TUESDAY, 12), purpose="俳句の会")
    clock.move_to(at(date(2026, 4, 27), 9, 59))
    with scope(municipality=room.municipality):
        assert calendar.can_cancel(services.rules_of(room.resource), reservation.starts_at,
                                   now=at(date(2026, 4, 27), 9, 59)) is None
    clock.move_to(at(date(2026, 4, 27), 10, 1))
    with scope(municipality=room.municipality):
        with pytest.raises(Refused) as refused:
            services.cancel(reservation, resident=resident_a)
        assert refused.value.messages == ["取消しの期限（4月27日（月）10:00）を過ぎています"]
        assert Reservation.objects.get(pk=reservation.pk).status == Status.CONFIRMED
        assert services.cancel(reservation, staff=staff_a).status == Status.CANCELLED
    clock.move_to(at(TUESDAY, 11))
    with scope(municipality=room.municipality):
        late = services.reserve_room(room, resident_a, at(date(2026, 5, 2), 10), at(date(2026, 5, 2), 12),
                                     purpose="俳句の会")
    clock.move_to(at(date(2026, 5, 2), 10, 30))
    with scope(municipality=room.municipality), pytest.raises(Refused, match="開始時刻を過ぎた"):
        services.cancel(late, resident=resident_a)


def test_cancelling_on_time_through_time_travel(room, resident_a, clock):
    with scope(municipality=room.municipality):
        reservation = services.reserve_room(room, resident_a, at(TUESDAY, 10), at(TUESDAY, 12), purpose="俳句の会")
    clock.move_to(at(date(2026, 4, 27), 9, 59))
    with scope(municipality=room.municipality):
        assert services.cancel(reservation, resident=resident_a).status == Status.CANCELLED


# Blocks ---------------------------------------------------------------------------------------------------------

def test_a_block_is_refused_over_a_reservation_and_blocks_new_ones(room, resident_a, staff_a):
    with scope(municipality=room.municipality):
        services.reserve_room(room, resident_a, at(TUESDAY, 10), at(TUESDAY, 12), purpose="俳句の会")
        with pytest.raises(Refused, match="予約が入っている時間は停止できません"):
            services.block(room.resource, at(TUESDAY, 9), at(TUESDAY, 21), reason="床の補修", staff=staff_a)
        with pytest.raises(Refused, match="理由を入力してください"):
            services.block(room.resource, at(TUESDAY, 13), at(TUESDAY, 21), reason=" ", staff=staff_a)
        blocked = services.block(room.resource, at(TUESDAY, 13), at(TUESDAY, 21), reason="床の補修", staff=staff_a)
        assert blocked.status == BookingStatus.BLOCKED and blocked.label == "床の補修"
        with pytest.raises(Refused):
            services.reserve_room(room, resident_a, at(TUESDAY, 14), at(TUESDAY, 15), purpose="将棋")
        assert all(start < at(TUESDAY, 13) for start, _end in services.free_slots(room.resource, TUESDAY))
        services.unblock(blocked, staff=staff_a)
        services.reserve_room(room, resident_a, at(TUESDAY, 14), at(TUESDAY, 15), purpose="将棋")
        with pytest.raises(Refused, match="利用停止の枠ではありません"):
            services.unblock(Booking.objects.get(pk=blocked.pk), staff=staff_a)
        assert {"reservations.slot.blocked", "reservations.slot.unblocked"} <= set(
            AuditEntry.objects.values_list("action", flat=True))


# Reading --------------------------------------------------------------------------------------------------------

def test_free_slots_leave_out_taken_and_too_soon_times(room, resident_a):
    with scope(municipality=room.municipality):
        services.reserve_room(room, resident_a, at(TUESDAY, 10), at(TUESDAY, 12), purpose="俳句の会")
        free = services.free_slots(room.resource, TUESDAY, length=timedelta(hours=1))
        starts = [start for start, _end in free]
        assert starts[0] == at(TUESDAY, 9) and at(TUESDAY, 9, 30) not in starts
        assert not any(at(TUESDAY, 9, 30) <= s < at(TUESDAY, 12) for s in starts)
        assert starts[-1] == at(TUESDAY, 20) and len(starts) == 23 - 5  # 9:30 … 11:30 meet [10, 12)
        today = services.free_slots(room.resource, date(2026, 4, 21))
        assert today and services.free_slots(room.resource, date(2026, 4, 27)) == []  # Monday
        assert services.free_slots(room.resource, date(2026, 6, 20)) == []  # beyond the window


def test_occupancy_of_a_hand_made_month(room, resident_a, staff_a):
    """June 2026 has no holidays: 25 days open (Mondays 1, 8, 15, 22, 29 closed) × 12 h = 300 h.
    May 2026: Mondays 4, 11, 18, 25 and holidays 5/3, 5/5, 5/6 closed: 24 days × 12 h = 288 h."""
    with scope(municipality=room.municipality):
        services.reserve_room(room, resident_a, at(date(2026, 6, 2), 10), at(date(2026, 6, 2), 12), purpose="a")
        services.reserve_room(room, resident_a, at(date(2026, 6, 9), 13), at(date(2026, 6, 9), 16), purpose="b")
        dropped = services.reserve_room(room, resident_a, at(date(2026, 6, 10), 10), at(date(2026, 6, 10), 12),
                                        purpose="c")
        services.cancel(dropped, resident=resident_a)
        services.block(room.resource, at(date(2026, 6, 11), 9), at(date(2026, 6, 11), 21), reason="点検",
                       staff=staff_a)  # a block is not use
        services.reserve_room(room, resident_a, at(date(2026, 5, 31), 17), at(date(2026, 5, 31), 21), purpose="d")
        other = make_room(room.municipality, name="和室")
        june = services.occupancy([room, other], 2026, 6)
        may = services.occupancy([room], 2026, 5)
    assert (june[0].open_hours, june[0].booked_hours) == (300, 5)
    assert june[0].rate == pytest.approx(5 / 300)
    assert (june[1].open_hours, june[1].booked_hours, june[1].rate) == (300, 0, 0)
    assert (may[0].open_hours, may[0].booked_hours) == (288, 4)


def test_ics_describes_the_reservation(room, resident_a):
    with scope(municipality=room.municipality):
        reservation = services.reserve_room(room, resident_a, at(TUESDAY, 10), at(TUESDAY, 12), purpose="俳句の会")
        data = services.ics(reservation, url="https://example.jp/r/1")
        parsed = icalendar.Calendar.from_ical(data)
        [event] = parsed.walk("VEVENT")
        assert event["uid"] == f"{reservation.public_id}@yakuba"
        assert event.decoded("dtstart") == at(TUESDAY, 10) and event.decoded("dtend") == at(TUESDAY, 12)
        assert str(event["summary"]) == "下仁田町公民館 第1会議室（下仁田町）"
        assert str(event["location"]) == "下仁田町大字下仁田1"
        assert str(event["url"]) == "https://example.jp/r/1" and str(event["status"]) == "CONFIRMED"
        cancelled = services.cancel(reservation, resident=resident_a)
        assert b"STATUS:CANCELLED" in services.ics(cancelled)


# Racing (PostgreSQL) ------------------------------------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_residents_get_one_room_slot_and_two_counters(town_a):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    room, kind = make_room(town_a), make_kind(town_a)
    people = [factories.make_resident(town_a, given_name=str(n)) for n in range(8)]
    outcomes = race(town_a, [lambda r=r: services.reserve_room(room, r, at(TUESDAY, 10), at(TUESDAY, 12),
                                                                 purpose="俳句の会") for r in people])
    assert outcomes == Counter({"ok": 1, "Refused": 7})
    outcomes = race(town_a, [lambda r=r: services.reserve_appointment(kind, r, at(TUESDAY, 10), purpose="相談")
                             for r in people])
    assert outcomes == Counter({"ok": 2, "Refused": 6})
    with scope(municipality=town_a):
        assert Reservation.objects.count() == Booking.objects.count() == 3


# Towns ----------------------------------------------------------------------------------------------------------

def test_a_room_of_another_town_cannot_be_found_from_this_one(town_a, town_b):
    room_b = make_room(town_b, name="B町の会議室")
    kind_b = make_kind(town_b)
    with scope(municipality=town_a):
        assert not Room.objects.filter(pk=room_b.pk).exists()  # a view looking it up answers 404
        assert not AppointmentType.objects.filter(slug=kind_b.slug).exists()
        assert not Resource.objects.filter(pk=room_b.resource_id).exists()


def test_a_room_of_another_town_cannot_be_reserved_from_this_one(town_a, town_b, resident_a):
    room_b = make_room(town_b, name="B町の会議室")
    with scope(municipality=town_a):
        with pytest.raises(Refused):
            services.reserve_room(room_b, resident_a, at(TUESDAY, 10), at(TUESDAY, 12), purpose="俳句の会")
    with scopes_disabled():
        assert Reservation.objects.count() == 0 and Booking.objects.count() == 0
