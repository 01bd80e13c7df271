"""The public catalogue: the list, a dataset with its preview and versions, downloads (CSV with BOM, JSON, GeoJSON),
the schema, an item's page; unpublished datasets and other towns' data are not there."""

from __future__ import annotations

import json

import pytest
from django_scopes import scope

from tests.opendata.conftest import valid_row
from yakuba.opendata.services import editing

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(town_a, staff_a, aed):
    with scope(municipality=town_a):
        editing.save_row(staff_a, aed, None, valid_row("aed", town_a, ID="1", 名称="下仁田町役場"))
        editing.publish(staff_a, aed, note="初版")
        editing.save_row(staff_a, aed, None, valid_row("aed", town_a, ID="2", 名称="下仁田町公民館", 緯度="", 経度=""))
        editing.publish(staff_a, aed, note="公民館を追加")
    return aed


def test_catalogue_lists_published_datasets_with_date_licence_and_formats(client, town_a, published, aed_b):
    page = client.get(f"{town_a.path_prefix}/opendata/").content.decode()
    assert "AED設置箇所一覧" in page and "（第2版）" in page and "CC BY 4.0" in page
    for fmt in ("csv", "json", "geojson"):
        assert f"/opendata/aed/data.{fmt}" in page


def test_dataset_page_previews_rows_and_lists_versions(client, town_a, published):
    response = client.get(f"{town_a.path_prefix}/opendata/aed/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "下仁田町役場" in page and "下仁田町公民館" in page and "2 件" in page
    assert "/opendata/aed/v1.csv" in page and "公民館を追加" in page
    assert "/opendata/aed/items/1/" in page


def body(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_downloads_are_the_current_version(client, town_a, published):
    base = f"{town_a.path_prefix}/opendata/aed"
    csv = client.get(f"{base}/data.csv")
    assert csv["Content-Type"] == "text/csv; charset=utf-8" and csv["Access-Control-Allow-Origin"] == "*"
    data = body(csv)
    assert data.startswith("\ufeff全国地方公共団体コード,ID,".encode())
    assert data.decode("utf-8-sig").count("\r\n") == 3
    rows = json.loads(body(client.get(f"{base}/data.json")))
    assert [r["名称"] for r in rows] == ["下仁田町役場", "下仁田町公民館"]
    geo = json.loads(body(client.get(f"{base}/data.geojson")))
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 1  # the one with coordinates
    feature = geo["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [138.7886, 36.2124]}
    assert feature["properties"]["_url"].endswith("/opendata/aed/items/1/")
    old = body(client.get(f"{base}/v1.csv")).decode("utf-8-sig")
    assert "下仁田町役場" in old and "公民館" not in old
    assert client.get(f"{base}/v9.csv").status_code == 404
    assert client.get(f"{base}/data.xml").status_code == 404
    schema = json.loads(client.get(f"{base}/schema.json").content)
    assert schema["fields"][0]["name"] == "全国地方公共団体コード" and "source" in schema


def test_an_item_page_shows_its_columns(client, town_a, published):
    page = client.get(f"{town_a.path_prefix}/opendata/aed/items/1/").content.decode()
    assert "<h1>下仁田町役場</h1>" in page and "所在地_連結表記" in page and "maps.gsi.go.jp" in page
    assert client.get(f"{town_a.path_prefix}/opendata/aed/items/99/").status_code == 404


def test_unpublished_and_other_towns_data_are_not_found(client, town_a, town_b, published, aed_b):
    assert client.get(f"{town_b.path_prefix}/opendata/aed/").status_code == 404  # town B has not published
    assert "公開しているデータはまだありません" in client.get(f"{town_b.path_prefix}/opendata/").content.decode()
    assert client.get(f"{town_b.path_prefix}/opendata/aed/data.csv").status_code == 404
