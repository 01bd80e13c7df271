"""No overlap on an exclusive resource and no seat beyond capacity: refused by the verbs and by the database."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django_scopes import scope

from tests.support.race import race
from yakuba.kernel.scheduling import services
from yakuba.kernel.scheduling.models import Booking, BookingStatus, Resource

JST = ZoneInfo("Asia/Tokyo")
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=JST)


def hours(start: float, end: float) -> tuple[datetime, datetime]:
    return T0 + timedelta(hours=start), T0 + timedelta(hours=end)


@pytest.fixture
def room(town_a):
    with scope(municipality=town_a):
        return Resource.objects.create(municipality=town_a, key="room:1", name="公民館 第1会議室")


@pytest.fixture
def class_seats(town_a):
    with scope(municipality=town_a):
        return Resource.objects.create(municipality=town_a, key="session:1", name="スマホ教室", capacity=3)


@pytest.mark.django_db
def test_an_exclusive_resource_refuses_any_overlap_but_allows_touching(town_a, room):
    with scope(municipality=town_a):
        services.book(room, *hours(0, 2))
        for start, end in ((1, 3), (-1, 1), (0.5, 1.5), (-1, 4)):
            with pytest.raises(services.Unavailable, match="すでに予約"):
                services.book(room, *hours(start, end))
        services.book(room, *hours(2, 3))  # half-open: 12:00 may start when 10:00–12:00 ends
        assert Booking.objects.count() == 2


@pytest.mark.django_db
def test_seats_fill_up_to_capacity_and_cancelling_frees_them(town_a, class_seats):
    with scope(municipality=town_a):
        first = services.book(class_seats, *hours(0, 2), seats=2)
        services.book(class_seats, *hours(0, 2))
        with pytest.raises(services.Unavailable, match="定員3人"):
            services.book(class_seats, *hours(1, 2))
        services.cancel(first)
        services.cancel(first)  # twice: no change
        services.book(class_seats, *hours(1, 2), seats=2)
        assert services.seats_taken(class_seats, *hours(0, 2)) == 3
        assert [b[2] for b in services.busy(class_seats, *hours(0, 2))] == [1, 2]


@pytest.mark.django_db
def test_bad_requests_are_refused_with_a_reason(town_a, class_seats):
    with scope(municipality=town_a):
        with pytest.raises(services.Unavailable, match="終了は開始より後"):
            services.book(class_seats, *hours(2, 1))
        with pytest.raises(services.Unavailable, match="3人まで"):
            services.book(class_seats, *hours(0, 1), seats=4)
        assert not Booking.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_an_overlap_written_around_the_verbs(town_a, room, class_seats):
    with scope(municipality=town_a):
        services.book(room, *hours(0, 2))
        services.book(class_seats, *hours(0, 2), seats=3)
        for resource in (room, class_seats):
            with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
                start, end = hours(1, 3)
                Booking.objects.create(municipality=town_a, resource=resource, starts_at=start, ends_at=end,
                                       exclusive=resource.exclusive)
        cancelled = Booking.objects.create(municipality=town_a, resource=room, starts_at=hours(1, 3)[0],
                                           ends_at=hours(1, 3)[1], status=BookingStatus.CANCELLED)
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            Booking.objects.filter(pk=cancelled.pk).update(status=BookingStatus.CONFIRMED)
        assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("capacity, attempts", [(1, 60), (10, 60)])
def test_many_concurrent_attempts_book_exactly_the_capacity(town_a, capacity, attempts):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    with scope(municipality=town_a):
        resource = Resource.objects.create(municipality=town_a, key="slot", name="窓口", capacity=capacity)
    outcomes = race(town_a, [lambda: services.book(resource, *hours(0, 2))] * attempts)
    assert outcomes == {"ok": capacity, "Unavailable": attempts - capacity}
    with scope(municipality=town_a):
        assert Booking.objects.filter(resource=resource).count() == capacity
