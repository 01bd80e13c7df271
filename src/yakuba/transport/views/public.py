"""Residents' pages of デマンド交通: how the service works (cacheable), 利用登録, booking a ride (with the nearest
times that fit when it is full), their rides and cancelling one."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yakuba.kernel.accounts.permissions import resident_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once, add_refusal, attempt, error_summary
from yakuba.kernel.ui.pagecache import cacheable_public

from ..models import FixedRoute, Ride, RideStatus, Vehicle
from ..registry import PAGES
from ..services import access, booking, travel
from .forms import RideForm, RiderForm, again


def _service_or_404() -> Any:
    service = access.service()
    if service is None:
        raise Http404(_("この町ではデマンド交通を運行していません。"))
    return service


@require_http_methods(["GET", "HEAD"])
@cacheable_public(kinds=(PAGES,))
def index(request: TownRequest) -> HttpResponse:
    """How to ride: days and hours, fares and 減免, the zones and their stops (map and list), how to book."""
    service = _service_or_404()
    stops = travel.stops()
    zones: dict[Any, list[Any]] = {}
    for stop in stops:
        zones.setdefault(stop.zone, []).append(stop)
    return render(request, "transport/public/index.html", {
        "service": service, "zones": list(zones.items()), "stops": stops,
        "vehicles": Vehicle.objects.filter(active=True).count(),
        "has_routes": FixedRoute.objects.filter(active=True).exists(),
        "weekdays": [_("月"), _("火"), _("水"), _("木"), _("金"), _("土"), _("日")]})


def _register_page(request: TownRequest, form: RiderForm, *, status: int = 200) -> HttpResponse:
    return render(request, "transport/public/register.html", {
        "form": form, "errors": error_summary(form), "service": _service_or_404()}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@resident_required
def register(request: TownRequest) -> HttpResponse:
    """利用登録 (once): the stop near home and what the driver should know."""
    _service_or_404()
    stops = travel.stops()
    rider = booking.rider_for(request.resident)
    initial = {"home_stop": rider.home_stop_id, "wheelchair": rider.wheelchair, "needs": rider.needs} if rider else {}
    if request.method != "POST":
        return _register_page(request, RiderForm(stops=stops, initial=initial))
    form = RiderForm(request.POST, stops=stops)
    if form.is_valid():
        response = act_once(request, lambda: booking.register_rider(
            request.resident, wheelchair=form.cleaned_data["wheelchair"], needs=form.cleaned_data["needs"],
            home_stop=form.home()), done=_("利用登録しました。"), back=reverse("transport:book"), form=form)
        if response is not None:
            return response
    return _register_page(request, form, status=400)


def _book_page(request: TownRequest, form: RideForm, *, status: int = 200, refused: Ride | None = None,
               alternatives: list[dict[str, Any]] | None = None) -> HttpResponse:
    return render(request, "transport/public/book.html", {
        "form": form, "errors": error_summary(form), "service": _service_or_404(), "refused": refused,
        "alternatives": alternatives or []}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@resident_required
def book(request: TownRequest) -> HttpResponse:
    """予約する: the form; a confirmed or queued ride goes to its page, a full one stays with the times that fit."""
    _service_or_404()
    rider = booking.rider_for(request.resident)
    if rider is None:
        return HttpResponseRedirect(reverse("transport:register"))
    stops = travel.stops()
    usual = booking.usual_stops(rider)
    if request.method != "POST":
        return _book_page(request, RideForm(stops=stops, usual=usual))
    form = RideForm(request.POST, stops=stops, usual=usual)
    if not form.is_valid():
        return _book_page(request, form, status=400)
    outcome = attempt(request, lambda: booking.book(rider, form.wish(), channel="web"))
    if outcome.repeated:
        return HttpResponseRedirect(reverse("transport:rides"))
    if outcome.refused is not None:
        add_refusal(form, outcome.refused, field_of=lambda name: "at" if name == "arrive_before" else name)
        return _book_page(request, form, status=400)
    assert outcome.result is not None
    ride = outcome.result.ride
    if ride.status == RideStatus.REFUSED:
        choices = [{"at": a, "data": again(form, timezone.localtime(a).time(), ride.day)}
                   for a in outcome.result.alternatives]
        return _book_page(request, form, status=409, refused=ride, alternatives=choices)
    return HttpResponseRedirect(reverse("transport:ride", args=[ride.uuid]))


@require_http_methods(["GET", "HEAD"])
@resident_required
def rides(request: TownRequest) -> HttpResponse:
    """わたしの予約: upcoming rides, then the last ones."""
    rider = booking.rider_for(request.resident)
    upcoming = booking.upcoming(rider) if rider else []
    past = (list(Ride.objects.filter(rider=rider).exclude(pk__in=[r.pk for r in upcoming])
                 .exclude(status=RideStatus.REFUSED).select_related("pickup", "dropoff")
                 .order_by("-day", "-window_start")[:10]) if rider else [])
    return render(request, "transport/public/rides.html", {"rider": rider, "upcoming": upcoming, "past": past,
                                                           "service": access.service()})


def _own_ride(request: TownRequest, key: Any) -> Ride:
    ride = (Ride.objects.filter(uuid=key, rider__resident=request.resident)
            .select_related("pickup", "dropoff", "vehicle", "rider").first())
    if ride is None:
        raise Http404(_("この予約は見つかりません。"))
    return ride


@require_http_methods(["GET", "HEAD"])
@resident_required
def ride(request: TownRequest, key: Any) -> HttpResponse:
    found = _own_ride(request, key)
    cancellable = found.status in (RideStatus.CONFIRMED, RideStatus.QUEUED) and timezone.now() < found.window_start
    return render(request, "transport/public/ride.html", {"ride": found, "cancellable": cancellable,
                                                          "service": access.service()})


@require_http_methods(["POST"])
@resident_required
def cancel(request: TownRequest, key: Any) -> HttpResponse:
    found = _own_ride(request, key)
    back = reverse("transport:ride", args=[found.uuid])
    return act_once(request, lambda: booking.cancel(found, resident=request.resident),
                    done=_("予約を取り消しました。"), back=back, repeated=_("この予約はすでに取り消しています。"))


urlpatterns = [
    path("transport/", index, name="index"),
    path("transport/register/", register, name="register"),
    path("transport/book/", book, name="book"),
    path("transport/rides/", rides, name="rides"),
    path("transport/rides/<uuid:key>/", ride, name="ride"),
    path("transport/rides/<uuid:key>/cancel/", cancel, name="cancel"),
]
