"""The operators' phone booking (電話予約): find the caller by the kernel's resident search, book with their usual
stops first (registering them as a rider on the way), see a ride, cancel it, or place a queued one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yakuba.kernel.accounts.models import Resident, Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.accounts.services import search_residents
from yakuba.kernel.audit import services as audit
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once, add_refusal, attempt, error_summary

from ..models import Ride, RideStatus
from ..services import access, booking, travel
from .forms import RideForm, StaffRiderForm, again

SEARCH_LIMIT = 20


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("お名前・よみ・電話番号"), max_length=60, required=False,
                        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}))


@require_http_methods(["GET", "HEAD"])
@staff_required(role=Role.STAFF)
def call(request: TownRequest) -> HttpResponse:
    """Step 1: who is calling. Type a name, its reading or the phone number."""
    access.require_operator(request.staff)
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    found = list(search_residents(query)[:SEARCH_LIMIT]) if query else []
    riders = {r.resident_id: r for r in booking.riders_of(found)}
    if query:
        audit.record("transport.resident.searched", municipality=request.municipality, actor=request.user,
                     request=request, data={"count": len(found)})
    return render(request, "transport/staff/call.html", {
        "form": form, "query": query, "found": [(r, riders.get(r.pk)) for r in found], "limit": SEARCH_LIMIT,
        "queued": booking.queued(), "today": timezone.localdate()})


def _call_page(request: TownRequest, resident: Resident, form: RideForm, rider_form: StaffRiderForm | None, *,
               status: int = 200, refused: Ride | None = None,
               alternatives: list[dict[str, Any]] | None = None) -> HttpResponse:
    rider = booking.rider_for(resident)
    items = error_summary(form) + (error_summary(rider_form) if rider_form is not None else [])
    return render(request, "transport/staff/call_book.html", {
        "resident": resident, "rider": rider, "form": form, "rider_form": rider_form, "errors": items,
        "refused": refused, "alternatives": alternatives or [],
        "upcoming": booking.upcoming(rider) if rider else []}, status=status)


def _book(request: TownRequest, resident: Resident, form: RideForm, rider_form: StaffRiderForm | None
          ) -> booking.Outcome:
    rider = booking.rider_for(resident)
    if rider is None and rider_form is not None:
        rider = booking.register_rider(resident, staff=request.staff, wheelchair=rider_form.cleaned_data["wheelchair"],
                                       needs=rider_form.cleaned_data["needs"], home_stop=rider_form.home(),
                                       disability_certified=rider_form.cleaned_data["disability_certified"])
    assert rider is not None
    return booking.book(rider, form.wish(), channel="phone", staff=request.staff)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(role=Role.STAFF)
def call_book(request: TownRequest, resident_id: int) -> HttpResponse:
    """Step 2: the ride. A caller who is not a rider yet is registered with the same click."""
    access.require_operator(request.staff)
    resident = get_object_or_404(Resident, pk=resident_id)
    rider = booking.rider_for(resident)
    stops = travel.stops()
    usual = booking.usual_stops(rider) if rider else []
    if request.method != "POST":
        audit.record_read(request, resident, fields=["name", "phone"])
        return _call_page(request, resident, RideForm(stops=stops, usual=usual),
                          None if rider else StaffRiderForm(stops=stops, prefix="rider"))
    form = RideForm(request.POST, stops=stops, usual=usual)
    rider_form = None if rider else StaffRiderForm(request.POST, stops=stops, prefix="rider")
    if not (form.is_valid() and (rider_form is None or rider_form.is_valid())):
        return _call_page(request, resident, form, rider_form, status=400)
    outcome = attempt(request, lambda: _book(request, resident, form, rider_form))
    if outcome.repeated:
        messages_back = reverse("staff:transport-call")
        return HttpResponseRedirect(messages_back)
    if outcome.refused is not None:
        add_refusal(form, outcome.refused, field_of=lambda name: "at" if name == "arrive_before" else name)
        return _call_page(request, resident, form, rider_form, status=400)
    assert outcome.result is not None
    ride = outcome.result.ride
    if ride.status == RideStatus.REFUSED:
        choices = [{"at": a, "data": again(form, timezone.localtime(a).time(), ride.day)}
                   for a in outcome.result.alternatives]
        return _call_page(request, resident, form, None, status=409, refused=ride, alternatives=choices)
    return HttpResponseRedirect(reverse("staff:transport-ride", args=[ride.pk]))


@require_http_methods(["GET", "HEAD"])
@staff_required(role=Role.STAFF)
def ride(request: TownRequest, pk: int) -> HttpResponse:
    access.require_operator(request.staff)
    found: Ride = get_object_or_404(Ride.objects.select_related("rider__resident", "pickup", "dropoff", "vehicle"),
                                    pk=pk)
    audit.record_read(request, found.rider.resident, fields=["name", "phone"])
    return render(request, "transport/staff/ride.html", {"ride": found, "visits": list(found.visits.all())})


@require_http_methods(["POST"])
@staff_required(role=Role.STAFF)
def cancel(request: TownRequest, pk: int) -> HttpResponse:
    access.require_operator(request.staff)
    found: Ride = get_object_or_404(Ride.objects.select_related("rider"), pk=pk)
    reason = request.POST.get("reason", "")[:200]
    return act_once(request, lambda: booking.cancel(found, staff=request.staff, reason=reason),
                    done=_("予約を取り消しました。"), back=reverse("staff:transport-ride", args=[found.pk]))


@require_http_methods(["POST"])
@staff_required(role=Role.STAFF)
def place(request: TownRequest, pk: int) -> HttpResponse:
    """Retry a queued ride (the solver ran out of time when it was booked)."""
    access.require_operator(request.staff)
    found: Ride = get_object_or_404(Ride, pk=pk)

    def done(outcome: booking.Outcome) -> str:
        return (_("配車しました。") if outcome.confirmed
                else _("空きがないため、お断りになりました。お客様に別の時刻をご案内ください。"))

    return act_once(request, lambda: booking.place_queued(found, staff=request.staff), done=done,
                    back=reverse("staff:transport-ride", args=[found.pk]))


staff_urlpatterns = [
    path("transport/call/", call, name="transport-call"),
    path("transport/call/<int:resident_id>/", call_book, name="transport-call-book"),
    path("transport/rides/<int:pk>/", ride, name="transport-ride"),
    path("transport/rides/<int:pk>/cancel/", cancel, name="transport-ride-cancel"),
    path("transport/rides/<int:pk>/place/", place, name="transport-ride-place"),
]
