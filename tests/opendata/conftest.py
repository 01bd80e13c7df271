"""Fixtures of the オープンデータ tests: a town's AED dataset kept by 総務課, and valid rows built from its schema."""

from __future__ import annotations

import pytest
from django_scopes import scope

from yakuba.kernel.accounts.models import Department
from yakuba.opendata import definitions
from yakuba.opendata.models import Dataset

# Values for required columns that have no usable example (the schema's examples are of 札幌市).
DEFAULTS = {"緯度": "36.2124", "経度": "138.7886", "所在地_連結表記": "群馬県甘楽郡下仁田町大字下仁田682"}


def valid_row(kind: str, town, **values: str) -> dict[str, str]:
    """A row that passes the schema: required columns from DEFAULTS or the schema's example, the rest empty."""
    defn = definitions.get(kind)
    assert defn is not None
    row = {}
    for column in defn.columns:
        if column.name in values:
            row[column.name] = values[column.name]
        elif column.name in ("全国地方公共団体コード", "市区町村コード", "所在地_全国地方公共団体コード"):
            row[column.name] = town.code
        elif column.name == "地方公共団体名":
            row[column.name] = town.name
        elif column.name in DEFAULTS:
            row[column.name] = DEFAULTS[column.name]
        elif column.required or column.name == defn.id_column:
            row[column.name] = column.example or "1"
        else:
            row[column.name] = ""
    return row


def csv_text(kind: str, rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    import csv
    import io

    names = header or definitions.get(kind).names  # type: ignore[union-attr]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([row.get(name, "") for name in names])
    return out.getvalue()


@pytest.fixture
def aed(town_a, staff_a):
    """Town A's AED dataset, kept by 総務課 (staff_a's department)."""
    with scope(municipality=town_a):
        department = Department.objects.get(name="総務課")
        return Dataset.objects.create(municipality=town_a, kind="aed", title="AED設置箇所一覧", department=department)


@pytest.fixture
def aed_b(town_b):
    with scope(municipality=town_b):
        return Dataset.objects.create(municipality=town_b, kind="aed", title="AED設置箇所一覧")
