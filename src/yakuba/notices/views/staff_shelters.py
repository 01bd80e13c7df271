"""Staff page of 避難所の状況: the status board staff keep during a disaster (any staff member of the town). The
shelters are the 指定避難所 of the town's published 指定緊急避難場所一覧 (オープンデータ); names, addresses and
capacities are corrected there."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yakuba.kernel import records
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once

from ..models import Shelter, ShelterStatus
from ..services import shelters as services


def _board(request: TownRequest, *, failed: str | None = None, errors: list[str] | None = None,
           typed: dict[str, str] | None = None) -> HttpResponse:
    items: list[dict[str, Any]] = []
    places = services.places(request.municipality)
    for number, place in enumerate(places, 1):
        current = typed if failed == place.key and typed is not None else {"status": place.status,
                                                                          "note": place.note}
        items.append({"place": place, "anchor": f"shelter-{number}", "status": current["status"],
                      "note": current["note"], "errors": errors if failed == place.key else []})
    placed = any(place.key == failed for place in places)
    return render(request, "notices/staff/shelters.html", {
        "errors": errors if errors and not placed else [],
        "items": items, "statuses": ShelterStatus.choices, "may_edit": services.may_edit_list(request.staff),
        "orphans": services.orphans(request.municipality), "list_url": records.rows_staff_url(services.SITES),
    }, status=400 if errors else 200)


@staff_required(role=Role.STAFF)
def shelters(request: TownRequest) -> HttpResponse:
    """The board; a POST sets one shelter's status and note."""
    if request.method != "POST":
        return _board(request)
    site = request.POST.get("shelter", "")
    status, note = request.POST.get("status", ""), request.POST.get("note", "")
    keys = [place.key for place in services.places(request.municipality)]
    anchor = f"#shelter-{keys.index(site) + 1}" if site in keys else ""
    return act_once(request, lambda: services.set_shelter_status(request.staff, site, status=status, note=note),
                    done=lambda saved: _("%(name)s の状況を「%(status)s」にしました。")
                    % {"name": saved.name, "status": saved.get_status_display()},
                    back=reverse("staff:shelters") + anchor,
                    refused=lambda error: _board(request, failed=site, errors=error.messages,
                                                 typed={"status": status, "note": note}))


@staff_required(role=Role.STAFF)
@require_POST
def shelter_remove(request: TownRequest, pk: int) -> HttpResponse:
    """Remove a status whose place is not a 指定避難所 of the dataset."""
    shelter = get_object_or_404(Shelter, pk=pk)
    return act_once(request, lambda: services.remove_orphan(request.staff, shelter),
                    done=_("%(name)s の状況を削除しました。") % {"name": shelter.name},
                    back=reverse("staff:shelters"))


urlpatterns = [
    path("shelters/", shelters, name="shelters"),
    path("shelters/<int:pk>/remove/", shelter_remove, name="shelter-remove"),
]
