"""打刻: work periods (clock in to clock out), the staff card a tablet reads (staff number, personal QR token),
the tablets registered at the entrance, and 打刻修正 requests."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.tenancy.models import TenantModel

from .status import Status


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Place(models.TextChoices):
    OFFICE = "office", _("庁舎")
    TRIP = "trip", _("出張")
    TELEWORK = "telework", _("テレワーク")


class Source(models.TextChoices):
    WEB = "web", _("職員サイト")
    TABLET = "tablet", _("タブレット")
    CORRECTION = "correction", _("打刻修正")


class WorkPeriod(TenantModel):
    """One stretch of work: clocked in at `started_at`, out at `ended_at` (empty while at work). `day` is the
    local date it started on, which says which month (and month close) it belongs to."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("勤務日"))
    started_at = models.DateTimeField(_("出勤"))
    ended_at = models.DateTimeField(_("退勤"), null=True, blank=True)
    place = models.CharField(_("勤務場所"), max_length=10, choices=Place.choices, default=Place.OFFICE)
    source = models.CharField(_("打刻の方法"), max_length=12, choices=Source.choices, default=Source.WEB)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_at"]
        verbose_name = _("勤務記録")
        constraints = [
            models.UniqueConstraint(fields=["staff"], condition=models.Q(ended_at__isnull=True),
                                    name="workperiod_one_open_per_staff"),
            models.CheckConstraint(condition=models.Q(ended_at__isnull=True) | models.Q(
                ended_at__gt=models.F("started_at")), name="workperiod_ends_after_start"),
        ]
        indexes = [models.Index(fields=["staff", "day"], name="workperiod_staff_day")]

    def __str__(self) -> str:
        return f"{self.staff} {self.day}"

    @property
    def minutes(self) -> int | None:
        if self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds() // 60)


class StaffCard(TenantModel):
    """職員証: the staff number a tablet accepts typed, and the secret token of the personal QR code. A suspended
    card (lost, 休職) is refused at the tablet."""

    staff = models.OneToOneField(Staff, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(_("職員番号"), max_length=12)
    qr_token = models.CharField(max_length=64, unique=True, default=new_token)
    suspended = models.BooleanField(_("利用停止"), default=False)

    class Meta:
        verbose_name = _("職員証")
        constraints = [models.UniqueConstraint(fields=["municipality", "number"], name="staffcard_unique_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.staff}"


class Device(TenantModel):
    """A tablet at the entrance registered by 総務課: it punches for whoever shows their QR code, and is known by
    a secret token kept in its link (a lost tablet is switched off here)."""

    name = models.CharField(_("端末名"), max_length=60)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    is_active = models.BooleanField(_("使用中"), default=True)
    registered_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("打刻端末")

    def __str__(self) -> str:
        return self.name


class Correction(TenantModel):
    """打刻修正: a forgotten or wrong punch, asked for by the staff member and approved by the 所属長. `period` is
    the work period to change (empty: a forgotten day, a new period is made)."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(WorkPeriod, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    day = models.DateField(_("勤務日"))
    started_at = models.DateTimeField(_("出勤"))
    ended_at = models.DateTimeField(_("退勤"))
    place = models.CharField(_("勤務場所"), max_length=10, choices=Place.choices, default=Place.OFFICE)
    reason = models.CharField(_("修正の理由"), max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    decided_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("打刻修正")
        constraints = [models.CheckConstraint(condition=models.Q(ended_at__gt=models.F("started_at")),
                                              name="correction_ends_after_start")]
