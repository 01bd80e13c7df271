"""Taking and releasing time on a resource. The database refuses overlaps; these verbs say why in Japanese first."""

from __future__ import annotations

from datetime import datetime

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ACTIVE, Booking, BookingStatus, Resource


class Unavailable(Exception):
    """The time asked for is taken (or the seats are); the message says so."""


def overlapping(resource: Resource, starts_at: datetime, ends_at: datetime) -> QuerySet[Booking]:
    """Active bookings of `resource` that share any instant with [starts_at, ends_at)."""
    return Booking.objects.filter(resource=resource, status__in=ACTIVE, starts_at__lt=ends_at,
                                  ends_at__gt=starts_at)


def seats_taken(resource: Resource, starts_at: datetime, ends_at: datetime) -> int:
    taken: int | None = overlapping(resource, starts_at, ends_at).aggregate(n=Sum("seats"))["n"]
    return taken or 0


def book(resource: Resource, starts_at: datetime, ends_at: datetime, *, seats: int = 1,
         status: str = BookingStatus.CONFIRMED, label: str = "", owner: str = "") -> Booking:
    """Take `seats` of `resource` for [starts_at, ends_at), or raise Unavailable. Call inside the caller's
    transaction when the booking belongs to a larger write (the whole write then stands or falls together)."""
    if ends_at <= starts_at:
        raise Unavailable(_("終了は開始より後にしてください。"))
    if seats < 1 or seats > resource.capacity:
        raise Unavailable(_("人数は%(capacity)s人までです。") % {"capacity": resource.capacity})
    try:
        with transaction.atomic():
            # One booking of a resource at a time: the second waits here, then sees the first.
            Resource.objects.select_for_update().filter(pk=resource.pk).first()
            if resource.exclusive and overlapping(resource, starts_at, ends_at).exists():
                raise Unavailable(_("その時間はすでに予約が入っています。別の時間を選んでください。"))
            if seats_taken(resource, starts_at, ends_at) + seats > resource.capacity:
                raise Unavailable(_("空きが足りません（定員%(capacity)s人）。") % {"capacity": resource.capacity})
            return Booking.objects.create(
                municipality=resource.municipality, resource=resource, starts_at=starts_at, ends_at=ends_at,
                seats=seats, status=status, exclusive=resource.exclusive, label=label, owner=owner)
    except (IntegrityError, DatabaseError) as error:
        # The database's own check caught what the lock above did not (a caller outside these verbs).
        if "booking_no_overlap" in str(error) or "booking_over_capacity" in str(error):
            raise Unavailable(_("その時間はすでに予約が入っています。別の時間を選んでください。")) from error
        raise


def cancel(booking: Booking) -> Booking:
    """Release the time; cancelling twice changes nothing."""
    with transaction.atomic():
        current = Booking.objects.select_for_update().get(pk=booking.pk)
        if current.status != BookingStatus.CANCELLED:
            current.status = BookingStatus.CANCELLED
            current.cancelled_at = timezone.now()
            current.save(update_fields=["status", "cancelled_at"])
    return current


def busy(resource: Resource, starts_at: datetime, ends_at: datetime) -> list[tuple[datetime, datetime, int]]:
    """(start, end, seats) of the active bookings in a period, for calendar.free_slots."""
    rows = overlapping(resource, starts_at, ends_at).order_by("starts_at").values_list("starts_at", "ends_at",
                                                                                         "seats")
    return [(start, end, seats) for start, end, seats in rows]


def bookings_between(starts_at: datetime, ends_at: datetime, *, resources: QuerySet[Resource] | None = None
                     ) -> QuerySet[Booking]:
    """Active bookings of the current town in a period (a day or week view), with their resources."""
    bookings = Booking.objects.filter(Q(starts_at__lt=ends_at) & Q(ends_at__gt=starts_at), status__in=ACTIVE)
    if resources is not None:
        bookings = bookings.filter(resource__in=resources)
    return bookings.select_related("resource")
