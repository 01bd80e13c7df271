"""The demo rows fit the dataset schemas, sit inside their towns and say which values are invented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from yakuba.opendata.demo.rows import CONFIDENT, ROWS

SCHEMAS = Path(__file__).resolve().parents[2] / "src" / "yakuba" / "opendata" / "schemas"
MARKERS = ("デモ用の架空データ", "座標は概略")
# Filled by the loader, never by the demo rows.
TOWN_COLUMNS = {"全国地方公共団体コード", "地方公共団体名", "市区町村コード", "所在地_全国地方公共団体コード"}
# (lat min, lat max, lon min, lon max): the brief's boxes, widened where real places lie outside them:
# 中之条町's 六合 area (旧太子駅 138.62 E, 野反湖) and 小山町's 須走 (138.82 E) and 足柄峠 (139.04 E).
BOXES = {
    "shimonita": (36.17, 36.26, 138.60, 138.83),
    "kanra": (36.20, 36.26, 138.87, 138.95),
    "nakanojo": (36.55, 36.80, 138.60, 138.90),
    "oyama": (35.29, 35.42, 138.78, 139.06),
}
# Near each town's real size around 2025.
TOTALS = {"shimonita": 6500, "kanra": 12500, "nakanojo": 15000, "oyama": 17500}

CASES = [(town, kind) for town, kinds in ROWS.items() for kind in kinds]


def _fields(kind: str) -> dict[str, dict]:
    path = SCHEMAS / f"{kind}.json"
    assert path.exists(), f"the demo has rows of {kind} but no schema for them"
    return {f["name"]: f for f in json.loads(path.read_text(encoding="utf-8"))["fields"]}


def _check_value(field: dict, value: str) -> None:
    pattern = field.get("constraints", {}).get("pattern")
    if pattern and value:
        assert re.fullmatch(pattern, value), (field["name"], value)
    if field.get("type") == "integer" and value:
        assert int(value) >= field.get("constraints", {}).get("minimum", 0), (field["name"], value)
    if field.get("type") == "number" and value:
        float(value)


@pytest.mark.parametrize(("town", "kind"), CASES)
def test_rows_fit_the_schema(town: str, kind: str) -> None:
    fields = _fields(kind)
    required = {n for n, f in fields.items() if f.get("constraints", {}).get("required")} - TOWN_COLUMNS
    for row in ROWS[town][kind]:
        assert set(row) <= set(fields), set(row) - set(fields)
        assert not set(row) & TOWN_COLUMNS
        assert required <= {k for k, v in row.items() if v}, required - set(row)
        for key, value in row.items():
            assert isinstance(value, str), (key, value)
            _check_value(fields[key], value)


@pytest.mark.parametrize(("town", "kind"), CASES)
def test_ids_are_unique(town: str, kind: str) -> None:
    key = "ID" if kind != "population" else "地域コード"
    ids = [row[key] for row in ROWS[town][kind]]
    assert all(ids) and len(ids) == len(set(ids))


@pytest.mark.parametrize(("town", "kind"), CASES)
def test_coordinates_lie_in_the_town(town: str, kind: str) -> None:
    lat_min, lat_max, lon_min, lon_max = BOXES[town]
    for row in ROWS[town][kind]:
        assert ("緯度" in row) == ("経度" in row)
        if "緯度" in row:
            assert lat_min <= float(row["緯度"]) <= lat_max, row
            assert lon_min <= float(row["経度"]) <= lon_max, row


@pytest.mark.parametrize(("town", "kind"), CASES)
def test_invented_values_are_marked(town: str, kind: str) -> None:
    for row in ROWS[town][kind]:
        marked = any(m in row.get("備考", "") for m in MARKERS)
        declared = (town, kind, row.get("ID", "")) in CONFIDENT
        assert marked or declared, row
        assert not (marked and declared), row


def test_confident_rows_exist() -> None:
    ids = {(town, kind, row.get("ID")) for town, kinds in ROWS.items() for kind, rows in kinds.items() for row in rows}
    assert CONFIDENT <= ids


@pytest.mark.parametrize("town", list(ROWS))
def test_population_adds_up(town: str) -> None:
    rows = ROWS[town]["population"]
    for row in rows:
        men = sum(int(v) for k, v in row.items() if k.endswith("の男性"))
        women = sum(int(v) for k, v in row.items() if k.endswith("の女性"))
        assert (men, women) == (int(row["男性"]), int(row["女性"]))
        assert men + women == int(row["総人口"])
    total = sum(int(row["総人口"]) for row in rows)
    assert abs(total - TOTALS[town]) <= TOTALS[town] * 0.05


def test_no_phone_number_but_the_town_offices() -> None:
    offices = {"0274-82-2111", "0274-74-3131", "0279-75-2111", "0550-76-1111"}
    for kinds in ROWS.values():
        for rows in kinds.values():
            for row in rows:
                for key in ("電話番号", "連絡先電話番号"):
                    assert row.get(key, "") in offices | {""}, row
