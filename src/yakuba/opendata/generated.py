"""Datasets the platform generates from its own public records instead of staff re-typing them: 公共施設一覧,
子育て施設一覧 and イベント一覧 from the rows other apps offer through kernel.records (施設予約's facilities, listed
here per dataset, and its 講座 sessions ahead), and オープンデータ一覧 from the catalogue itself. Each value goes to
the schema column of that name; columns the platform has nothing for stay empty."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils.timezone import localtime

from yakuba.kernel import records
from yakuba.kernel.tenancy.models import Municipality

from . import definitions
from .definitions import TOWN_CODE, TOWN_NAME, Definition
from .models import Dataset, Listing, Origin, Version
from .services import publish as publishing

FORMATS = "CSV;JSON"
REMARKS = "備考"


def _fit(defn: Definition, municipality: Municipality, values: dict[str, object]) -> dict[str, str]:
    base = {TOWN_CODE: municipality.code, TOWN_NAME: municipality.name}
    return {name: str(values.get(name, base.get(name, "")) or "") for name in defn.names}


def from_records(defn: Definition, municipality: Municipality) -> list[dict[str, str]]:
    """The rows of every app's records offered for this dataset; of a source whose records the town places
    (facilities), only those listed for it, with the listing's 備考."""
    listed = {(listing.source, listing.key): listing for listing in Listing.objects.filter(dataset=defn.kind)}
    rows = []
    for source in records.row_sources(defn.kind):
        for row in source.rows(municipality):
            listing = listed.get((source.kind, row.key))
            if source.chosen and listing is None:
                continue
            values = dict(row.values)
            if listing is not None:
                values[REMARKS] = listing.remarks
            rows.append(_fit(defn, municipality, values))
    return rows


def opendata_list(defn: Definition, municipality: Municipality) -> list[dict[str, str]]:
    rows = []
    datasets = Dataset.objects.exclude(kind="opendata-list").select_related("department")
    versions = Version.objects.filter(dataset__in=datasets).order_by("dataset", "number")
    first = {v.dataset_id: v for v in versions.reverse()}
    latest = {v.dataset_id: v for v in versions}
    for dataset in sorted(datasets, key=lambda d: definitions.ORDER.index(d.kind) if d.kind in definitions.ORDER
                          else 99):
        version, own = latest.get(dataset.pk), definitions.get(dataset.kind)
        if version is None or own is None:
            continue
        url = municipality.absolute_url(reverse("opendata:dataset", args=[dataset.kind]))
        rows.append(_fit(defn, municipality, {
            "ID": dataset.kind, "データ名称": dataset.title, "データ概要": dataset.description or own.description,
            "データ形式": FORMATS + (";GeoJSON" if own.located else ""), "更新頻度": "随時", "URL": url,
            "API対応有無": "有", "ライセンス": dataset.get_licence_display(),
            "登録日": localtime(first[dataset.pk].published_at).date().isoformat(),
            "最終更新日": localtime(version.published_at).date().isoformat(),
        }))
    return rows


GENERATORS: dict[str, Callable[[Definition, Municipality], list[dict[str, str]]]] = {
    "public-facilities": from_records, "childcare-facilities": from_records, "events": from_records,
    "opendata-list": opendata_list,
}


def refresh(municipality: Municipality) -> list[Version]:
    """Publish a new version of each generated dataset whose content changed (call inside the town's scope).
    The オープンデータ一覧 goes last, so that it lists what the others just became."""
    from .services.catalogue import ensure_datasets

    made = []
    for dataset in ensure_datasets(municipality):
        defn = definitions.get(dataset.kind)
        if defn is None or dataset.kind not in GENERATORS or dataset.kind == "opendata-list":
            continue
        made += _refresh_one(dataset, defn, municipality)
    listing = Dataset.objects.filter(kind="opendata-list").first()
    if listing is not None and (defn := definitions.get("opendata-list")) is not None:
        made += _refresh_one(listing, defn, municipality)
    return made


def _refresh_one(dataset: Dataset, defn: Definition, municipality: Municipality) -> list[Version]:
    rows = GENERATORS[dataset.kind](defn, municipality)
    current = publishing.current_version(dataset)
    if not rows and current is None:
        return []
    if current is not None and publishing.read(current).rows == rows:
        return []
    return [publishing.publish(dataset, rows, origin=Origin.GENERATED)]
