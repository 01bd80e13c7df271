"""yakuba transport_notify: queue the due reminders (前日のお知らせ) and 「まもなく到着します」 of デマンド交通 for
every town that runs it (run it every minute from a timer or cron; running it more often sends nothing twice)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_scopes import scope

from yakuba.kernel.tenancy.models import Municipality
from yakuba.transport.models import Service
from yakuba.transport.services import notify


class Command(BaseCommand):
    help = "Queue the due reminders and 「まもなく到着します」 messages of デマンド交通 for every town."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        reminders = arrivals = 0
        for town in Municipality.objects.filter(is_active=True):
            with scope(municipality=town):
                if not Service.objects.filter(active=True).exists():
                    continue
                reminders += notify.due_reminders(now)
                arrivals += notify.due_arrivals(now)
        self.stdout.write(f"reminders: {reminders}, arriving: {arrivals}")
