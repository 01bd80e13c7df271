"""The demo of 起案・回議・決裁 in 下仁田町: posts held by demo staff, the 50万円 route 係長 → 課長, the 300万円 draft
waiting for the absent 副町長 that the 課長 may decide by 代決; deciding moves plan 000's 電子決裁利用率. Idempotent."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import scope

from yakuba.approvals import demo
from yakuba.approvals.models import Draft, DraftStatus, Post, Step
from yakuba.approvals.services import decide, routes
from yakuba.kernel.accounts.models import Staff
from yakuba.kernel.ops.demo import TOWNS
from yakuba.kernel.scheduling.fiscal import fiscal_year
from yakuba.kernel.tenancy.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def shimonita(demo_for_module):
    town = Municipality.objects.get(code="103829")
    with scope(municipality=town):
        yield town


def _staff(name):
    return Staff.objects.get(user__email=f"{name}@shimonita.demo")


def test_the_demo_people_rules_and_drafts(shimonita):
    assert {p.title: p.holder.user.email.split("@")[0] for p in Post.objects.select_related("holder__user")} == {
        "総務課庶務係長": "kakaricho", "総務課長": "kacho", "会計課長": "kaikei", "副町長": "fukuchoson",
        "町長": "chouchou"}
    clerk = _staff("soumu")
    draft = Draft.objects.filter(title="庁舎用コピー用紙の購入について").get()
    assert [s.post.title for s in draft.steps.order_by("sequence")] == ["総務課庶務係長", "総務課長"]
    assert list(decide.waiting_for(_staff("kakaricho"))) == list(draft.steps.filter(sequence=1))
    larger = Draft.objects.get(title="防災行政無線の保守点検業務委託料の支出について")
    assert [s.draft_id for s in decide.deputising_for(_staff("kacho"))] == [larger.pk]
    item = routes.Matterish(department=clerk.department, drafter=clerk, matter="expenditure",
                            document_class=draft.document_class, amount=500_000)
    assert [s.post.title for s in routes.build_route(item).steps] == ["総務課庶務係長", "総務課長"]


def test_deciding_moves_plan_000s_electronic_share_and_a_reload_changes_nothing(shimonita):
    from yakuba.plans.models import Plan
    from yakuba.plans.services import kpis

    plan = Plan.objects.get(slug="dx-2026")
    year = fiscal_year(timezone.localdate())

    def share():
        return next(k.point(year).actual for k in kpis.kpis(plan) if k.indicator.metric ==
                    "approvals.electronic_share")

    before = share()
    larger = Draft.objects.get(title="防災行政無線の保守点検業務委託料の支出について")
    decide.decide_as_deputy(_staff("kacho"), larger)
    assert Draft.objects.get(pk=larger.pk).status == DraftStatus.DECIDED
    assert share() is not None and share() != before
    counts = (Draft.objects.count(), Step.objects.count(), Post.objects.count())
    town = next(t for t in TOWNS if t.code == "103829")
    demo.load(shimonita, town)
    assert (Draft.objects.count(), Step.objects.count(), Post.objects.count()) == counts
