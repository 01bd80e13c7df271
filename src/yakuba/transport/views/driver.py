"""The drivers' tablet: choose the vehicle and the day, the route with the next stop's big buttons (乗車 / 降車 /
不在), and a small version fragment the page polls so a changed plan reaches the driver."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, register_converter, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once

from ..models import Vehicle, Visit
from ..services import access, driving

class DayConverter:
    """A service day in a URL, 2026-12-08 (the view reads it with parse_day: an impossible date is a 404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


register_converter(DayConverter, "day")


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise Http404 from error


def _vehicle(request: TownRequest, vehicle_id: int) -> Vehicle:
    vehicle = Vehicle.objects.filter(pk=vehicle_id).first()
    if vehicle is None:
        raise Http404
    access.require_driver(request.staff, vehicle)
    return vehicle


def route_url(vehicle: Vehicle, day: date) -> str:
    return reverse("staff:transport-drive-route", args=[vehicle.pk, day.isoformat()])


@staff_required(role=Role.STAFF)
def choose(request: TownRequest) -> HttpResponse:
    vehicles = list(driving.vehicles_for(request.staff))
    if not vehicles:
        raise PermissionDenied(_("担当の車両がありません。デマンド交通の担当課にお問い合わせください。"))
    today = timezone.localdate()
    picked, day_text = request.GET.get("vehicle", ""), request.GET.get("day", "")
    if picked:
        chosen = next((v for v in vehicles if str(v.pk) == picked), None)
        try:
            day = date.fromisoformat(day_text) if day_text else today
        except ValueError:
            day = None
        if chosen is not None and day is not None:
            return HttpResponseRedirect(route_url(chosen, day))
    return render(request, "transport/staff/drive/choose.html", {
        "vehicles": vehicles, "today": today, "picked": picked, "day": day_text or today.isoformat(),
        "error": _("車両と日付を選んでください。") if picked else ""}, status=400 if picked else 200)


def _route_context(request: TownRequest, vehicle: Vehicle, day: date) -> dict[str, object]:
    shown = driving.board(vehicle, day)
    return {"board": shown, "vehicle": vehicle, "day": day, "today": timezone.localdate(),
            "version_url": reverse("staff:transport-drive-version", args=[vehicle.pk, day.isoformat()]),
            "mark_url": reverse("staff:transport-drive-mark", args=[vehicle.pk, day.isoformat()])}


@staff_required(role=Role.STAFF)
def route(request: TownRequest, vehicle_id: int, day: str) -> HttpResponse:
    vehicle, when = _vehicle(request, vehicle_id), parse_day(day)
    context = _route_context(request, vehicle, when)
    driving.audit_route_read(request.staff, context["board"])  # type: ignore[arg-type]
    return render(request, "transport/staff/drive/route.html", context)


@staff_required(role=Role.STAFF)
def version(request: TownRequest, vehicle_id: int, day: str) -> HttpResponse:
    """The poller: the day's plan version; when it grew past `seen`, the notice and the new route (out of band)."""
    vehicle, when = _vehicle(request, vehicle_id), parse_day(day)
    try:
        seen = int(request.GET.get("seen", ""))
    except ValueError:
        seen = -1
    context = _route_context(request, vehicle, when)
    current = context["board"].version  # type: ignore[attr-defined]
    changed = seen >= 0 and current > seen
    if changed:
        driving.audit_route_read(request.staff, context["board"], reloaded=True)  # type: ignore[arg-type]
    return render(request, "transport/staff/drive/_version.html", {**context, "changed": changed})


@staff_required(role=Role.STAFF)
@require_POST
def mark(request: TownRequest, vehicle_id: int, day: str) -> HttpResponse:
    vehicle, when = _vehicle(request, vehicle_id), parse_day(day)
    back = route_url(vehicle, when)
    try:
        visit_id = int(request.POST.get("visit", ""))
    except ValueError:
        visit_id = 0
    visit = Visit.objects.filter(pk=visit_id, vehicle=vehicle, day=when).select_related(
        "vehicle", "ride__rider__resident").first()
    if visit is None:
        raise Http404
    outcome = request.POST.get("outcome", "")
    return act_once(request, lambda: driving.mark(request.staff, visit, outcome),
                    done=lambda v: _("%(name)sさん：%(what)sを記録しました。") % {
                        "name": v.ride.rider.resident.family_name, "what": driving.outcome_label(outcome)},
                    back=back, repeated=_("この記録はすでに受け付けています。"))


staff_urlpatterns: list[URLPattern] = [
    path("transport/drive/", choose, name="transport-drive"),
    path("transport/drive/<int:vehicle_id>/<day:day>/", route, name="transport-drive-route"),
    path("transport/drive/<int:vehicle_id>/<day:day>/version/", version, name="transport-drive-version"),
    path("transport/drive/<int:vehicle_id>/<day:day>/mark/", mark, name="transport-drive-mark"),
]
