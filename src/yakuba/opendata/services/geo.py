"""The map's layers: every published dataset with 緯度/経度, and the point layers staff keep themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.urls import reverse

from yakuba.kernel.tenancy.models import Municipality

from ..models import Layer, Point
from . import catalogue
from .publish import coordinates, item_path, read

LIST_LIMIT = 300  # items per layer in the list view; a layer with more links to its dataset page for the rest
ADDRESS_COLUMNS = ("所在地_連結表記", "住所", "所在地", "場所名称")
# Marker colours per layer (WCAG 3:1 against the light map and white): one per located dataset, then staff layers.
COLOURS = ("#c0392b", "#1f6fb2", "#2e7d32", "#8e44ad", "#b35900", "#00707a", "#6d4c41", "#ad1457", "#37474f",
           "#5b6b00")


@dataclass
class Feature:
    id: str
    title: str
    url: str
    latitude: float
    longitude: float
    address: str = ""
    when: datetime | None = None


@dataclass
class MapLayer:
    key: str  # "dataset:<kind>" or "layer:<slug>"
    title: str
    geojson_url: str
    colour: str
    for_disasters: bool = False
    features: list[Feature] = field(default_factory=list)  # for the list view: at most LIST_LIMIT of them
    total: int = 0  # how many the layer has (the map itself loads them all from geojson_url)

    @property
    def dom_id(self) -> str:
        return "layer-" + self.key.replace(":", "-")


item_url = item_path


def dataset_layers() -> list[MapLayer]:
    """The located datasets that have a published version, in catalogue order."""
    layers = []
    for entry in catalogue.entries():
        defn, version = entry.definition, entry.version
        if version is None or not defn.located:
            continue
        layer = MapLayer(key=f"dataset:{defn.kind}", title=entry.dataset.title,
                         geojson_url=reverse("opendata:download", args=[defn.kind, "geojson"]), colour="")
        for row in read(version).rows:
            point = coordinates(row)
            if point is None:
                continue
            layer.total += 1
            if len(layer.features) >= LIST_LIMIT:
                continue
            key = defn.row_key(row)
            layer.features.append(Feature(
                id=key, title=row.get(defn.name_column or "", "") or key, url=item_url(entry.dataset, key),
                latitude=point[0], longitude=point[1],
                address=next((row[c] for c in ADDRESS_COLUMNS if row.get(c)), "")))
        if layer.total:  # e.g. イベント一覧 whose rows give no coordinates: nothing to show on a map
            layers.append(layer)
    return layers


def staff_layers(*, public_only: bool = True) -> list[MapLayer]:
    layers = []
    query = Layer.objects.prefetch_related("points")
    for layer in query.filter(is_public=True) if public_only else query:
        item = MapLayer(key=f"layer:{layer.slug}", title=layer.name, colour="", for_disasters=layer.for_disasters,
                        geojson_url=reverse("opendata:layer-geojson", args=[layer.slug]))
        points = list(layer.points.all())
        item.total = len(points)
        item.features = [Feature(id=str(p.public_id), title=p.title, url=reverse("opendata:point", args=[p.public_id]),
                                 latitude=float(p.latitude), longitude=float(p.longitude), when=p.observed_at)
                         for p in points[:LIST_LIMIT]]
        layers.append(item)
    return layers


def map_layers(municipality: Municipality) -> list[MapLayer]:
    """Every layer of the town's map (call inside the town's scope), each with its colour."""
    layers = dataset_layers() + staff_layers()
    for index, layer in enumerate(layers):
        layer.colour = COLOURS[index % len(COLOURS)]
    return layers


def layer_geojson(layer: Layer) -> dict[str, Any]:
    return {"type": "FeatureCollection", "name": layer.name, "features": [point_feature(p) for p in layer.points.all()]}


def point_feature(point: Point) -> dict[str, Any]:
    return {"type": "Feature", "id": str(point.public_id),
            "geometry": {"type": "Point", "coordinates": [float(point.longitude), float(point.latitude)]},
            "properties": {"_title": point.title, "_url": reverse("opendata:point", args=[point.public_id]),
                           "名称": point.title, "説明": point.description, "日時": point.observed_at.isoformat(),
                           "写真": reverse("opendata:point-photo", args=[point.public_id]) if point.photo_path else ""}}

