"""Publishing: a dataset's rows become an immutable version (a CSV file, UTF-8 with BOM), and versions are read back
for the downloads, the preview, the map and the API."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from yakuba.kernel.audit.services import record
from yakuba.kernel.files import tables
from yakuba.kernel.files.uploads import private_storage
from yakuba.kernel.forms.normalise import finite_number

from .. import definitions
from ..definitions import LATITUDE, LONGITUDE, Definition
from ..models import Dataset, Origin, Row, Version

FOLDER = "opendata/versions"


@dataclass(frozen=True)
class Table:
    """A published version read back: the header and the rows as dicts (column → text)."""

    header: list[str]
    rows: list[dict[str, str]]


def definition_of(dataset: Dataset) -> Definition:
    found = definitions.get(dataset.kind)
    if found is None:
        raise LookupError(f"no schema for dataset kind {dataset.kind!r}")
    return found


def text_columns(defn: Definition) -> frozenset[str]:
    """The schema's string-typed columns: the only ones neutralised in the CSV (see `encode_csv`)."""
    return frozenset(c.name for c in defn.columns if c.type == "string")


def encode_csv(header: list[str], rows: list[dict[str, str]], *, text: Collection[str] = ()) -> bytes:
    """CSV as the definitions publish it: UTF-8 with BOM, CRLF line ends, every column in schema order.

    Open data must stay machine-readable and still be safe to open in Excel, so only the `text` columns (the
    schema's string columns, where free text such as a name starting with `=` is the risk) go through the kernel's
    formula neutralising; number and integer columns are written exactly (a `-` before a negative coordinate or
    figure stays a number). `read` undoes the quote, so previews, the map and the API show the value as staff
    typed it, and the JSON and GeoJSON files are made from the rows untouched."""
    lines: list[list[Any]] = [[tables.Verbatim(name) for name in header]]
    lines += [[row.get(name, "") if name in text else tables.Verbatim(row.get(name, "")) for name in header]
              for row in rows]
    return tables.csv_bytes(lines)


@transaction.atomic
def publish(dataset: Dataset, rows: list[dict[str, str]], *, origin: str, user: Any = None,
            note: str = "") -> Version:
    """Store `rows` (already valid) as the dataset's next version, with its JSON and GeoJSON made once here so that
    downloads only stream files. The previous versions stay as they are."""
    defn = definition_of(dataset)
    data = encode_csv(defn.names, rows, text=text_columns(defn))
    Dataset.objects.select_for_update().filter(pk=dataset.pk).first()  # one version number at a time
    number = (dataset.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    base = f"{FOLDER}/{dataset.municipality.code}/{dataset.kind}-{number}"
    encoded = {"csv": data, "json": json.dumps(rows, ensure_ascii=False).encode()}
    if defn.located:
        encoded["geojson"] = json.dumps(geojson(dataset, rows), ensure_ascii=False).encode()
    paths = {fmt: private_storage().save(f"{base}.{fmt}", ContentFile(body)) for fmt, body in encoded.items()}
    files = {fmt: {"path": paths[fmt], "size": len(body)} for fmt, body in encoded.items()}
    version = Version.objects.create(
        municipality=dataset.municipality, dataset=dataset, number=number, origin=origin,
        published_by=user if user is not None and user.is_authenticated else None, row_count=len(rows),
        path=paths["csv"], size=len(data), sha256=hashlib.sha256(data).hexdigest(), files=files,
        note=note[:200])
    if origin != Origin.GENERATED:
        record("opendata.published", municipality=dataset.municipality, actor=user, obj=version,
               data={"dataset": dataset.kind, "version": number, "rows": len(rows)})
    return version


def publish_rows(dataset: Dataset, *, origin: str = Origin.FORM, user: Any = None, note: str = "") -> Version:
    """Publish the working copy (the rows staff keep) as it stands."""
    rows = [row.data for row in Row.objects.filter(dataset=dataset).order_by("position", "pk")]
    return publish(dataset, rows, origin=origin, user=user, note=note)


def current_version(dataset: Dataset) -> Version | None:
    return dataset.versions.order_by("-number").first()


_CACHE: OrderedDict[tuple[int, str], Table] = OrderedDict()
_CACHE_SIZE = 32
_CACHE_LOCK = threading.Lock()  # gunicorn's threads share the process's cache


def read(version: Version) -> Table:
    """The rows of a version (immutable, so cached per process by id and checksum)."""
    key = (version.pk, version.sha256)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    with private_storage().open(version.path, "rb") as handle:
        text = handle.read().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    # restore() only strips the quote encode_csv added before a formula character, a no-op on anything else
    table = Table(header=header, rows=[dict(zip(header, map(tables.restore, line), strict=False)) for line in reader])
    with _CACHE_LOCK:
        _CACHE[key] = table
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return table


def file_path(version: Version, fmt: str) -> str | None:
    """Where the version's file in `fmt` (csv, json: an array of objects, geojson) is stored, if it has one."""
    if fmt == "csv":
        return version.path
    return (version.files.get(fmt) or {}).get("path")


def csv_bytes(version: Version) -> bytes:
    with private_storage().open(version.path, "rb") as handle:
        return handle.read()


def coordinates(row: dict[str, str]) -> tuple[float, float] | None:
    """(latitude, longitude) of a row when both are numbers inside Japan's extent, else None."""
    lat, lon = finite_number(row.get(LATITUDE, "")), finite_number(row.get(LONGITUDE, ""))
    if lat is None or lon is None:  # not numbers (rows kept before nan/inf were refused included)
        return None
    if not (20 <= lat <= 46 and 122 <= lon <= 154):
        return None
    return float(lat), float(lon)


def item_path(dataset: Dataset, key: str) -> str:
    return reverse("opendata:item", args=[dataset.kind, quote(key, safe="")])


def geojson(dataset: Dataset, rows: list[dict[str, str]]) -> dict[str, Any]:
    """A FeatureCollection of the located rows, each with its title and the absolute URL of its page."""
    defn = definition_of(dataset)
    features = []
    for row in rows:
        point = coordinates(row)
        if point is None:
            continue
        properties: dict[str, Any] = dict(row)
        properties["_url"] = dataset.municipality.absolute_url(item_path(dataset, defn.row_key(row)))
        properties["_title"] = row.get(defn.name_column or "", "") or defn.row_key(row)
        features.append({"type": "Feature", "id": defn.row_key(row),
                         "geometry": {"type": "Point", "coordinates": [point[1], point[0]]},
                         "properties": properties})
    return {"type": "FeatureCollection", "name": defn.title, "features": features}
