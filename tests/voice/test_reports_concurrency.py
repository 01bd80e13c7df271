"""Two staff acting on one report at once, both from the same page (the same revision): one wins, the other is
told to reload, and the report carries one change (PostgreSQL, threads)."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.support.race import race
from tests.voice.reports_support import file_report, make_categories, road_staff
from yakuba.voice.models import ReportEvent, ReportStatus
from yakuba.voice.services import reports as services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_clerks_answering_at_once_one_wins(town_a):
    report = file_report(town_a, make_categories(town_a)["streetlight"])
    first, second = road_staff(town_a), road_staff(town_a)
    other = file_report(town_a, report.category, lat=36.2130)
    shown = report.revision
    outcomes = race(town_a, [
        lambda: services.set_status(first, report, ReportStatus.DONE, answer="交換しました。", revision=shown),
        lambda: services.merge(second, report, other, revision=shown),
    ])
    assert outcomes == {"ok": 1, "Refused": 1}
    with scope(municipality=town_a):
        report.refresh_from_db()
        assert report.revision == shown + 1
        assert ReportEvent.objects.filter(report=report).count() == 2  # 受付 and the one change that won
