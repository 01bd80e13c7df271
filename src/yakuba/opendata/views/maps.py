"""The map (統合型GIS): the town's map with a list view beside it, the staff layers' GeoJSON, points and photos; and
the staff pages where 職員 keep their own point layers (e.g. 災害発生箇所)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.files.http import private_file_response
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui import once
from yakuba.kernel.ui.actions import act_once
from yakuba.kernel.ui.pagecache import cacheable_public

from ..models import Layer, Point
from ..services import geo
from ..services import layers as services
from ..services.layers import LayerData, PointData
from . import public

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

# Public pages ---------------------------------------------------------------------------------------------------


def _bounds(layers: list[geo.MapLayer]) -> list[list[float]] | None:
    points = [(f.latitude, f.longitude) for layer in layers for f in layer.features]
    if not points:
        return None
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


@require_GET
@cacheable_public(kinds=public.page_kinds)
def town_map(request: TownRequest) -> HttpResponse:
    """The map and, beside it (below at phone width), the same features as a list that needs no script."""
    layers = geo.map_layers(request.municipality)
    config = {
        "tiles": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION, "bounds": _bounds(layers),
        "layers": [{"key": layer.key, "title": layer.title, "url": layer.geojson_url, "colour": layer.colour,
                    "count": len(layer.features)} for layer in layers],
        "labels": {"layers": _("表示するレイヤー"), "zoomIn": _("拡大"), "zoomOut": _("縮小")},
    }
    return render(request, "opendata/map.html", {
        "layers": layers, "config": config, "total": sum(layer.total for layer in layers)})


@require_GET
def layer_geojson(request: TownRequest, slug: str) -> HttpResponse:
    layer: Layer = get_object_or_404(Layer.objects.prefetch_related("points"), slug=slug, is_public=True)
    response = JsonResponse(geo.layer_geojson(layer), content_type="application/geo+json",
                            json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"  # open data: other sites' maps may read it
    return response


def _public_point(public_id: str) -> Point:
    return get_object_or_404(Point.objects.select_related("layer"), public_id=public_id, layer__is_public=True)


@require_GET
@cacheable_public(kinds=public.page_kinds)
def point(request: TownRequest, public_id: str) -> HttpResponse:
    found = _public_point(public_id)
    return render(request, "opendata/point.html", {"point": found, "layer": found.layer})


@require_GET
def point_photo(request: TownRequest, public_id: str) -> HttpResponseBase:
    found = _public_point(public_id)
    if not found.photo_path:
        raise Http404
    extension = ".png" if found.photo_type == "image/png" else ".jpg"
    return private_file_response(found.photo_path, content_type=found.photo_type,
                                 filename=f"{found.public_id}{extension}", inline=True)


# Staff pages ----------------------------------------------------------------------------------------------------


class LayerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("レイヤー名"), max_length=60,
                           help_text=gettext_lazy("例: 災害発生箇所"),
                           error_messages={"required": gettext_lazy("レイヤー名を入力してください。"),
                                           "max_length": gettext_lazy("レイヤー名は60文字以内で入力してください。")})
    slug = forms.CharField(label=gettext_lazy("URL用の名前"), max_length=40,
                           help_text=gettext_lazy("英小文字・数字・ハイフン。地図データのURLに使います。例: saigai"),
                           error_messages={"required": gettext_lazy("URL用の名前を入力してください。"),
                                           "max_length": gettext_lazy("URL用の名前は40文字以内で入力してください。")})
    description = forms.CharField(label=gettext_lazy("説明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    department = forms.TypedChoiceField(label=gettext_lazy("担当課"), coerce=int, required=False, empty_value=None,
                                        help_text=gettext_lazy("指定しないと、町のどの職員でも地点を追加できます。"),
                                        error_messages={"invalid_choice": gettext_lazy("担当課を選び直してください。")})
    is_public = forms.BooleanField(label=gettext_lazy("住民に公開する（地図に表示する）"), required=False, initial=True)
    for_disasters = forms.BooleanField(label=gettext_lazy("災害情報として防災情報ボードにも表示する"), required=False)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        self.departments = {d.pk: d for d in Department.objects.all()}
        field = self.fields["department"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("指定しない")), *[(pk, d.name) for pk, d in self.departments.items()]]

    def to_data(self) -> LayerData:
        data = self.cleaned_data
        return LayerData(name=data["name"], slug=data["slug"], description=data["description"],
                         department=self.departments.get(data["department"] or 0), is_public=data["is_public"],
                         for_disasters=data["for_disasters"])


class PointForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("名称"), max_length=100, help_text=gettext_lazy("例: 町道の倒木"),
                            error_messages={"required": gettext_lazy("名称を入力してください。"),
                                            "max_length": gettext_lazy("名称は100文字以内で入力してください。")})
    description = forms.CharField(label=gettext_lazy("説明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # Text, not numbers: the service checks them (and says when they are swapped); the typing is kept as it was.
    latitude = forms.CharField(label=gettext_lazy("緯度"), max_length=30,
                               error_messages={"required": gettext_lazy("緯度を入力してください。")},
                               help_text=gettext_lazy("北緯。例: 36.212345"),
                               widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    longitude = forms.CharField(label=gettext_lazy("経度"), max_length=30,
                                error_messages={"required": gettext_lazy("経度を入力してください。")},
                                help_text=gettext_lazy("東経。例: 138.789012"),
                                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    observed_at = forms.DateTimeField(label=gettext_lazy("日時"), input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S"],
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                 format=DATETIME_LOCAL),
                                      help_text=gettext_lazy("確認した日時。"),
                                      error_messages={"required": gettext_lazy("日時を入力してください。"),
                                                      "invalid": gettext_lazy("日時を正しく入力してください。")})
    photo = forms.FileField(label=gettext_lazy("写真（任意）"), required=False,
                            help_text=gettext_lazy("JPEG または PNG、10MBまで。"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))

    def clean(self) -> dict[str, Any] | None:
        """The coordinates' checks now, so every error shows at once (the service checks them again)."""
        cleaned = super().clean()
        if "latitude" in self.cleaned_data and "longitude" in self.cleaned_data:
            errors, _lat, _lon = services.check_coordinates(self.cleaned_data["latitude"],
                                                            self.cleaned_data["longitude"])
            for name, message in errors.items():
                self.add_error(name, message)
        return cleaned

    def to_data(self) -> PointData:
        data = self.cleaned_data
        return PointData(title=data["title"], description=data["description"], latitude=data["latitude"],
                         longitude=data["longitude"], observed_at=data["observed_at"], photo=data["photo"])


@staff_required()
def staff_layers(request: TownRequest) -> HttpResponse:
    """The town's layers, and a form to create one."""
    form = LayerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        response = act_once(request, lambda: services.create_layer(request.staff, form.to_data()),
                            done=lambda layer: _("地図レイヤー「%(name)s」を作成しました。") % {"name": layer.name},
                            back=lambda layer: reverse("staff:map-layer", args=[layer.slug]), form=form,
                            again=reverse("staff:map-layers"))
        if response is not None:
            return response
    items = [{"layer": layer, "may_edit": services.may_edit(request.staff, layer)}
             for layer in Layer.objects.select_related("department").prefetch_related("points")]
    return render(request, "opendata/staff/layers.html", {"items": items, "form": form},
                  status=400 if form.is_bound else 200)


def _now_local() -> str:
    return timezone.localtime().strftime(DATETIME_LOCAL)


@staff_required()
def staff_layer(request: TownRequest, slug: str) -> HttpResponse:
    """One layer's points, newest first, and the form that adds a point."""
    layer: Layer = get_object_or_404(Layer.objects.select_related("department"), slug=slug)
    may_edit = services.may_edit(request.staff, layer)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("このレイヤーに地点を追加できるのは、担当課の職員と情報担当です。"))
        form = PointForm(request.POST, request.FILES)
        if form.is_valid():
            response = act_once(request, lambda: services.add_point(request.staff, layer, form.to_data()),
                                done=lambda added: _("地点「%(title)s」を追加しました。") % {"title": added.title},
                                back=reverse("staff:map-layer", args=[layer.slug]), form=form)
            if response is not None:
                return response
    else:
        form = PointForm(initial={"observed_at": _now_local()})
    points = list(layer.points.order_by("-observed_at", "-pk"))
    for item in points:
        item.once = once.new_token()  # type: ignore[attr-defined]  # each delete button counts once, on its own
    return render(request, "opendata/staff/layer.html", {"layer": layer, "points": points, "form": form,
                                                         "may_edit": may_edit}, status=400 if form.is_bound else 200)


@staff_required()
@require_POST
def staff_point_delete(request: TownRequest, slug: str, public_id: str) -> HttpResponse:
    found: Point = get_object_or_404(Point.objects.select_related("layer"), layer__slug=slug, public_id=public_id)
    if not services.may_edit(request.staff, found.layer):
        raise PermissionDenied(_("このレイヤーの地点を削除できるのは、担当課の職員と情報担当です。"))
    return act_once(request, lambda: services.delete_point(request.staff, found),
                    done=_("地点「%(title)s」を削除しました。") % {"title": found.title},
                    back=reverse("staff:map-layer", args=[slug]))


urlpatterns = [
    path("map/", town_map, name="map"),
    path("map/layers/<slug:slug>.geojson", layer_geojson, name="layer-geojson"),
    path("map/points/<uuid:public_id>/", point, name="point"),
    path("map/points/<uuid:public_id>/photo", point_photo, name="point-photo"),
]
staff_urlpatterns = [
    path("map/layers/", staff_layers, name="map-layers"),
    path("map/layers/<slug:slug>/", staff_layer, name="map-layer"),
    path("map/layers/<slug:slug>/points/<uuid:public_id>/delete/", staff_point_delete, name="map-point-delete"),
]
