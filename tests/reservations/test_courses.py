"""講座・スマホ教室: seats never exceed capacity; the waiting list is promoted in order on cancellation."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django_scopes import scope

from tests import factories
from tests.support.race import race
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling.models import Booking, BookingStatus, Resource
from yakuba.reservations.models import Course, Enrolment, EnrolmentStatus, Session
from yakuba.reservations.services import courses

START = datetime(2027, 2, 2, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def make_session(town, seats: int = 2) -> Session:
    with scope(municipality=town):
        course = Course.objects.create(municipality=town, slug=f"smartphone-{seats}", title="スマホ教室",
                                       department=factories.make_department(town, "企画課"))
        resource = Resource.objects.create(municipality=town, key=f"session:{course.pk}", name="スマホ教室",
                                           capacity=seats)
        return Session.objects.create(municipality=town, course=course, starts_at=START,
                                      ends_at=START + timedelta(hours=2), place="公民館 第1会議室", resource=resource)


@pytest.mark.django_db
def test_seats_then_waiting_list_then_promotion_in_order(town_a):
    session = make_session(town_a, seats=2)
    people = [factories.make_resident(town_a) for _ in range(4)]
    with scope(municipality=town_a):
        enrolments = [courses.enrol(session, person) for person in people]
        assert [e.status for e in enrolments] == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
        with pytest.raises(Refused, match="すでに申し込んで"):
            courses.enrol(session, people[0])
        promoted = courses.cancel_enrolment(enrolments[1], resident=people[1])
        assert promoted.pk == enrolments[2].pk and promoted.status == EnrolmentStatus.ENROLLED
        assert courses.cancel_enrolment(enrolments[3], resident=people[3]) is None  # waiting: frees no seat
        assert Booking.objects.filter(resource=session.resource).exclude(status=BookingStatus.CANCELLED).count() == 2
        with pytest.raises(Refused):
            courses.cancel_enrolment(enrolments[1])
        attended = courses.mark_session_attendance(enrolments[0], True, staff=factories.make_staff(town_a))
        assert attended.status == EnrolmentStatus.ATTENDED


@pytest.mark.django_db
def test_a_started_session_takes_no_new_enrolments(town_a):
    session = make_session(town_a)
    with scope(municipality=town_a), pytest.raises(Refused, match="開始時刻を過ぎた"):
        courses.enrol(session, factories.make_resident(town_a), now=START + timedelta(minutes=1))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_enrolments_fill_exactly_the_seats(town_a):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    session = make_session(town_a, seats=10)
    people = [factories.make_resident(town_a) for _ in range(30)]
    assert race(town_a, [lambda p=p: courses.enrol(session, p) for p in people]) == {"ok": 30}
    with scope(municipality=town_a):
        statuses = list(Enrolment.objects.filter(session=session).values_list("status", flat=True))
    assert statuses.count("enrolled") == 10 and statuses.count("waitlisted") == 20
