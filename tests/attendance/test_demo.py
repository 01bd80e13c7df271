"""The demo of 勤怠管理 in 下仁田町: the 総務課 clerk stands near 45 hours this month (the warning shows), the tablet
link works, テレワーク days count in plan 000's live KPI, and loading again writes nothing new."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import scope

from tests import factories
from yakuba.attendance import demo
from yakuba.attendance.models import Device, LeaveGrant, Overtime, StaffCard, WorkPeriod
from yakuba.attendance.services import overtime
from yakuba.kernel import metrics
from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.ops.demo import TOWNS
from yakuba.kernel.tenancy.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def shimonita(demo_for_module):
    town = Municipality.objects.get(code="103829")
    with scope(municipality=town):
        yield town


def test_the_clerk_is_near_45_hours_and_sees_the_warning(shimonita):
    clerk = Staff.objects.get(user__email="soumu@shimonita.demo")
    month = {level.key: level for level in overtime.levels(clerk, timezone.localdate())}["month"]
    assert month.near and not month.beyond
    page = factories.staff_client(clerk).get("/t/10382/staff/attendance/").content.decode()
    assert "時間外勤務が上限に近づいています。" in page


def test_every_demo_staff_member_has_a_grant_and_a_card_and_the_tablet_works(shimonita):
    people = Staff.objects.filter(user__email__endswith="@shimonita.demo").count()
    assert LeaveGrant.objects.count() == people == StaffCard.objects.count()
    device = Device.objects.get()
    assert device.token == demo.device_token(TOWNS[0])
    assert factories.staff_client(Staff.objects.get(user__email="kacho@shimonita.demo")).get(
        f"/t/10382/attendance/kiosk/{device.token}/").status_code == 200


def test_telework_days_move_the_plan_kpi(shimonita):
    from yakuba.plans.models import Indicator

    indicator = Indicator.objects.get(metric="attendance.telework_days")
    assert indicator.text.startswith("テレワークの推進")
    today = timezone.localdate()
    days = metrics.get("attendance.telework_days").value(today.replace(year=today.year - 1), today)
    assert days is not None and days > 0


def test_loading_again_writes_nothing_new(shimonita):
    counts = (WorkPeriod.objects.count(), Overtime.objects.count())
    town = Municipality.objects.get(code="103829")
    demo.load(town, TOWNS[0])
    assert (WorkPeriod.objects.count(), Overtime.objects.count()) == counts
