"""A published version's CSV is safe to open in Excel and still machine-readable: free text in the schema's string
columns is neutralised, number columns are written exactly, and reading the version (or uploading the file again)
gives back the values as staff typed them; the JSON file is the rows untouched."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django_scopes import scope

from tests.kernel.files.test_tables import HOSTILE, assert_inert
from tests.opendata.test_api import aed_rows, make_dataset
from yakuba.kernel.files.uploads import private_storage
from yakuba.opendata import definitions
from yakuba.opendata.models import Origin
from yakuba.opendata.services import publish, tables

pytestmark = pytest.mark.django_db


def hostile_rows(town) -> list[dict[str, str]]:
    rows = aed_rows(town, len(HOSTILE) + 1)
    for row, text in zip(rows, HOSTILE, strict=False):
        row.update({"名称": text, "備考": text, definitions.LATITUDE: "-36.25", definitions.LONGITUDE: "-138.5"})
    rows[-1]["名称"] = "'=quoted by staff"  # a leading quote of the staff's own comes back too
    return rows


def test_string_columns_are_neutralised_and_number_columns_are_not(town_a):
    dataset = make_dataset(town_a)
    rows = hostile_rows(town_a)
    with scope(municipality=town_a):
        version = publish.publish(dataset, rows, origin=Origin.IMPORT)
        data = publish.csv_bytes(version)
        assert data.startswith("\ufeff".encode()) and b"\r\n" in data
        lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        header = lines[0]
        for line, text in zip(lines[1:], HOSTILE, strict=False):
            assert_inert(line[header.index("名称")], text)
            assert_inert(line[header.index("備考")], text)
            assert line[header.index("緯度")] == "-36.25" and line[header.index("経度")] == "-138.5"
        assert lines[-1][header.index("名称")] == "''=quoted by staff"
        publish._CACHE.clear()
        assert publish.read(version).rows == rows  # previews, the map and the API see what staff typed
        with private_storage().open(publish.file_path(version, "json"), "rb") as handle:
            assert json.loads(handle.read()) == rows


def test_integer_columns_stay_numbers(town_a):
    defn = definitions.get("population")
    row = dict.fromkeys(defn.names, "")
    row.update({"総人口": "-1", "地域名": "-1+1", "備考": "@SUM(A1)"})
    data = publish.encode_csv(defn.names, [row], text=publish.text_columns(defn))
    line = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))[1]
    assert line[defn.names.index("総人口")] == "-1"
    assert line[defn.names.index("地域名")] == "'-1+1" and line[defn.names.index("備考")] == "'@SUM(A1)"


def test_a_downloaded_file_uploaded_again_gives_the_same_values(town_a):
    dataset = make_dataset(town_a)
    rows = hostile_rows(town_a)
    with scope(municipality=town_a):
        version = publish.publish(dataset, rows, origin=Origin.IMPORT)
        lines, _encoding = tables.read_csv(publish.csv_bytes(version))
    table = tables.to_table(definitions.get("aed"), lines)
    assert [row["名称"] for row in table.rows] == [row["名称"].strip() for row in rows]
    assert [row["緯度"] for row in table.rows][0] == "-36.25"
