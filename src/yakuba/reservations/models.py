"""Facilities and rooms (施設・部屋), counter appointment types (来庁予約), class sessions (講座), and reservations."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department, Resident, Staff
from yakuba.kernel.scheduling.models import Booking, Resource
from yakuba.kernel.tenancy.models import TenantModel


class Facility(TenantModel):
    """施設: 公民館, 体育館, グラウンド."""

    slug = models.SlugField(max_length=60)
    name = models.CharField(_("施設名"), max_length=100)
    address = models.CharField(_("所在地"), max_length=200, blank=True)
    phone = models.CharField(_("電話"), max_length=20, blank=True)
    description = models.TextField(_("説明"), blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="facilities",
                                   verbose_name=_("担当課"))
    is_published = models.BooleanField(_("公開"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("施設")
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="facility_unique_slug")]

    def __str__(self) -> str:
        return self.name


class Room(TenantModel):
    """部屋・面: one bookable unit of a facility (会議室, 体育館 A面). Its calendar rules live on its resource."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("名称"), max_length=100)
    people = models.PositiveIntegerField(_("定員（人）"), null=True, blank=True)
    resource = models.OneToOneField(Resource, on_delete=models.PROTECT, related_name="room")
    approval_required = models.BooleanField(_("職員の承認が必要"), default=False)
    fee_per_hour = models.PositiveIntegerField(_("使用料（1時間あたり・円）"), default=0)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["facility__sort_order", "sort_order", "name"]
        verbose_name = _("部屋")

    def __str__(self) -> str:
        return f"{self.facility.name} {self.name}"


class AppointmentType(TenantModel):
    """来庁予約の種類: e.g. 納税相談 (60 min) at 税務課 with N counters in parallel and a buffer between visits."""

    slug = models.SlugField(max_length=60)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("説明"), blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="appointment_types",
                                   verbose_name=_("担当課"))
    duration_minutes = models.PositiveSmallIntegerField(_("所要時間（分）"), default=30)
    buffer_minutes = models.PositiveSmallIntegerField(_("次の予約までの間隔（分）"), default=0)
    resource = models.OneToOneField(Resource, on_delete=models.PROTECT, related_name="appointment_type")
    is_published = models.BooleanField(_("公開"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("来庁予約の種類")
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="appointmenttype_unique_slug")]

    def __str__(self) -> str:
        return self.name

    @property
    def counters(self) -> int:
        return self.resource.capacity


class Kind(models.TextChoices):
    ROOM = "room", _("施設予約")
    APPOINTMENT = "appointment", _("来庁予約")


class Status(models.TextChoices):
    CONFIRMED = "confirmed", _("予約済み")
    PENDING = "pending", _("承認待ち")
    CANCELLED = "cancelled", _("取消し")
    ATTENDED = "attended", _("来場済み")
    NO_SHOW = "no_show", _("無断キャンセル")


class Channel(models.TextChoices):
    ONLINE = "online", _("オンライン")
    PHONE = "phone", _("電話（職員が代行）")
    COUNTER = "counter", _("窓口")


class Reservation(TenantModel):
    """A resident's reservation of a room or an appointment: the kernel booking holds the time."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("種類"), max_length=12, choices=Kind.choices)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="reservations",
                                 verbose_name=_("予約者"))
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="reservation")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="reservations")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="reservations")
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    purpose = models.CharField(_("利用目的・ご用件"), max_length=200)
    people = models.PositiveIntegerField(_("人数"), null=True, blank=True)
    fee = models.PositiveIntegerField(_("使用料（円）"), default=0)
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    channel = models.CharField(_("受付方法"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    created_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("予約")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="room", room__isnull=False, appointment_type__isnull=True)
                           | models.Q(kind="appointment", room__isnull=True, appointment_type__isnull=False)),
                name="reservation_kind_matches_target"),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def target(self) -> Room | AppointmentType:
        target = self.room or self.appointment_type
        assert target is not None
        return target

    @property
    def is_active(self) -> bool:
        return self.status in (Status.CONFIRMED, Status.PENDING)


class Course(TenantModel):
    """講座・教室: e.g. スマホ教室 for elderly residents; held as one or more sessions with seats."""

    slug = models.SlugField(max_length=60)
    title = models.CharField(_("講座名"), max_length=100)
    description = models.TextField(_("説明"), blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="courses",
                                   verbose_name=_("担当課"))
    is_published = models.BooleanField(_("公開"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("講座")
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="course_unique_slug")]

    def __str__(self) -> str:
        return self.title


class Session(TenantModel):
    """One 回 of a course at a fixed time and place; its resource's capacity is the number of seats."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    place = models.CharField(_("会場"), max_length=100)
    resource = models.OneToOneField(Resource, on_delete=models.PROTECT, related_name="session")

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("講座の回")

    def __str__(self) -> str:
        return f"{self.course.title} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def seats(self) -> int:
        return self.resource.capacity


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("申込済み")
    WAITLISTED = "waitlisted", _("キャンセル待ち")
    CANCELLED = "cancelled", _("取消し")
    ATTENDED = "attended", _("出席")
    NO_SHOW = "no_show", _("欠席")


class Enrolment(TenantModel):
    """A resident's place in a session, or in its waiting list (no booking until promoted)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="enrolments")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="enrolments")
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="enrolment")
    status = models.CharField(_("状態"), max_length=10, choices=EnrolmentStatus.choices)
    channel = models.CharField(_("受付方法"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    created_at = models.DateTimeField(default=timezone.now)  # the waiting list's order
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("講座の申込")
        constraints = [
            models.UniqueConstraint(fields=["session", "resident"],
                                    condition=models.Q(status__in=["enrolled", "waitlisted"]),
                                    name="enrolment_once_per_session"),
            models.CheckConstraint(condition=~models.Q(status="enrolled") | models.Q(booking__isnull=False),
                                   name="enrolment_enrolled_has_seat"),
        ]
