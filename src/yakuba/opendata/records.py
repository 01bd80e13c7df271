"""Public records オープンデータ offers the other apps through the kernel: the newest points of the public map layers
marked for disasters (災害発生箇所), which the 防災情報ボード shows; and the 指定避難所 of the published
指定緊急避難場所一覧 (the rows marked 指定避難所との重複), the one list of the town's shelters whose status the
防災情報ボード shows."""

from __future__ import annotations

from django.urls import reverse

from yakuba.kernel import records
from yakuba.kernel.tenancy.models import Municipality

from .models import Dataset, Layer, Listing, Point, Row, Version
from .services.layers import disaster_points

KIND = "opendata.point"
DISASTERS = "disasters"
SHELTERS = "opendata.shelter"
EVACUATION = "evacuation-sites"
DESIGNATED = "指定避難所との重複"  # "1": the 指定緊急避難場所 is also a 指定避難所 (a shelter one stays in)


def disaster_map_points(limit: int) -> list[records.MapPoint]:
    return [records.MapPoint(key=str(point.public_id), title=point.title, layer=point.layer.name,
                             latitude=point.latitude, longitude=point.longitude, observed_at=point.observed_at,
                             url=reverse("opendata:point", args=[point.public_id]))
            for point in disaster_points(limit)]


def shelter_rows(municipality: Municipality) -> list[records.Row]:
    """The 指定避難所 rows of the town's published 指定緊急避難場所一覧, in the dataset's order, keyed by the row's ID;
    each with its public page as URL. None before the first version."""
    from . import definitions
    from .models import Dataset
    from .services import publish

    dataset = Dataset.objects.filter(municipality=municipality, kind=EVACUATION).first()
    defn = definitions.get(EVACUATION)
    version = publish.current_version(dataset) if dataset is not None else None
    if version is None or defn is None:
        return []
    found = []
    for row in publish.read(version).rows:
        key = defn.row_key(row)
        if row.get(DESIGNATED, "").strip() != "1" or not key:
            continue
        url = reverse("opendata:item", args=[EVACUATION, key])
        found.append(records.Row(key, {**row, "URL": url}))
    return found


records.register_points(records.PointSource(KIND, DISASTERS, disaster_map_points,
                                            map_url=lambda: reverse("opendata:map")))
records.register_rows(records.RowSource(SHELTERS, shelter_rows, datasets=(),
                                        staff_url=lambda: reverse("staff:opendata-dataset", args=[EVACUATION])))


# The catalogue, dataset and map pages (cached pages follow this kind: kernel/ui/pagecache.py).
PAGES = "opendata.page"
records.announce_saves(PAGES, Dataset, Row, Version, Layer, Point, Listing)
records.announce_saves(KIND, Layer, Point)  # the 防災情報ボード shows the disaster points
records.announce_saves(SHELTERS, Dataset, Version)  # …and the 指定避難所 of the published 指定緊急避難場所一覧
