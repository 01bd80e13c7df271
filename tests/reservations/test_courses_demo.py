"""The demo 講座: every demo town gets a スマホ教室 with three sessions (the first nearly full) and one more course;
loading twice writes nothing."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_scopes import scope, scopes_disabled

from yakuba.kernel.ops.demo import TOWNS
from yakuba.kernel.scheduling.models import Booking, Resource
from yakuba.kernel.tenancy.models import Municipality
from yakuba.reservations.demo import courses as demo_courses
from yakuba.reservations.models import Course, Enrolment, EnrolmentStatus, Session
from yakuba.reservations.services import courses as services

pytestmark = pytest.mark.django_db

MODELS = (Course, Session, Enrolment, Resource, Booking)


def snapshot() -> dict[str, list[tuple]]:
    with scopes_disabled():
        return {model.__name__: sorted(tuple(str(v) for v in row) for row in model.objects.values_list())
                for model in MODELS}


def load_courses() -> None:
    for town in TOWNS:
        municipality = Municipality.objects.get(code=town.code)
        with scope(municipality=municipality), transaction.atomic():
            demo_courses.load(municipality, town)


def test_every_town_gets_the_courses_and_a_second_load_writes_nothing(demo_for_module):
    load_courses()
    first = snapshot()
    load_courses()
    assert snapshot() == first
    for town in TOWNS:
        municipality = Municipality.objects.get(code=town.code)
        with scope(municipality=municipality):
            smartphone = Course.objects.get(slug="smartphone-beginners")
            assert smartphone.title == "スマホ教室（初めての方向け）" and smartphone.is_published
            sessions = list(services.with_seats(smartphone.sessions.all()).order_by("starts_at"))
            assert len(sessions) == 3
            assert all("公民館" in session.place for session in sessions)
            assert [session.resource.key for session in sessions] == [f"session:{s.pk}" for s in sessions]
            seats = services.seats_of(sessions[0])
            assert (seats.seats, seats.taken, seats.left) == (4, 3, 1)
            assert Enrolment.objects.filter(session=sessions[0], status=EnrolmentStatus.ENROLLED).count() == 3
            assert [services.seats_of(s).seats for s in sessions[1:]] == [10, 10]
            assert Course.objects.filter(slug="mynumber-card", sessions__isnull=False).exists()
            cooking = Course.objects.get(slug="cooking")
            assert (cooking.fee, cooking.fee_note) == (500, "材料費") and cooking.sessions.exists()
            assert not Enrolment.objects.filter(session__course=cooking).exists()  # nothing paid or owed in the demo
            assert Course.objects.filter(fee__gt=0).count() == 1  # the other courses stay free
