"""The demo facilities and appointment types: load idempotently, every town can book, the samples obey the rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from yakuba.kernel.scheduling import calendar
from yakuba.kernel.scheduling.models import BookingStatus
from yakuba.kernel.tenancy.models import Municipality
from yakuba.reservations import services
from yakuba.reservations.demo.catalogue import FACILITIES
from yakuba.reservations.models import (
    AppointmentType,
    Facility,
    Group,
    GroupCategory,
    GroupStatus,
    Kind,
    Lottery,
    Reservation,
    Room,
    Series,
    Status,
)

pytestmark = pytest.mark.django_db



@pytest.fixture
def demo(demo_for_module):
    """The demo, loaded once for this module (tests/conftest.py); each test's changes are undone."""


def test_every_town_has_rooms_and_appointment_types_with_valid_rules(demo):
    for municipality in Municipality.objects.all():
        with scope(municipality=municipality):
            rooms = list(Room.objects.select_related("resource", "facility"))
            kinds = list(AppointmentType.objects.select_related("resource", "department"))
            assert len(rooms) >= 5, municipality.name
            assert any(k.slug == "nouzei-soudan" and k.counters == 2 and k.buffer_minutes == 15 for k in kinds)
            assert {f.slug for f in Facility.objects.all()} >= {"kominkan", "taiikukan"}
            for room in rooms:
                assert room.resource.key.startswith(f"room:{room.facility.slug}:")
                assert room.resource.capacity == 1 and room.resource.municipality_id == municipality.pk
                rules = calendar.Rules.from_dict(room.resource.rules)
                assert rules.to_dict() == room.resource.rules
                assert calendar.opening_hours(rules, _next_weekday(1)), room  # open on Tuesdays
            for kind in kinds:
                assert kind.department.municipality_id == municipality.pk
                calendar.Rules.from_dict(kind.resource.rules)
    with scopes_disabled():
        assert Room.objects.filter(approval_required=True, fee_per_hour__gt=0).exists()
        shimonita = Municipality.objects.get(name="下仁田町")
        assert Facility.objects.get(municipality=shimonita, slug="kominkan").name == "下仁田町公民館"
        assert AppointmentType.objects.get(municipality=shimonita, slug="nouzei-soudan").department.name == (
            "住民税務課")
    assert {f.slug for f in FACILITIES} == {"kominkan", "taiikukan", "ground"}


def test_demo_reservations_are_in_the_future_and_pass_the_rules(demo):
    now = timezone.now()
    for municipality in Municipality.objects.all():
        with scope(municipality=municipality):
            reservations = list(Reservation.objects.select_related("booking__resource", "room", "appointment_type"))
            assert {r.kind for r in reservations} == {Kind.ROOM, Kind.APPOINTMENT}
            assert any(r.status == Status.PENDING for r in reservations)  # the hall waits for approval
            assert any(r.channel == "phone" and r.created_by is not None for r in reservations)
            for reservation in reservations:
                rules = services.rules_of(reservation.booking.resource)
                assert timezone.localdate(reservation.starts_at) >= timezone.localdate(now) + timedelta(days=2)
                window = services.booking_window(reservation.room, timezone.localdate(reservation.starts_at),
                                                 group=reservation.group, now=reservation.created_at) \
                    if reservation.room else None  # a registered group books further ahead
                assert calendar.check_request(rules, reservation.starts_at, reservation.ends_at,
                                              now=reservation.created_at, window_days=window) == []
                assert reservation.booking.starts_at == reservation.starts_at
                assert reservation.booking.status in (BookingStatus.CONFIRMED, BookingStatus.PENDING)
                if reservation.room is not None and reservation.room.fee_per_hour:
                    hours = (reservation.ends_at - reservation.starts_at) / timedelta(hours=1)
                    assert reservation.full_fee == hours * reservation.room.fee_per_hour
                    assert reservation.fee == services.reduced_fee(reservation.full_fee, reservation.group)


def _next_weekday(weekday: int):
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() != weekday or calendar.holiday_name(day) or calendar.is_year_end(day):
        day += timedelta(days=1)
    return day


def test_every_town_has_groups_a_weekly_series_and_an_open_gym_lottery(demo):
    for municipality in Municipality.objects.all():
        with scope(municipality=municipality):
            assert {c.reduction_percent for c in GroupCategory.objects.all()} == {0, 50, 100}
            statuses = dict(Group.objects.values_list("name", "status"))
            assert statuses == {"ひまわり太極拳クラブ": GroupStatus.APPROVED, "ママさんバレー部": GroupStatus.PENDING}
            series = Series.objects.get()
            booked = list(series.reservations.all())
            assert len(booked) >= 8, municipality.name  # Tuesdays for about three months, a few holidays aside
            assert all(r.fee == r.full_fee // 2 and r.group is not None for r in booked)
            lottery = Lottery.objects.get()
            assert lottery.status == "open" and lottery.opens_at <= timezone.now() < lottery.closes_at
            assert {room.facility.slug for room in lottery.rooms.all()} == {"taiikukan"}
            assert lottery.period_start > timezone.localdate() + timedelta(days=60)
