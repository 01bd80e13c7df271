"""Figures of 会議・議事録 the DX plans measure: pages not printed (ペーパーレス会議), hours of recordings
transcribed (会議録作成の省力化), and the median days from a meeting to its published minutes. Read inside the
town's scope."""

from __future__ import annotations

import statistics
from datetime import date
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _
from django_scopes import get_scope

from yakuba.kernel import metrics
from yakuba.kernel.metrics import Kind, Metric

from .models import Attendance, Meeting, MeetingState, Member, Minutes, Presence, Recording, RecordingState, Version

PRESENT = (Presence.PRESENT, Presence.ONLINE, Presence.LATE, Presence.LEFT_EARLY)


def _town(rows: Any) -> Any:
    municipality = get_scope().get("municipality")
    return rows.filter(municipality=municipality) if municipality is not None else rows


def pages_not_printed(start: date, end: date) -> int:
    """Pages of every version of every document of the meetings held (or due) in [start, end), times the members
    who would each have had a paper copy: those recorded present, or the body's members in office when no
    attendance was recorded. A 差し替え counts again, as a reprint would."""
    first, last = metrics.moments(start, end)
    meetings = _town(Meeting.objects.filter(starts_at__gte=first, starts_at__lt=last)).exclude(
        state=MeetingState.CANCELLED)
    total = 0
    for meeting in meetings.annotate(present=Count("attendance", filter=Q(attendance__presence__in=PRESENT))):
        pages = Version.objects.filter(document__meeting=meeting, uploaded_at__lte=meeting.starts_at).aggregate(
            n=Sum("pages"))["n"] or 0
        if not pages:
            continue
        readers = meeting.present or Member.objects.filter(body_id=meeting.body_id, active=True).count()
        total += pages * readers
    return total


def hours_transcribed(start: date, end: date) -> float:
    """Hours of recording transcribed by tasks that finished in [start, end)."""
    first, last = metrics.moments(start, end)
    seconds = _town(Recording.objects.filter(state=RecordingState.DONE, finished_at__gte=first,
                                             finished_at__lt=last)).aggregate(n=Sum("duration"))["n"] or 0
    return seconds / 3600


def days_to_minutes(start: date, end: date) -> float | None:
    """Median days from a meeting to the publication of its minutes, over minutes published in [start, end)."""
    first, last = metrics.moments(start, end)
    rows = _town(Minutes.objects.filter(published_at__gte=first, published_at__lt=last)).values_list(
        "published_at", "meeting__starts_at")
    days = [(published - held).total_seconds() / 86400 for published, held in rows]
    return statistics.median(days) if days else None


def attendance_rate(start: date, end: date) -> float | None:
    """出席率 of members at meetings in [start, end) with attendance recorded."""
    first, last = metrics.moments(start, end)
    rows = _town(Attendance.objects.filter(meeting__starts_at__gte=first, meeting__starts_at__lt=last))
    return metrics.share(rows.filter(presence__in=PRESENT).count(), rows.count())


metrics.register(Metric("meetings.pages_not_printed", _("ペーパーレス会議で印刷しなかったページ数"), "ページ",
                        pages_not_printed, description=_("会議資料のページ数（差し替えを含む）× 出席した委員の数"),
                        app="meetings"))
metrics.register(Metric("meetings.hours_transcribed", _("文字起こしした録音の時間"), "時間", hours_transcribed,
                        description=_("会議の録音をAIで文字起こしした時間の合計"), app="meetings"))
metrics.register(Metric("meetings.days_to_minutes", _("会議から会議録の公開までの日数（中央値）"), "日",
                        days_to_minutes, kind=Kind.RATE,
                        description=_("公開した会議録について、会議の日から公開までの日数の中央値"), app="meetings"))
metrics.register(Metric("meetings.attendance_rate", _("会議の出席率"), "%", attendance_rate, kind=Kind.RATE,
                        description=_("出欠を記録した会議での委員の出席率（オンライン出席を含む）"), app="meetings"))
