"""会議 on the staff top page: for a 事務局 clerk, the next meetings within a week with no pack yet, and recordings
whose transcription is done and whose minutes are not published."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from yakuba.kernel import worklist
from yakuba.kernel.accounts.models import Staff

from .models import Meeting, MeetingState, Recording, RecordingState
from .services import access


def items(staff: Staff) -> list[worklist.Item]:
    bodies = access.clerk_bodies(staff)
    if not bodies:
        return []
    now = timezone.now()
    found: list[worklist.Item] = []
    bare = Meeting.objects.filter(body__in=bodies, state=MeetingState.PLANNED, starts_at__gte=now,
                                  starts_at__lt=now + timedelta(days=7), documents__isnull=True).count()
    if bare:
        found.append(worklist.Item(gettext_lazy("資料が未登録の1週間以内の会議"), bare, reverse("staff:meetings"),
                                   worklist.DUE))
    waiting = Recording.objects.filter(meeting__body__in=bodies, state=RecordingState.DONE,
                                       meeting__minutes__published_at__isnull=True).count()
    if waiting:  # (a meeting with no minutes row yet matches too: the join leaves published_at empty)
        found.append(worklist.Item(gettext_lazy("会議録が未公開の文字起こし"), waiting,
                                   reverse("staff:meetings"), worklist.DUE))
    return found


worklist.register(worklist.Provider(gettext_lazy("会議"), items, order=9))
