"""Public pages of DX推進計画: the town's plans with their progress, one plan's tree, its 工程表 as a Gantt, the KPI
dashboard and one measure with its history. A plan and its progress are public; evidence files are not (and who
recorded a report is shown as the department only)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.pagecache import cacheable_public

from ..models import Plan
from ..pages import (
    done_words,
    gantt,
    kpi_card,
    measure_context,
    plan_period,
    plan_state,
    plan_tree,
    progress_summary,
    shown_year,
    tabs,
    today,
    town_measure,
    town_plan,
)
from ..periods import wareki
from ..registry import PAGES
from ..services import kpis as kpi_services


@require_GET
@cacheable_public(kinds=(PAGES,))
def index(request: TownRequest) -> HttpResponse:
    plans = [{"plan": plan, "period": plan_period(plan), "state": plan_state(plan), **progress_summary(plan)}
             for plan in Plan.objects.filter(municipality=request.municipality)]
    return render(request, "plans/public/index.html", {"plans": plans})


@require_GET
@cacheable_public(kinds=(PAGES,))
def detail(request: TownRequest, slug: str) -> HttpResponse:
    plan = town_plan(request, slug)
    year = shown_year(plan)
    return render(request, "plans/public/detail.html", {
        **tabs(plan, "detail"), "tree": plan_tree(plan, year), "year": year, "year_label": wareki(year),
        "summary": progress_summary(plan)})


@require_GET
@cacheable_public(kinds=(PAGES,))
def schedule(request: TownRequest, slug: str) -> HttpResponse:
    plan = town_plan(request, slug)
    return render(request, "plans/public/schedule.html", {**tabs(plan, "schedule"), **gantt(plan)})


@require_GET
@cacheable_public(kinds=(PAGES,))
def kpi(request: TownRequest, slug: str) -> HttpResponse:
    plan = town_plan(request, slug)
    live_only = request.GET.get("show") == "live"
    all_kpis = kpi_services.kpis(plan, today=today())
    charted = [k for k in all_kpis if k.indicator.is_numeric or k.live]
    others = [(k, done_words(k)) for k in all_kpis if not (k.indicator.is_numeric or k.live)]
    if live_only:
        charted, others = [k for k in charted if k.live], []
    return render(request, "plans/public/kpi.html", {
        **tabs(plan, "kpi"), "cards": [kpi_card(k) for k in charted], "others": others, "live_only": live_only,
        "live_count": sum(1 for k in all_kpis if k.live)})






@require_GET
@cacheable_public(kinds=(PAGES,))
def measure(request: TownRequest, slug: str, pk: int) -> HttpResponse:
    plan = town_plan(request, slug)
    return render(request, "plans/public/measure.html", {
        **tabs(plan, "measure"), **measure_context(plan, town_measure(plan, pk))})


urlpatterns = [
    path("plans/", index, name="index"),
    path("plans/<slug:slug>/", detail, name="detail"),
    path("plans/<slug:slug>/schedule/", schedule, name="schedule"),
    path("plans/<slug:slug>/kpi/", kpi, name="kpi"),
    path("plans/<slug:slug>/measures/<int:pk>/", measure, name="measure"),
]
