"""The demo facilities and appointment types: load idempotently, every town can book, the samples obey the rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from yakuba.kernel.scheduling import calendar
from yakuba.kernel.scheduling.models import Booking, BookingStatus, Resource
from yakuba.kernel.tenancy.models import Municipality
from yakuba.reservations import services
from yakuba.reservations.demo.catalogue import FACILITIES
from yakuba.reservations.models import AppointmentType, Facility, Kind, Reservation, Room, Status

pytestmark = pytest.mark.django_db

MODELS = (Facility, Room, AppointmentType, Resource, Reservation, Booking)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the reservation models, so a reload that changes any value shows."""
    with scopes_disabled():
        return {model.__name__: sorted(tuple(str(v) for v in row) for row in model.objects.values_list())
                for model in MODELS}


@pytest.fixture
def demo():
    call_command("demo", "--quiet")


def test_loading_twice_changes_nothing(demo):
    first = snapshot()
    call_command("demo", "--quiet")
    assert snapshot() == first
    assert first["Reservation"] and first["Room"]


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
                assert calendar.check_request(rules, reservation.starts_at, reservation.ends_at,
                                              now=reservation.created_at) == []
                assert reservation.booking.starts_at == reservation.starts_at
                assert reservation.booking.status in (BookingStatus.CONFIRMED, BookingStatus.PENDING)
                if reservation.room is not None and reservation.room.fee_per_hour:
                    hours = (reservation.ends_at - reservation.starts_at) / timedelta(hours=1)
                    assert reservation.fee == hours * reservation.room.fee_per_hour


def _next_weekday(weekday: int):
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() != weekday or calendar.holiday_name(day) or calendar.is_year_end(day):
        day += timedelta(days=1)
    return day
