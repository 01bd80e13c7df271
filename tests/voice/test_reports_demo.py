"""The demo of 通報: categories in a town, and in 下仁田町 reports in each status with a photo (no GPS) placed in the
town; loading twice changes nothing."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests import factories
from tests.voice.reports_support import has_gps
from yakuba.kernel.files.uploads import private_storage
from yakuba.kernel.ops.demo import TOWNS
from yakuba.voice.demo import reports as demo
from yakuba.voice.models import Report, ReportCategory, ReportStatus
from yakuba.voice.services import reports as services

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_with_reports_in_each_status(town_a):
    for name in ("総務課", "住民税務課", "建設水道課", "農林課"):
        factories.make_department(town_a, name)
    with scope(municipality=town_a):
        demo.load(town_a, TOWNS[0])
        demo.load(town_a, TOWNS[0])
        assert ReportCategory.objects.count() == len(demo.CATEGORIES)
        assert ReportCategory.objects.get(code="wildlife").department.name == "農林課"
        reports = list(Report.objects.all())
        assert len(reports) == len(demo.REPORTS)
        assert {r.status for r in reports} == set(ReportStatus.values)
        assert all(services.inside(town_a, float(r.latitude), float(r.longitude)) for r in reports)
        for report in reports:
            photo = report.photos.get()
            with private_storage().open(photo.path, "rb") as handle:
                assert not has_gps(handle.read())
