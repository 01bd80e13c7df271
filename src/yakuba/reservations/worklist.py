"""予約 on the staff top page: today's facility bookings and counter appointments, requests to approve, groups."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from yakuba.kernel import worklist
from yakuba.kernel.accounts.models import Staff

from .models import Group, GroupStatus, Kind, Status
from .services import managed_appointment_types, managed_reservations, managed_rooms
from .services.groups import may_decide

TODAY = (Status.CONFIRMED, Status.PENDING, Status.ATTENDED)


def items(staff: Staff) -> list[worklist.Item]:
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    day = reverse("staff:reservations-day")
    figures = managed_reservations(staff).order_by().aggregate(
        rooms=Count("pk", filter=Q(kind=Kind.ROOM, status__in=TODAY, starts_at__gte=start,
                                   starts_at__lt=start + timedelta(days=1))),
        appointments=Count("pk", filter=Q(kind=Kind.APPOINTMENT, status__in=TODAY, starts_at__gte=start,
                                          starts_at__lt=start + timedelta(days=1))),
        pending=Count("pk", filter=Q(status=Status.PENDING, starts_at__gte=start)))
    found = [
        worklist.Item(gettext_lazy("今日の施設予約"), figures["rooms"], day,
                      worklist.DUE if figures["rooms"] else worklist.NORMAL),
        worklist.Item(gettext_lazy("今日の来庁予約（窓口）"), figures["appointments"], day,
                      worklist.DUE if figures["appointments"] else worklist.NORMAL),
    ]
    if figures["pending"]:
        found.append(worklist.Item(gettext_lazy("承認待ちの予約"), figures["pending"], day, worklist.DUE))
    if may_decide(staff):
        groups = Group.objects.filter(status=GroupStatus.PENDING).count()
        if groups:
            found.append(worklist.Item(gettext_lazy("審査待ちの団体登録"), groups,
                                       reverse("staff:reservations-groups") + f"?status={GroupStatus.PENDING}",
                                       worklist.DUE))
    if any(item.count for item in found):
        return found
    # Nothing today: the zero counts only for those who run a facility or a counter.
    runs = managed_rooms(staff).exists() or managed_appointment_types(staff).exists()
    return found if runs else []

worklist.register(worklist.Provider(gettext_lazy("予約の管理"), items, order=20))
