"""Public pages of オープンデータ: the catalogue, a dataset with its preview and versions, downloads (CSV with BOM,
JSON, GeoJSON), the dataset's table schema, and one item."""

from __future__ import annotations

from urllib.parse import unquote

from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.cache import patch_cache_control

from yakuba.kernel import records
from yakuba.kernel.files.uploads import private_storage
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.pagecache import cacheable_public

from .. import records as opendata_records
from ..definitions import Definition
from ..models import Version
from ..services import catalogue as catalogue_service
from ..services import publish as publishing
from ..services.geo import item_url

PREVIEW_ROWS = 20
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json",
           "geojson": "application/geo+json"}
MAX_AGE = 300  # published versions never change; "the current one" may, so a few minutes


def page_kinds() -> tuple[str, ...]:
    """What the catalogue, dataset and map pages show: the app's own records and the rows other apps offer."""
    return (opendata_records.PAGES, opendata_records.KIND, *(source.kind for source in records.row_sources()))


def _entry(kind: str) -> catalogue_service.Entry:
    entry = catalogue_service.entry(kind)
    if entry is None:
        raise Http404
    return entry


def formats(defn: Definition) -> list[str]:
    return ["csv", "json"] + (["geojson"] if defn.located else [])


@cacheable_public(kinds=page_kinds)
def catalogue(request: TownRequest) -> HttpResponse:
    entries = catalogue_service.entries()
    return render(request, "opendata/catalogue.html", {
        "entries": [(e, formats(e.definition)) for e in entries],
        "api_url": reverse("ckan:action", kwargs={"name": "package_list"}),
        "dcat_url": reverse("opendata:dcat-catalog")})


@cacheable_public(kinds=page_kinds)
def dataset(request: TownRequest, kind: str) -> HttpResponse:
    entry = _entry(kind)
    defn, version = entry.definition, entry.version
    assert version is not None
    table = publishing.read(version)
    shown = [c for c in defn.names if any(row.get(c) for row in table.rows[:PREVIEW_ROWS])]
    preview = [{"url": item_url(entry.dataset, defn.row_key(row)), "cells": [row.get(c, "") for c in shown]}
               for row in table.rows[:PREVIEW_ROWS]]
    return render(request, "opendata/dataset.html", {
        "entry": entry, "definition": defn, "version": version, "formats": formats(defn), "columns": shown,
        "preview": preview, "row_count": len(table.rows), "hidden_columns": len(defn.names) - len(shown)})


def _download(version: Version, fmt: str, *, max_age: int) -> FileResponse:
    defn = publishing.definition_of(version.dataset)
    if fmt not in formats(defn):
        raise Http404
    stored = publishing.file_path(version, fmt)
    if stored is None:
        raise Http404
    response = FileResponse(private_storage().open(stored, "rb"), content_type=FORMATS[fmt])
    filename = f"{version.municipality.code}_{defn.kind}_v{version.number}.{fmt}"
    disposition = "inline" if fmt != "csv" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = f'"{version.sha256[:32]}-{fmt}"'
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def download(request: TownRequest, kind: str, fmt: str) -> HttpResponseBase:
    entry = _entry(kind)
    assert entry.version is not None
    return _download(entry.version, fmt, max_age=MAX_AGE)


def download_version(request: TownRequest, kind: str, number: int, fmt: str) -> HttpResponseBase:
    entry = _entry(kind)
    version = next((v for v in entry.versions if v.number == number), None)
    if version is None:
        raise Http404
    return _download(version, fmt, max_age=86400)


def schema(request: TownRequest, kind: str) -> HttpResponse:
    """The dataset's table schema (frictionless Table Schema, with the definition's source)."""
    defn = _entry(kind).definition
    response = JsonResponse(defn.descriptor, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@cacheable_public(kinds=page_kinds)
def item(request: TownRequest, kind: str, key: str) -> HttpResponse:
    entry = _entry(kind)
    defn, version = entry.definition, entry.version
    assert version is not None
    wanted = unquote(key)
    row = next((r for r in publishing.read(version).rows if defn.row_key(r) == wanted), None)
    if row is None:
        raise Http404
    point = publishing.coordinates(row)
    title = row.get(defn.name_column or "", "") or wanted
    return render(request, "opendata/item.html", {
        "entry": entry, "definition": defn, "title": title, "point": point,
        "cells": [(name, row.get(name, "")) for name in defn.names if row.get(name)],
        "gsi_url": f"https://maps.gsi.go.jp/#17/{point[0]}/{point[1]}/" if point else ""})


urlpatterns = [
    path("opendata/", catalogue, name="index"),
    path("opendata/<slug:kind>/", dataset, name="dataset"),
    path("opendata/<slug:kind>/data.<str:fmt>", download, name="download"),
    path("opendata/<slug:kind>/v<int:number>.<str:fmt>", download_version, name="download-version"),
    path("opendata/<slug:kind>/schema.json", schema, name="schema"),
    path("opendata/<slug:kind>/items/<str:key>/", item, name="item"),
]
