"""yakuba attendance_reminders: queue today's 年5日取得 reminders for every town (run it daily, e.g. from a systemd
timer or cron; it is safe to run more often: each reminder goes once a month)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from yakuba.attendance.tasks import remind_five_days
from yakuba.kernel.tenancy.models import Municipality


class Command(BaseCommand):
    help = "Queue the 年5日取得 reminders of 勤怠管理 for every town."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate().isoformat()
        for pk in Municipality.objects.filter(is_active=True).values_list("pk", flat=True):
            remind_five_days.enqueue(pk, today)
