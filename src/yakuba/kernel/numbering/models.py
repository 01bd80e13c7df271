"""The last number taken per town, series and period."""

from __future__ import annotations

from django.db import models

from yakuba.kernel.tenancy.models import TenantModel


class Counter(TenantModel):
    """One series of numbers (e.g. a 課's 文書番号 in one 年度); `last` is the last number given out."""

    series = models.CharField(max_length=80)
    period = models.PositiveIntegerField(default=0)  # a year or 年度; 0 for a series that never restarts
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "series", "period"],
                                               name="counter_unique_series_period")]

    def __str__(self) -> str:
        return f"{self.series} {self.period}: {self.last}"
