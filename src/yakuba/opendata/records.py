"""Public records オープンデータ offers the other apps through the kernel: the newest points of the public map layers
marked for disasters (災害発生箇所), which the 防災情報ボード shows."""

from __future__ import annotations

from django.urls import reverse

from yakuba.kernel import records

from .models import Dataset, Layer, Listing, Point, Row, Version
from .services.layers import disaster_points

KIND = "opendata.point"
DISASTERS = "disasters"


def disaster_map_points(limit: int) -> list[records.MapPoint]:
    return [records.MapPoint(key=str(point.public_id), title=point.title, layer=point.layer.name,
                             latitude=point.latitude, longitude=point.longitude, observed_at=point.observed_at,
                             url=reverse("opendata:point", args=[point.public_id]))
            for point in disaster_points(limit)]


records.register_points(records.PointSource(KIND, DISASTERS, disaster_map_points,
                                            map_url=lambda: reverse("opendata:map")))


# The catalogue, dataset and map pages (cached pages follow this kind: kernel/ui/pagecache.py).
PAGES = "opendata.page"
records.announce_saves(PAGES, Dataset, Row, Version, Layer, Point, Listing)
records.announce_saves(KIND, Layer, Point)  # the 防災情報ボード shows the disaster points
