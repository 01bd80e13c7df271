"""A bookable resource (a room, a counter, a class's seats) and its bookings."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.tenancy.models import TenantModel


class Resource(TenantModel):
    """予約の対象: one unit that can be booked. `capacity` 1 is exclusive (a room, a counter desk); more is seats."""

    key = models.CharField(max_length=80)  # the owning app's identifier, e.g. "room:12" or "session:7"
    name = models.CharField(_("名称"), max_length=100)
    capacity = models.PositiveIntegerField(_("定員"), default=1)
    rules = models.JSONField(default=dict, blank=True)  # calendar.Rules.to_dict()
    is_active = models.BooleanField(_("受付中"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("予約の対象")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "key"], name="resource_unique_key"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="resource_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def exclusive(self) -> bool:
        return self.capacity == 1


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("確定")
    PENDING = "pending", _("承認待ち")
    BLOCKED = "blocked", _("利用停止")
    CANCELLED = "cancelled", _("取消し")


ACTIVE = (BookingStatus.CONFIRMED, BookingStatus.PENDING, BookingStatus.BLOCKED)


class Booking(TenantModel):
    """Time taken on a resource: `seats` of its capacity from `starts_at` to `ends_at` (half-open)."""

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    seats = models.PositiveIntegerField(_("人数"), default=1)
    status = models.CharField(_("状態"), max_length=10, choices=BookingStatus.choices,
                              default=BookingStatus.CONFIRMED)
    # Copied from the resource when booked: the PostgreSQL exclusion constraint can only see this row.
    exclusive = models.BooleanField(default=True)
    label = models.CharField(max_length=200, blank=True)
    owner = models.CharField(max_length=80, blank=True)  # the owning app's record, e.g. "reservation:42"
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("予約枠")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="booking_ends_after_start"),
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="booking_seats_positive"),
        ]
        indexes = [models.Index(fields=["resource", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.resource} {self.starts_at:%Y-%m-%d %H:%M}"
