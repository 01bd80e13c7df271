"""Hostile numbers in open data: the staff row form answers 400 with a field message, and an import lists the cell by
line and column (the check task never raises), for nan, inf, 1e309, full-width spellings, NUL and endless digits."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests import factories
from tests.opendata.conftest import csv_text, valid_row
from tests.opendata.test_editing import upload
from tests.opendata.test_views_staff import form_values, row_post, url
from yakuba.opendata import definitions
from yakuba.opendata.models import Row, UploadState
from yakuba.opendata.services import publish
from yakuba.opendata.services.tables import Table, check

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = ["nan", "NaN", "-nan", "inf", "-inf", "Infinity", "-Infinity", "1e309", "ｎａｎ", "ＩＮＦ", "１ｅ３０９",
           "1_000", "36.2\x00", "3" * 5000]


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v)[:20])
@pytest.mark.parametrize("column", ["緯度", "経度"])
def test_the_row_form_answers_400_with_a_field_message(town_a, staff_a, aed, column, value):
    client = factories.staff_client(staff_a)
    response = client.post(url(town_a, "opendata-row-new", "aed"),
                           row_post("aed", form_values("aed", town_a, ID="AED-1", **{column: value})))
    assert response.status_code == 400
    page = response.content.decode()
    if "\x00" in value:  # the request guard refuses NUL anywhere in a form, with its own page
        assert "使えない文字" in page
    else:
        assert f"{column}: 「" in page and "は数値として読めません。" in page
    with scope(municipality=town_a):
        assert not Row.objects.filter(dataset=aed).exists()


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity", "1e309", "１ｅ３０９", "1_000", "3" * 5000])
def test_an_import_lists_the_cell_by_line_and_column(town_a, staff_a, aed, value):
    rows = [valid_row("aed", town_a, ID="1"), valid_row("aed", town_a, ID="2", 緯度=value, 経度=value)]
    item = upload(town_a, staff_a, aed, csv_text("aed", rows))
    assert item.state == UploadState.INVALID
    where = {(p["row"], p["column"]) for p in item.errors}
    assert {(3, "緯度"), (3, "経度")} <= where
    assert all("読めません" in p["message"] and len(p["message"]) < 200 for p in item.errors if p["row"] == 3)


def test_the_same_cell_is_named_once(town_a):
    defn = definitions.get("aed")
    assert defn is not None
    table = Table(header=defn.names, rows=[valid_row("aed", town_a, ID="1", 緯度="abc", 経度="138.7")], lines=[2])
    problems, count = check(defn, town_a, table)
    assert count == 1 and [(p.row, p.column) for p in problems] == [(2, "緯度")]


@pytest.mark.parametrize("value", ["nan", "-inf", "Infinity", "99999", "9" * 50])
def test_counts_refuse_non_finite_values(town_a, value):
    defn = definitions.get("population")
    assert defn is not None
    row = {name: "" for name in defn.names} | {"総人口": value}
    problems, _count = check(defn, town_a, Table(header=defn.names, rows=[row], lines=[2]))
    refused = [p for p in problems if p.column == "総人口"]
    assert (len(refused) == 1) is (value != "99999")


def test_a_stored_nan_coordinate_is_no_map_point():
    assert publish.coordinates({"緯度": "nan", "経度": "138.7"}) is None
    assert publish.coordinates({"緯度": "36.2", "経度": "inf"}) is None
    assert publish.coordinates({"緯度": "３６．２", "経度": "138.7"}) == (36.2, 138.7)


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity", "1e309", "ｎａｎ", "3" * 5000])
def test_a_map_point_refuses_non_finite_coordinates(value):
    from yakuba.opendata.services.layers import check_coordinates

    errors, lat, lon = check_coordinates(value, "138.79")
    assert lat is None and lon is None and errors == {"latitude": "緯度は数字で入力してください（例: 36.2123）。"}
