"""休暇: the town's leave types (年次有給休暇, 特別休暇 夏季・病気・忌引 …), yearly grants of 年休 with what was
carried over, and requests by day, half day or hour."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.tenancy.models import TenantModel

from .status import Status


class LeaveType(TenantModel):
    """休暇の種類, configured per town. `annual` marks 年次有給休暇 (balances, the hour cap, 年5日)."""

    code = models.SlugField(_("休暇コード"), max_length=20)
    name = models.CharField(_("休暇の名称"), max_length=40)
    annual = models.BooleanField(_("年次有給休暇として扱う"), default=False)
    days_per_year = models.DecimalField(_("年間の日数（特別休暇）"), max_digits=5, decimal_places=2, null=True,
                                        blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("使用中"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("休暇の種類")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="leavetype_unique_code"),
            models.UniqueConstraint(fields=["municipality"], condition=models.Q(annual=True),
                                    name="leavetype_one_annual"),
            models.CheckConstraint(condition=models.Q(days_per_year__isnull=True) | models.Q(days_per_year__gt=0),
                                   name="leavetype_days_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class LeaveGrant(TenantModel):
    """年休の付与: `days` granted for the leave year [valid_from, valid_until), plus `carried_days` brought over from
    the year before (at most the town's limit)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="+")
    valid_from = models.DateField(_("付与日"))
    valid_until = models.DateField(_("有効期限（この日の前日まで）"))
    days = models.DecimalField(_("付与日数"), max_digits=5, decimal_places=2)
    carried_days = models.DecimalField(_("繰越日数"), max_digits=5, decimal_places=2, default=0)

    @property
    def last_day(self) -> date:
        """The last day the grant may be taken (`valid_until` is the first day it no longer may)."""
        return self.valid_until - timedelta(days=1)

    class Meta:
        ordering = ["staff", "-valid_from"]
        verbose_name = _("年休の付与")
        constraints = [
            models.UniqueConstraint(fields=["staff", "valid_from"], name="leavegrant_unique_start"),
            models.CheckConstraint(condition=models.Q(valid_until__gt=models.F("valid_from")),
                                   name="leavegrant_until_after_from"),
            models.CheckConstraint(condition=models.Q(days__gte=0, carried_days__gte=0),
                                   name="leavegrant_days_not_negative"),
        ]


class Unit(models.TextChoices):
    DAY = "day", _("1日")
    AM = "am", _("午前半日")
    PM = "pm", _("午後半日")
    HOURS = "hours", _("時間単位")


class LeaveRequest(TenantModel):
    """休暇の申請: whole days [first_day, last_day], a half day, or hours on one day. `minutes` is what it takes
    from the balance (a day = the pattern's 所定勤務時間)."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, related_name="+")
    unit = models.CharField(_("単位"), max_length=6, choices=Unit.choices, default=Unit.DAY)
    first_day = models.DateField(_("休暇の初日"))
    last_day = models.DateField(_("休暇の最終日"))
    starts = models.TimeField(_("開始時刻"), null=True, blank=True)
    ends = models.TimeField(_("終了時刻"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("時間（分）"))
    reason = models.CharField(_("休暇の事由"), max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    decided_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-first_day"]
        verbose_name = _("休暇の申請")
        constraints = [
            models.CheckConstraint(condition=models.Q(last_day__gte=models.F("first_day")),
                                   name="leaverequest_last_after_first"),
            models.CheckConstraint(condition=models.Q(minutes__gt=0), name="leaverequest_minutes_positive"),
            models.CheckConstraint(condition=models.Q(unit="day") | models.Q(last_day=models.F("first_day")),
                                   name="leaverequest_part_day_is_one_day"),
            models.CheckConstraint(condition=~models.Q(unit="hours") | models.Q(
                starts__isnull=False, ends__isnull=False, ends__gt=models.F("starts")),
                name="leaverequest_hours_have_times"),
        ]
        indexes = [models.Index(fields=["staff", "first_day"], name="leaverequest_staff_day")]

    def __str__(self) -> str:
        return f"{self.staff} {self.leave_type} {self.first_day}"

    @property
    def is_open(self) -> bool:
        return self.status in (Status.REQUESTED, Status.APPROVED)
