"""テレワークの申請 and 月次締め (the 所属長 confirms each person's month, 総務課 closes it)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.tenancy.models import TenantModel

from .status import Status


class Telework(TenantModel):
    """テレワークの申請 for one day, approved by the 所属長 as the town's テレワーク要綱 says."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("実施日"))
    work = models.CharField(_("テレワークで行う業務"), max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    decided_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("テレワークの申請")
        constraints = [models.UniqueConstraint(fields=["staff", "day"], condition=models.Q(
            status__in=["requested", "approved"]), name="telework_one_open_per_day")]


class CloseState(models.TextChoices):
    CONFIRMED = "confirmed", _("所属長確認済")
    CLOSED = "closed", _("締め済")
    REOPENED = "reopened", _("締め解除")


class MonthClose(TenantModel):
    """月次締め of one staff member's month (`month` is its first day). While `state` is closed, the database
    refuses any change to that person's work periods, leave and overtime in the month (a trigger)."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("対象月"))
    state = models.CharField(max_length=10, choices=CloseState.choices, default=CloseState.CONFIRMED)
    confirmed_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    totals = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-month", "staff"]
        verbose_name = _("月次締め")
        constraints = [models.UniqueConstraint(fields=["staff", "month"], name="monthclose_one_per_staff_month")]

    def __str__(self) -> str:
        return f"{self.staff} {self.month:%Y-%m}"
