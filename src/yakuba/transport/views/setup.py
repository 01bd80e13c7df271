"""The 担当課 defines デマンド交通 (/staff/transport/setup/…): an overview of the service's rules, zones and their
stops, vehicles, fixed routes and the travel-time source; edit pages for each; a map of the 乗降ポイント beside a
table of the same data; and the upload of the town's 所要時間表 (CSV) with a template of every pair of stops.

Any operator of the 担当課 sees the pages and keeps the 乗降ポイント and the table; the service's rules, zones,
vehicles and routes are changed by its 所属長 and 情報担当 (services/setup.py says why)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import can, staff_required
from yakuba.kernel.files.tables import csv_download
from yakuba.kernel.files.uploads import sniff
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.ui.actions import act_once, error_summary
from yakuba.kernel.ui.widgets import map_picker_config

from ..models import FixedRoute, FixedRouteStop, Service, Stop, Vehicle, Zone
from ..services import access, setup, travel
from . import setup_forms as forms

MAX_CSV_BYTES = 5 * 1024 * 1024
MISSING_SHOWN = 200
JAPAN_CENTRE = (36.2, 138.8)


def _operator(request: TownRequest) -> Service:
    return access.require_operator(request.staff)


def _keeper(request: TownRequest) -> Service:
    return access.require_operator(request.staff, Role.APPROVER)


def _render(request: TownRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    service = context.get("service") or access.service()
    return render(request, f"transport/staff/setup/{template}", {
        "service": service, "can_rules": setup.can_change_rules(request.staff), **context}, status=status)


def _save(request: TownRequest, form: Any, action: Callable[[], Any], *, back: str | Callable[[Any], str],
          done: str | Callable[[Any], str]) -> HttpResponse | None:
    """Validate `form` and run the service action once; None when the page must be shown again (status 400)."""
    if not form.is_valid():
        return None
    response: HttpResponse | None = act_once(request, action, form=form, back=back, done=done)
    return response


# --- overview -------------------------------------------------------------------------------------------------

@staff_required()
def overview(request: TownRequest) -> HttpResponse:
    """The service at a glance: rules, zones with their stops, vehicles, fixed routes, travel times."""
    service = access.service()
    if service is None:
        if not can(request.staff, Role.ADMIN):
            raise PermissionDenied(_("この町ではデマンド交通を運行していません。"))
        return _render(request, "none.html", {})
    _operator(request)
    zones = Zone.objects.prefetch_related("connects", Prefetch("stops", queryset=Stop.objects.order_by(
        "sort_order", "pk")))
    routes = FixedRoute.objects.prefetch_related(Prefetch("stops", queryset=FixedRouteStop.objects.select_related(
        "stop").order_by("seq")))
    return _render(request, "overview.html", {
        "service": service, "zones": zones, "vehicles": Vehicle.objects.select_related("home", "driver"),
        "routes": routes, "summary": travel.summary(service), "days": _day_names(service.days)})


def _day_names(days: list[int]) -> str:
    names = dict(forms.DAYS)
    return "・".join(str(names[int(day)]) for day in sorted(days) if int(day) in names)


# --- the service ----------------------------------------------------------------------------------------------

@staff_required(role=Role.APPROVER)
def service_edit(request: TownRequest) -> HttpResponse:
    """運行の決まり: create (情報担当, when the town runs none yet) or change (所属長 of the 担当課, 情報担当)."""
    service = access.service()
    if service is None and not can(request.staff, Role.ADMIN):
        raise PermissionDenied(_("デマンド交通の運行を新しく設けられるのは情報担当だけです。"))
    if service is not None:
        _keeper(request)
    bound = request.method == "POST"
    form = forms.ServiceForm(request.POST if bound else None, creating=service is None,
                             initial=forms.ServiceForm.initial_of(service) if service else {
                                 "days": [0, 1, 2, 3, 4], "closed_on_holidays": True, "active": True,
                                 "travel_source": "straight", **{name: field.default for name, field in
                                                                 setup.ServiceInput.__dataclass_fields__.items()
                                                                 if isinstance(field.default, int | str | Decimal)}})
    if bound:
        response = _save(request, form, lambda: setup.save_service(request.staff, service, form.data_input()),
                         back=reverse("staff:transport-setup"), done=_("運行の決まりを保存しました。"))
        if response is not None:
            return response
    return _render(request, "service.html", {"form": form, "errors": error_summary(form), "creating": service is None},
                   status=400 if bound else 200)


# --- zones ----------------------------------------------------------------------------------------------------

@staff_required(role=Role.APPROVER)
def zone_edit(request: TownRequest, pk: int | None = None) -> HttpResponse:
    _keeper(request)
    zone = get_object_or_404(Zone, pk=pk) if pk is not None else None
    bound = request.method == "POST"
    form = forms.ZoneForm(request.POST if bound else None, zone=zone)
    if bound:
        response = _save(request, form, lambda: setup.save_zone(request.staff, zone, form.data_input()),
                         back=reverse("staff:transport-setup"),
                         done=lambda saved: _("区域「%(name)s」を保存しました。") % {"name": saved.name})
        if response is not None:
            return response
    return _render(request, "zone.html", {"zone": zone, "form": form, "errors": error_summary(form)},
                   status=400 if bound else 200)


# --- 乗降ポイント ---------------------------------------------------------------------------------------------

def _centre(stops: list[Stop]) -> tuple[float, float]:
    if not stops:
        return JAPAN_CENTRE
    return (sum(float(stop.latitude) for stop in stops) / len(stops),
            sum(float(stop.longitude) for stop in stops) / len(stops))


@staff_required()
def stops(request: TownRequest) -> HttpResponse:
    """The stops on a map (地理院タイル) and in a table with the same data."""
    _operator(request)
    rows = list(Stop.objects.select_related("zone"))
    points = [{"lat": float(stop.latitude), "lon": float(stop.longitude), "title": stop.name, "code": stop.code,
               "zone": stop.zone.name, "active": stop.active,
               "url": reverse("staff:transport-setup-stop", args=[stop.pk])} for stop in rows]
    return _render(request, "stops.html", {"stops": rows, "map": {**map_picker_config(_centre(rows), zoom=13),
                                                                   "points": points}})


@staff_required()
def stop_edit(request: TownRequest, pk: int | None = None) -> HttpResponse:
    """Add or change a 乗降ポイント; the place by map (地理院タイル) or by typing latitude and longitude."""
    _operator(request)
    stop = get_object_or_404(Stop.objects.select_related("zone"), pk=pk) if pk is not None else None
    bound = request.method == "POST"
    form = forms.StopForm(request.POST if bound else None, stop=stop)
    if bound:
        response = _save(request, form, lambda: setup.save_stop(request.staff, stop, form.data_input()),
                         back=reverse("staff:transport-setup-stops"),
                         done=lambda saved: _("乗降ポイント「%(name)s」を保存しました。") % {"name": saved.name})
        if response is not None:
            return response
    others = list(Stop.objects.exclude(pk=pk)) if pk is not None else list(Stop.objects.all())
    centre = (float(stop.latitude), float(stop.longitude)) if stop is not None else _centre(others)
    return _render(request, "stop.html", {
        "stop": stop, "form": form, "errors": error_summary(form), "picker": map_picker_config(centre, zoom=15),
        "in_use": stop is not None and setup.stop_in_use(stop)}, status=400 if bound else 200)


@staff_required()
@require_POST
def stop_delete(request: TownRequest, pk: int) -> HttpResponse:
    _operator(request)
    stop = get_object_or_404(Stop, pk=pk)
    name = stop.name
    return act_once(request, lambda: setup.delete_stop(request.staff, stop),
                    back=reverse("staff:transport-setup-stops"),
                    done=_("乗降ポイント「%(name)s」を削除しました。") % {"name": name},
                    refused=lambda error: _stop_refused(request, stop, error))


def _stop_refused(request: TownRequest, stop: Stop, error: Refused) -> HttpResponse:
    form = forms.StopForm(stop=stop)
    return _render(request, "stop.html", {
        "stop": stop, "form": form, "errors": error_summary(refused=error), "in_use": True,
        "picker": map_picker_config((float(stop.latitude), float(stop.longitude)), zoom=15)}, status=400)


# --- 車両 -----------------------------------------------------------------------------------------------------

@staff_required(role=Role.APPROVER)
def vehicle_edit(request: TownRequest, pk: int | None = None) -> HttpResponse:
    _keeper(request)
    vehicle = get_object_or_404(Vehicle, pk=pk) if pk is not None else None
    bound = request.method == "POST"
    form = forms.VehicleForm(request.POST if bound else None, vehicle=vehicle)
    if bound:
        response = _save(request, form, lambda: setup.save_vehicle(request.staff, vehicle, form.data_input()),
                         back=reverse("staff:transport-setup"),
                         done=lambda saved: _("車両「%(name)s」を保存しました。") % {"name": saved.name})
        if response is not None:
            return response
    return _render(request, "vehicle.html", {"vehicle": vehicle, "form": form, "errors": error_summary(form)},
                   status=400 if bound else 200)


# --- 定時路線 -------------------------------------------------------------------------------------------------

@staff_required(role=Role.APPROVER)
def route_edit(request: TownRequest, pk: int | None = None) -> HttpResponse:
    _keeper(request)
    route = get_object_or_404(FixedRoute, pk=pk) if pk is not None else None
    bound = request.method == "POST"
    form = forms.RouteForm(request.POST if bound else None, route=route)
    if bound:
        response = _save(request, form, lambda: setup.save_fixed_route(request.staff, route, form.data_input()),
                         back=reverse("staff:transport-setup"),
                         done=lambda saved: _("路線「%(name)s」を保存しました。") % {"name": saved.name})
        if response is not None:
            return response
    return _render(request, "route.html", {
        "route": route, "form": form, "errors": error_summary(form),
        "codes": Stop.objects.filter(active=True).select_related("zone")}, status=400 if bound else 200)


# --- 所要時間表 -----------------------------------------------------------------------------------------------

@staff_required()
def travel_table(request: TownRequest) -> HttpResponse:
    """Where travel times come from, how many pairs the town's table has and which are missing; the CSV upload."""
    service = _operator(request)
    bound = request.method == "POST"
    form = forms.MatrixUploadForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and form.is_valid():
        upload = form.cleaned_data["file"]
        problem = _csv_problem(upload)
        if problem:
            form.add_error("file", problem)
        else:
            response = act_once(
                request, lambda: travel.import_matrix(request.staff, travel.decode_csv(upload.read())), form=form,
                back=reverse("staff:transport-setup-travel"),
                done=lambda count: _("所要時間表を読み込みました（%(n)d組）。") % {"n": count})
            if response is not None:
                return response
    summary = travel.summary(service)
    return _render(request, "travel.html", {
        "form": form, "errors": error_summary(form), "summary": summary, "missing": summary.missing[:MISSING_SHOWN],
        "missing_more": max(0, len(summary.missing) - MISSING_SHOWN)}, status=400 if bound else 200)


def _csv_problem(upload: Any) -> str:
    """Why an uploaded file cannot be a CSV (empty, too large, or a binary file such as an Excel workbook)."""
    size = upload.size or 0
    if size == 0:
        return _("ファイルが空です。内容のあるファイルを選んでください。")
    if size > MAX_CSV_BYTES:
        return _("ファイルが大きすぎます（上限 %(limit)s）。") % {"limit": filesizeformat(MAX_CSV_BYTES)}
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if sniff(head) is not None or b"\x00" in head:
        return _("CSVファイルではないようです。Excelでは「名前を付けて保存」で「CSV」を選んで保存してください。")
    return ""


@staff_required()
def travel_template(request: TownRequest) -> HttpResponse:
    """Every ordered pair of usable stops, the town's figures filled in where it has them: fill in and upload."""
    service = _operator(request)
    response, writer = csv_download("travel-times.csv")
    writer.writerow(travel.TEMPLATE_HEADER)
    writer.writerows(travel.template_rows(service))
    return response


staff_urlpatterns = [
    path("transport/setup/", overview, name="transport-setup"),
    path("transport/setup/service/", service_edit, name="transport-setup-service"),
    path("transport/setup/zones/new/", zone_edit, name="transport-setup-zone-new"),
    path("transport/setup/zones/<int:pk>/", zone_edit, name="transport-setup-zone"),
    path("transport/setup/stops/", stops, name="transport-setup-stops"),
    path("transport/setup/stops/new/", stop_edit, name="transport-setup-stop-new"),
    path("transport/setup/stops/<int:pk>/", stop_edit, name="transport-setup-stop"),
    path("transport/setup/stops/<int:pk>/delete/", stop_delete, name="transport-setup-stop-delete"),
    path("transport/setup/vehicles/new/", vehicle_edit, name="transport-setup-vehicle-new"),
    path("transport/setup/vehicles/<int:pk>/", vehicle_edit, name="transport-setup-vehicle"),
    path("transport/setup/routes/new/", route_edit, name="transport-setup-route-new"),
    path("transport/setup/routes/<int:pk>/", route_edit, name="transport-setup-route"),
    path("transport/setup/travel/", travel_table, name="transport-setup-travel"),
    path("transport/setup/travel/template.csv", travel_template, name="transport-setup-travel-template"),
]
