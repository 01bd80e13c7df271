"""Schedules: 勤務パターン (8:30–17:15, 時差出勤 …), who works which pattern from when, 交替制 shifts per day, the
town's own closed days, and per-department options (shifts, 他律的業務)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department, Staff
from yakuba.kernel.tenancy.models import TenantModel


class WorkPattern(TenantModel):
    """勤務パターン: one day's working hours and break (e.g. 8:30–17:15, 休憩60分; 時差出勤 9:30–18:15)."""

    name = models.CharField(_("勤務パターン名"), max_length=60)
    starts = models.TimeField(_("始業"))
    ends = models.TimeField(_("終業"))
    break_minutes = models.PositiveSmallIntegerField(_("休憩（分）"), default=60)
    is_default = models.BooleanField(_("標準の勤務パターン"), default=False)

    class Meta:
        ordering = ["starts", "name"]
        verbose_name = _("勤務パターン")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="workpattern_unique_name"),
            models.UniqueConstraint(fields=["municipality"], condition=models.Q(is_default=True),
                                    name="workpattern_one_default"),
            models.CheckConstraint(condition=models.Q(ends__gt=models.F("starts")), name="workpattern_ends_after"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.starts:%H:%M}〜{self.ends:%H:%M}）"

    @property
    def working_minutes(self) -> int:
        """所定勤務時間 of one day in minutes (7時間45分 = 465 for 8:30–17:15 with 60 minutes' break)."""
        span = (self.ends.hour * 60 + self.ends.minute) - (self.starts.hour * 60 + self.starts.minute)
        return max(span - self.break_minutes, 0)


class Assignment(TenantModel):
    """Which pattern a staff member works from `valid_from` on (until the next assignment)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="+")
    pattern = models.ForeignKey(WorkPattern, on_delete=models.PROTECT, related_name="assignments")
    valid_from = models.DateField(_("適用開始日"))

    class Meta:
        ordering = ["staff", "-valid_from"]
        verbose_name = _("勤務パターンの割当")
        constraints = [models.UniqueConstraint(fields=["staff", "valid_from"], name="assignment_unique_start")]


class Shift(TenantModel):
    """交替制 (保育所, 施設): the pattern of one staff member on one day, or a day off (pattern empty)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日付"))
    pattern = models.ForeignKey(WorkPattern, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["day", "staff"]
        verbose_name = _("シフト")
        constraints = [models.UniqueConstraint(fields=["staff", "day"], name="shift_one_per_day")]


class ClosedDay(TenantModel):
    """The town's own closed days beyond weekends, public holidays and 年末年始 (e.g. a local holiday)."""

    day = models.DateField(_("日付"))
    name = models.CharField(_("休日の名称"), max_length=60)

    class Meta:
        ordering = ["day"]
        verbose_name = _("町の休日")
        constraints = [models.UniqueConstraint(fields=["municipality", "day"], name="closedday_unique_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class DepartmentOption(TenantModel):
    """What a department's work is like: 交替制 (shifts per day) and 他律的業務 (the higher overtime limits)."""

    department = models.OneToOneField(Department, on_delete=models.CASCADE, related_name="+")
    uses_shifts = models.BooleanField(_("交替制勤務"), default=False)
    demanding = models.BooleanField(_("他律的業務の比重が高い部署"), default=False)

    class Meta:
        verbose_name = _("部署の勤務区分")
