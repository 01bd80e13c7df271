"""The KPIs of 会議・議事録 as plans read them: pages not printed, hours transcribed, days to published minutes,
attendance rate. Each counted in its window and its town only."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope

from tests.meetings.support import blank_pdf, make_committee
from yakuba.kernel import metrics
from yakuba.meetings.models import Attendance, Minutes, Presence, Recording, RecordingState
from yakuba.meetings.services import pack

pytestmark = pytest.mark.django_db


def value(town, key, start, end):
    with scope(municipality=town):
        return metrics.get(key).value(start, end)


def window():
    today = timezone.localdate()
    return today - timedelta(days=30), today + timedelta(days=30)


def test_pages_not_printed_counts_every_version_for_each_reader(town_a, town_b):
    committee = make_committee(town_a, members=3)
    make_committee(town_b)
    with scope(municipality=town_a):
        document = pack.add_document(committee.meeting, committee.item, "資料1",
                                     SimpleUploadedFile("a.pdf", blank_pdf(10)), committee.clerk.user)
        pack.replace_document(document, SimpleUploadedFile("b.pdf", blank_pdf(12)), "訂正", committee.clerk.user)
    start, end = window()
    # 10 + 12 pages, three members in office (no attendance recorded yet)
    assert value(town_a, "meetings.pages_not_printed", start, end) == 66
    with scope(municipality=town_a):
        for member, presence in zip(committee.members, (Presence.PRESENT, Presence.ONLINE, Presence.ABSENT),
                                    strict=True):
            Attendance.objects.create(municipality=town_a, meeting=committee.meeting, member=member,
                                      presence=presence)
    assert value(town_a, "meetings.pages_not_printed", start, end) == 44  # two read it
    assert value(town_a, "meetings.attendance_rate", start, end) == Decimal("66.7")
    assert value(town_b, "meetings.pages_not_printed", start, end) == 0
    assert value(town_a, "meetings.pages_not_printed", date(2020, 1, 1), date(2020, 2, 1)) == 0


def test_hours_transcribed_and_days_to_minutes(town_a):
    committee = make_committee(town_a, starts_at=timezone.now() - timedelta(days=10))
    now = timezone.now()
    with scope(municipality=town_a):
        for seconds, state in ((5400, RecordingState.DONE), (1800, RecordingState.DONE), (3600, RecordingState.FAILED)):
            Recording.objects.create(municipality=town_a, meeting=committee.meeting, file="x", original_name="x.wav",
                                     duration=seconds, state=state, finished_at=now, uploaded_by=committee.clerk.user)
        Minutes.objects.create(municipality=town_a, meeting=committee.meeting, published_at=now)
    start, end = window()
    assert value(town_a, "meetings.hours_transcribed", start, end) == 2  # 1.5 h + 0.5 h; the failed one not
    assert value(town_a, "meetings.days_to_minutes", start, end) == 10
    assert value(town_a, "meetings.days_to_minutes", date(2020, 1, 1), date(2020, 2, 1)) is None
