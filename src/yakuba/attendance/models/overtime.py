"""時間外勤務: asked for or ordered in advance (命令), then recorded after (実績) and matched to the punches."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.tenancy.models import TenantModel


class OvertimeState(models.TextChoices):
    REQUESTED = "requested", _("命令待ち")
    ORDERED = "ordered", _("命令済")
    RECORDED = "recorded", _("実績報告済")
    REJECTED = "rejected", _("却下")
    CANCELLED = "cancelled", _("取消")


class Overtime(TenantModel):
    """One day's 時間外勤務 of one staff member: planned [planned_start, planned_end) when asked or ordered,
    actual [actual_start, actual_end) once recorded. `excess_reason` is the reason given to go beyond a limit
    (kept for the yearly review)."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("勤務日"))
    planned_start = models.DateTimeField(_("予定の開始"))
    planned_end = models.DateTimeField(_("予定の終了"))
    work = models.CharField(_("業務の内容"), max_length=200)
    state = models.CharField(max_length=10, choices=OvertimeState.choices, default=OvertimeState.REQUESTED)
    ordered_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    ordered_at = models.DateTimeField(null=True, blank=True)
    actual_start = models.DateTimeField(_("実績の開始"), null=True, blank=True)
    actual_end = models.DateTimeField(_("実績の終了"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("実績（分）"), null=True, blank=True)
    excess_reason = models.CharField(_("上限を超える理由"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "planned_start"]
        verbose_name = _("時間外勤務")
        constraints = [
            models.CheckConstraint(condition=models.Q(planned_end__gt=models.F("planned_start")),
                                   name="overtime_planned_end_after_start"),
            models.CheckConstraint(condition=models.Q(actual_start__isnull=True, actual_end__isnull=True,
                                                      minutes__isnull=True) | models.Q(
                actual_end__gt=models.F("actual_start"), minutes__gt=0), name="overtime_actual_is_whole"),
            models.CheckConstraint(condition=~models.Q(state="recorded") | models.Q(minutes__isnull=False),
                                   name="overtime_recorded_has_minutes"),
        ]
        indexes = [models.Index(fields=["staff", "day"], name="overtime_staff_day")]

    def __str__(self) -> str:
        return f"{self.staff} {self.day}"

    @property
    def planned_minutes(self) -> int:
        return int((self.planned_end - self.planned_start).total_seconds() // 60)
