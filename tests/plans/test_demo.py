"""The demo loads the five seed plans into their towns; 下仁田町's 2026 plan has live KPIs that move when the demo
data changes (loading twice: tests/kernel/ops/test_demo.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests import factories
from yakuba.kernel.tenancy.models import Municipality
from yakuba.plans import demo, interchange
from yakuba.plans.models import Indicator, IndicatorValue, Measure, Plan, StatusReport
from yakuba.plans.services import kpis

pytestmark = pytest.mark.django_db

# A day inside 下仁田町's 2026 plan (令和8年度), so the demo records its progress and the live KPIs run.
IN_PLAN = timezone.make_aware(timezone.datetime(2026, 11, 23, 10))


def counts() -> dict[str, int]:
    with scopes_disabled():
        return {model.__name__: model.objects.count()
                for model in (Plan, Measure, Indicator, StatusReport, IndicatorValue)}


def test_every_seed_is_valid_with_the_demo_additions():
    assert sorted(demo.available()) == sorted(demo.SEEDS)
    for name in demo.SEEDS:
        assert interchange.validate(demo.demo_data(name)) == [], name
    bound = [i for p in demo.demo_data("seed_000.json")["policies"] for m in p["measures"]
             for i in m["indicators"] if i["metric"]]
    assert len(bound) == len(demo.BINDINGS) + 3  # every binding found its seed indicator, plus 3 additions


@time_machine.travel(IN_PLAN, tick=False)
def test_the_demo_shows_all_five_plans_with_live_kpis(settings):
    settings.DEMO = True
    call_command("demo", "--quiet")  # on the day travelled to: the demo's progress follows the date
    with scopes_disabled():
        plans = {(p.municipality.name, p.slug) for p in Plan.objects.select_related("municipality")}
    assert plans == {("下仁田町", "dx-2026"), ("下仁田町", "dx-2023"), ("中之条町", "dx-2026"), ("甘楽町", "dx-2024"),
                     ("小山町", "dx-2022")}
    shimonita = Municipality.objects.get(code="103829")
    with scope(municipality=shimonita):
        plan = Plan.objects.get(slug="dx-2026")
        assert StatusReport.objects.filter(measure__plan=plan, year=2026).count() == len(
            [key for key in demo.PROGRESS if key[0] == "seed_000.json"])
        live = {k.indicator.metric: k for k in kpis.kpis(plan) if k.live}
        assert len(live) >= 3
        before = {key: kpi.point(2026).actual for key, kpi in live.items()}
    # The town's real use changes: a resident subscribes, two counter visits finish.
    factories.make_subscriber(shimonita, email="new-subscriber@example.jp")
    resident = factories.make_resident(shimonita)
    with scope(municipality=shimonita):
        from yakuba.applications.models import CounterVisit
        from yakuba.kernel.accounts.models import Staff

        clerk = Staff.objects.filter(municipality=shimonita).first()
        for _ in range(2):
            CounterVisit.objects.create(municipality=shimonita, resident=resident, staff=clerk,
                                        finished_at=timezone.now() - timedelta(hours=1))
        after = {k.indicator.metric: k.point(2026).actual for k in kpis.kpis(plan) if k.live}
    assert after["notices.subscribers"] == before["notices.subscribers"] + 1
    assert after["applications.counter_visits_per_month"] > before["applications.counter_visits_per_month"]
