"""The 自治体標準オープンデータセット table schemas in yakuba/opendata/schemas are valid frictionless descriptors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from frictionless import Resource, Schema

SCHEMAS = Path(__file__).resolve().parents[2] / "src" / "yakuba" / "opendata" / "schemas"
SLUGS = {
    "aed", "care-services", "medical-institutions", "cultural-properties", "tourist-spots", "events", "public-wifi",
    "public-toilets", "fire-hydrants", "evacuation-sites", "population", "public-facilities", "childcare-facilities",
    "opendata-list",
}
STANDARD_KEYS = ("fields", "primaryKey", "missingValues")


def load(slug: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{slug}.json").read_text(encoding="utf-8"))


def table_schema(descriptor: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in descriptor.items() if k in STANDARD_KEYS}


def example_row(descriptor: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: str(f.get("example", "")) for f in descriptor["fields"]}


def as_csv(rows: list[dict[str, str]], names: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def validate(descriptor: dict[str, Any], rows: list[dict[str, str]]) -> Any:
    names = [f["name"] for f in descriptor["fields"]]
    resource = Resource(data=as_csv(rows, names), format="csv", schema=Schema.from_descriptor(table_schema(descriptor)))
    return resource.validate()


def test_exactly_the_fourteen_datasets() -> None:
    assert {p.stem for p in SCHEMAS.glob("*.json")} == SLUGS


@pytest.mark.parametrize("slug", sorted(SLUGS))
def test_descriptor_shape(slug: str) -> None:
    d = load(slug)
    names = [f["name"] for f in d["fields"]]
    assert d["name"] == slug
    assert len(names) == len(set(names)), "field names must be unique"
    assert names[0] == "全国地方公共団体コード"
    assert "自治体標準ODS" in d["tags"] and d["title"] in d["tags"]
    assert d["source"]["url"].startswith("https://")
    assert isinstance(d["source"]["verified"], bool)
    if not d["source"]["verified"]:
        assert d["source"].get("note"), "an unverified schema says what is uncertain"
    for key in d.get("primaryKey", []):
        assert key in names
    for old, new in d["legacy"]["columns"].items():
        assert new is None or new in names, f"legacy column {old} maps to unknown field {new}"
    for field in d["fields"]:
        if field["name"] == "緯度":
            assert field["type"] == "number" and field["constraints"]["minimum"] == 20
        if field["name"] == "経度":
            assert field["type"] == "number" and field["constraints"]["maximum"] == 154


@pytest.mark.parametrize("slug", sorted(SLUGS))
def test_frictionless_accepts_schema(slug: str) -> None:
    schema = Schema.from_descriptor(table_schema(load(slug)))
    assert schema.field_names == [f["name"] for f in load(slug)["fields"]]


@pytest.mark.parametrize("slug", sorted(SLUGS))
def test_example_row_is_valid(slug: str) -> None:
    report = validate(load(slug), [example_row(load(slug))])
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.mark.parametrize("slug", sorted(SLUGS))
def test_row_with_only_required_values_is_valid(slug: str) -> None:
    d = load(slug)
    keys = set(d.get("primaryKey", []))
    row = {f["name"]: (str(f.get("example", "")) if f.get("constraints", {}).get("required") or f["name"] in keys
                       else "") for f in d["fields"]}
    report = validate(d, [row])
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_out_of_japan_coordinates_are_rejected() -> None:
    d = load("aed")
    row = example_row(d) | {"緯度": "10.5"}
    report = validate(d, [row])
    assert not report.valid
    assert "constraint-error" in {e.type for e in report.tasks[0].errors}


def test_missing_required_value_is_rejected() -> None:
    d = load("evacuation-sites")
    row = example_row(d) | {"名称": ""}
    assert not validate(d, [row]).valid
