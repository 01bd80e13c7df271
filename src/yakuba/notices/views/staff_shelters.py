"""Staff pages of 避難所: the status board staff keep during a disaster (any staff member of the town), and the
list of shelters itself (情報担当 or 総務課)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.forms.normalise import whole_number
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once

from ..models import Area, Shelter, ShelterStatus
from ..services import shelters as services
from ..services.shelters import ShelterData


class ShelterForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100,
                           help_text=gettext_lazy("例: 下仁田小学校 体育館"),
                           error_messages={"required": gettext_lazy("名称を入力してください。"),
                                           "max_length": gettext_lazy("名称は100文字以内で入力してください。")})
    address = forms.CharField(label=gettext_lazy("所在地"), max_length=200, required=False,
                              error_messages={"max_length": gettext_lazy("所在地は200文字以内で入力してください。")})
    area = forms.TypedChoiceField(label=gettext_lazy("地区"), coerce=int, required=False, empty_value=None,
                                  error_messages={"invalid_choice": gettext_lazy("地区を選び直してください。")})
    capacity = forms.IntegerField(label=gettext_lazy("収容人数（人）"), min_value=0, required=False,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                  error_messages={"invalid": gettext_lazy("収容人数は数字で入力してください。"),
                                                  "min_value": gettext_lazy("収容人数は0以上にしてください。")})
    latitude = forms.DecimalField(label=gettext_lazy("緯度"), max_digits=9, decimal_places=6, required=False,
                                  help_text=gettext_lazy("地図に表示する位置。例: 36.212345"),
                                  error_messages={"invalid": gettext_lazy("緯度は数字で入力してください。"),
                                                  "max_digits": gettext_lazy("緯度の桁が多すぎます。"),
                                                  "max_decimal_places": gettext_lazy("緯度は小数点以下6桁までです。")})
    longitude = forms.DecimalField(label=gettext_lazy("経度"), max_digits=9, decimal_places=6, required=False,
                                   help_text=gettext_lazy("例: 138.789012"),
                                   error_messages={"invalid": gettext_lazy("経度は数字で入力してください。"),
                                                   "max_digits": gettext_lazy("経度の桁が多すぎます。"),
                                                   "max_decimal_places": gettext_lazy("経度は小数点以下6桁までです。")})

    def __init__(self, data: Any = None, *, initial: dict[str, Any] | None = None) -> None:
        super().__init__(data, initial=initial)
        self.areas = {area.pk: area for area in Area.objects.all()}
        field = self.fields["area"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("選ばない")), *[(pk, area.name) for pk, area in self.areas.items()]]

    def to_data(self) -> ShelterData:
        data = self.cleaned_data
        latitude: Decimal | None = data["latitude"]
        longitude: Decimal | None = data["longitude"]
        return ShelterData(name=data["name"], address=data["address"], area=self.areas.get(data["area"] or 0),
                           capacity=data["capacity"], latitude=latitude, longitude=longitude)


def _board(request: TownRequest, *, failed: int | None = None, errors: list[str] | None = None,
           typed: dict[str, str] | None = None) -> HttpResponse:
    items = []
    for shelter in Shelter.objects.select_related("area", "updated_by"):
        current = typed if failed == shelter.pk and typed is not None else {"status": shelter.status,
                                                                           "note": shelter.note}
        items.append({"shelter": shelter, "status": current["status"], "note": current["note"],
                      "errors": errors if failed == shelter.pk else []})
    return render(request, "notices/staff/shelters.html", {
        "items": items, "statuses": ShelterStatus.choices, "may_edit": services.may_edit_list(request.staff),
    }, status=400 if errors else 200)


@staff_required(role=Role.STAFF)
def shelters(request: TownRequest) -> HttpResponse:
    """The board; a POST sets one shelter's status and note."""
    if request.method != "POST":
        return _board(request)
    chosen = request.POST.get("shelter", "")
    shelter = get_object_or_404(Shelter, pk=whole_number(chosen) or 0)
    status, note = request.POST.get("status", ""), request.POST.get("note", "")
    return act_once(request, lambda: services.set_shelter_status(request.staff, shelter, status=status, note=note),
                    done=lambda saved: _("%(name)s の状況を「%(status)s」にしました。")
                    % {"name": saved.name, "status": saved.get_status_display()},
                    back=reverse("staff:shelters") + f"#shelter-{shelter.pk}",
                    refused=lambda error: _board(request, failed=shelter.pk, errors=error.messages,
                                                 typed={"status": status, "note": note}))


def _edit(request: TownRequest, shelter: Shelter | None) -> HttpResponse:
    if not services.may_edit_list(request.staff):
        raise PermissionDenied(_("避難所の一覧を変更できるのは情報担当と総務課の職員です。"))
    initial = None
    if shelter is not None:
        initial = {"name": shelter.name, "address": shelter.address, "area": shelter.area_id,
                   "capacity": shelter.capacity, "latitude": shelter.latitude, "longitude": shelter.longitude}
    form = ShelterForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        response = act_once(request, lambda: services.save_shelter(request.staff, shelter=shelter,
                                                                   data=form.to_data()),
                            done=_("避難所を保存しました。"), back=reverse("staff:shelters"), form=form)
        if response is not None:
            return response
    return render(request, "notices/staff/shelter_form.html", {"form": form, "shelter": shelter},
                  status=400 if form.is_bound else 200)


@staff_required(role=Role.STAFF)
def shelter_new(request: TownRequest) -> HttpResponse:
    return _edit(request, None)


@staff_required(role=Role.STAFF)
def shelter_edit(request: TownRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Shelter, pk=pk))


urlpatterns = [
    path("shelters/", shelters, name="shelters"),
    path("shelters/new/", shelter_new, name="shelter-new"),
    path("shelters/<int:pk>/edit/", shelter_edit, name="shelter-edit"),
]
