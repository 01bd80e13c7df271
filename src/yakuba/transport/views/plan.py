"""The operators' plan board: each vehicle's route for a day in order, the rides waiting for a person (QUEUED) and
those refused, with the previous and next day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.audit.services import record
from yakuba.kernel.http import TownRequest

from ..models import DayPlan, Ride, RideStatus, Vehicle
from ..services import access, driving
from .driver import parse_day


@staff_required(role=Role.STAFF)
def today(request: TownRequest) -> HttpResponse:
    access.require_operator(request.staff)
    return HttpResponseRedirect(reverse("staff:transport-plan", args=[timezone.localdate().isoformat()]))


@staff_required(role=Role.STAFF)
def board(request: TownRequest, day: str) -> HttpResponse:
    access.require_operator(request.staff)
    when = parse_day(day)
    routes: list[dict[str, Any]] = []
    for vehicle in Vehicle.objects.filter(active=True).select_related("driver"):
        shown = driving.board(vehicle, when)
        routes.append({"vehicle": vehicle, "stops": shown.stops, "rides": len(shown.ride_ids),
                       "drive_url": reverse("staff:transport-drive-route", args=[vehicle.pk, when.isoformat()])})
    waiting = Ride.objects.filter(day=when).select_related("rider__resident", "pickup", "dropoff")
    queued = list(waiting.filter(status=RideStatus.QUEUED).order_by("window_start", "pk"))
    refused = list(waiting.filter(status=RideStatus.REFUSED).order_by("window_start", "pk"))
    plan = DayPlan.objects.filter(day=when).first()
    record("transport.plan.viewed", municipality=request.municipality, actor=request.user, request=request,
           data={"day": when.isoformat(), "rides": sorted({s.visit.ride_id for r in routes for s in r["stops"]}
                                                          | {r.pk for r in queued + refused})})
    return render(request, "transport/staff/plan/board.html", {
        "day": when, "today": timezone.localdate(), "routes": routes, "queued": queued, "refused": refused,
        "plan": plan, "previous": when - timedelta(days=1), "following": when + timedelta(days=1)})


staff_urlpatterns: list[URLPattern] = [
    path("transport/plan/", today, name="transport-plan-today"),
    path("transport/plan/<day:day>/", board, name="transport-plan"),
]
