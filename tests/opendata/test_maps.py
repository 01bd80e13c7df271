"""The town map (統合型GIS) through HTTP: the map page and its list view, staff point layers (create, add a point
with a photo, delete), coordinate checks, who may change what, non-public layers, and the 防災情報ボード."""

from __future__ import annotations

import json
import struct
import zlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests import factories
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.files.uploads import private_storage
from yakuba.kernel.ui.once import new_token
from yakuba.opendata import definitions
from yakuba.opendata.models import Dataset, Layer, Origin, Point
from yakuba.opendata.services import layers as services
from yakuba.opendata.services.publish import publish

pytestmark = pytest.mark.django_db

AED = [("AED-001", "下仁田町役場", "群馬県甘楽郡下仁田町大字下仁田682", "36.212345", "138.789012"),
       ("AED-002", "下仁田町文化ホール", "群馬県甘楽郡下仁田町大字下仁田360", "36.214000", "138.790500"),
       ("AED-003", "位置のない施設", "群馬県甘楽郡下仁田町大字馬山1", "", "")]


def public_url(town, name: str, *args) -> str:
    return factories.town_url(town, reverse(f"opendata:{name}", args=args))


def staff_url(town, name: str, *args) -> str:
    return factories.town_url(town, reverse(f"staff:{name}", args=args))


def png_bytes() -> bytes:
    """A real 1×1 PNG (the upload check reads the bytes, not the name)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


def publish_aed(town, rows=AED):
    defn = definitions.get("aed")
    assert defn is not None and defn.located
    data = []
    for key, name, address, lat, lon in rows:
        row = dict.fromkeys(defn.names, "")
        row.update({"全国地方公共団体コード": town.code, "ID": key, "地方公共団体名": town.name, "名称": name,
                    "所在地_連結表記": address, "緯度": lat, "経度": lon})
        data.append(row)
    with scope(municipality=town):
        dataset, _ = Dataset.objects.get_or_create(municipality=town, kind="aed", defaults={"title": defn.title})
        return publish(dataset, data, origin=Origin.FORM, note="test")


def make_layer(town, slug="saigai", name="災害発生箇所", *, department=None, is_public=True,
               for_disasters=False) -> Layer:
    with scope(municipality=town):
        return Layer.objects.create(municipality=town, slug=slug, name=name, department=department,
                                    is_public=is_public, for_disasters=for_disasters)


def make_point(layer, title="町道の倒木", lat="36.210000", lon="138.780000", **fields) -> Point:
    with scope(municipality=layer.municipality):
        return Point.objects.create(municipality=layer.municipality, layer=layer, title=title, latitude=lat,
                                    longitude=lon, **fields)


def point_form(**overrides) -> dict:
    data = {"title": "県道の土砂崩れ", "description": "片側通行", "latitude": "36.2101", "longitude": "138.7802",
            "observed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "_once": new_token()}
    return {**data, **overrides}


def audits(action: str) -> list[AuditEntry]:
    with scopes_disabled():
        return list(AuditEntry.objects.filter(action=action))


# The map page --------------------------------------------------------------------------------------------------------

def test_the_map_lists_the_features_of_a_published_located_dataset_and_public_layers(client, town_a, town_b):
    publish_aed(town_a)
    publish_aed(town_b, rows=[("AED-901", "甘楽町役場", "群馬県甘楽郡甘楽町小幡", "36.24", "138.92")])
    layer = make_layer(town_a)
    point = make_point(layer)
    hidden = make_layer(town_a, slug="naibu", name="内部確認用", is_public=False)
    make_point(hidden, title="職員だけの地点")

    response = client.get(public_url(town_a, "map"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "下仁田町役場" in html and "下仁田町文化ホール" in html and "群馬県甘楽郡下仁田町大字下仁田682" in html
    assert "位置のない施設" not in html  # no coordinates: not on the map
    assert "甘楽町役場" not in html
    assert "町道の倒木" in html and reverse("opendata:point", args=[point.public_id]) in html
    assert "職員だけの地点" not in html and "内部確認用" not in html
    assert reverse("opendata:item", args=["aed", "AED-001"]) in html
    assert 'href="#map-list"' in html and "地図を使わずに一覧で見る" in html and 'id="map-list"' in html
    assert "一覧（全3件）" in html and "（2件）" in html
    # Data goes through json_script, scripts are files: nothing inline for the strict CSP.
    assert 'type="application/json"' in html and "yakuba/vendor/leaflet/leaflet.js" in html
    assert "<script>" not in html and "style=" not in html
    config = json.loads(html.split('id="map-config" type="application/json">')[1].split("</script>")[0])
    assert config["tiles"] == ""  # tests never fetch tiles
    assert [item["count"] for item in config["layers"]] == [2, 1]
    assert config["layers"][0]["url"] == public_url(town_a, "download", "aed", "geojson")
    assert config["bounds"][0][0] == pytest.approx(36.21) and config["bounds"][1][1] == pytest.approx(138.7905)


def test_an_empty_town_map_says_so(client, town_a):
    html = client.get(public_url(town_a, "map")).content.decode()

    assert "地図に表示できるデータはまだありません。" in html


def test_layer_geojson_shows_public_layers_only(client, town_a, town_b):
    layer = make_layer(town_a)
    point = make_point(layer, photo_path="x", photo_type="image/png")
    hidden = make_layer(town_a, slug="naibu", is_public=False)
    make_layer(town_b, slug="kanra")

    response = client.get(public_url(town_a, "layer-geojson", "saigai"))

    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 1
    feature = data["features"][0]
    assert feature["geometry"]["coordinates"] == [138.78, 36.21]
    assert feature["properties"]["_url"] == public_url(town_a, "point", point.public_id)
    assert client.get(public_url(town_a, "layer-geojson", hidden.slug)).status_code == 404
    assert client.get(public_url(town_a, "layer-geojson", "kanra")).status_code == 404  # another town's


def test_a_point_page_and_its_photo(client, town_a, town_b):
    layer = make_layer(town_a)
    path = private_storage().save("opendata/points/test.png", SimpleUploadedFile("p.png", png_bytes()))
    point = make_point(layer, description="通行止め", photo_path=path, photo_type="image/png")
    bare = make_point(layer, title="写真なし")

    html = client.get(public_url(town_a, "point", point.public_id)).content.decode()

    assert "町道の倒木" in html and "通行止め" in html and "36.210000, 138.780000" in html
    assert "https://maps.gsi.go.jp/#17/36.210000/138.780000/" in html
    assert reverse("opendata:point-photo", args=[point.public_id]) in html and reverse("opendata:map") in html
    photo = client.get(public_url(town_a, "point-photo", point.public_id))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert photo["Content-Disposition"].startswith("inline")
    assert b"".join(photo.streaming_content).startswith(b"\x89PNG")
    assert client.get(public_url(town_a, "point-photo", bare.public_id)).status_code == 404
    assert client.get(public_url(town_b, "point", point.public_id)).status_code == 404  # another town


def test_points_of_a_non_public_layer_are_not_shown(client, town_a):
    hidden = make_layer(town_a, slug="naibu", is_public=False)
    point = make_point(hidden, photo_path="x", photo_type="image/png")

    assert client.get(public_url(town_a, "point", point.public_id)).status_code == 404
    assert client.get(public_url(town_a, "point-photo", point.public_id)).status_code == 404


# Staff layers ------------------------------------------------------------------------------------------------------

def test_staff_create_a_layer_and_add_a_point_with_a_photo(town_a, staff_a):
    client = factories.staff_client(staff_a)
    assert client.get(staff_url(town_a, "map-layers")).status_code == 200

    response = client.post(staff_url(town_a, "map-layers"), {
        "name": "災害発生箇所", "slug": "saigai", "description": "台風による被害", "department": staff_a.department_id,
        "is_public": "on", "for_disasters": "on", "_once": new_token()})

    assert response.status_code == 302 and response["Location"].endswith(reverse("staff:map-layer", args=["saigai"]))
    with scope(municipality=town_a):
        layer = Layer.objects.get(slug="saigai")
    assert (layer.department, layer.is_public, layer.for_disasters) == (staff_a.department, True, True)
    page = client.get(staff_url(town_a, "map-layer", "saigai"))
    assert page.status_code == 200 and "地点を追加" in page.content.decode()

    photo = SimpleUploadedFile("現場.png", png_bytes(), content_type="image/png")
    response = client.post(staff_url(town_a, "map-layer", "saigai"), point_form(photo=photo))

    assert response.status_code == 302
    with scope(municipality=town_a):
        point = Point.objects.get(layer=layer)
    assert point.title == "県道の土砂崩れ" and str(point.latitude) == "36.210100" and point.photo_type == "image/png"
    assert point.created_by == staff_a.user
    with private_storage().open(point.photo_path, "rb") as handle:
        assert handle.read() == png_bytes()
    assert len(audits("opendata.layer.created")) == 1 and len(audits("opendata.point.added")) == 1
    assert "県道の土砂崩れ" in client.get(staff_url(town_a, "map-layer", "saigai")).content.decode()


def test_the_same_form_twice_adds_one_point(town_a, staff_a):
    make_layer(town_a)
    client = factories.staff_client(staff_a)
    data = point_form()

    client.post(staff_url(town_a, "map-layer", "saigai"), data)
    second = client.post(staff_url(town_a, "map-layer", "saigai"), data, follow=True)

    assert "この操作はすでに受け付けています。" in second.content.decode()
    with scope(municipality=town_a):
        assert Point.objects.count() == 1


@pytest.mark.parametrize(("lat", "lon", "field", "message"), [
    ("北緯36度", "138.78", "緯度", "緯度は数字で入力してください"),
    ("36.21", "", "経度", "経度を入力してください。"),
    ("51.5", "-0.12", "緯度", "緯度が日本の範囲外です"),
    ("36.21", "100.5", "経度", "経度が日本の範囲外です"),
    ("138.78", "36.21", "緯度", "緯度と経度が入れ替わっていませんか"),
])
def test_bad_coordinates_are_refused_with_the_typing_kept(town_a, staff_a, lat, lon, field, message):
    make_layer(town_a)
    client = factories.staff_client(staff_a)

    response = client.post(staff_url(town_a, "map-layer", "saigai"), point_form(title="倒木（確認中）",
                                                                                 latitude=lat, longitude=lon))

    html = response.content.decode()
    assert response.status_code == 400
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    assert f"{field}: {message}" in summary
    assert 'value="倒木（確認中）"' in html and f'value="{lat}"' in html
    with scope(municipality=town_a):
        assert Point.objects.count() == 0


def test_every_error_shows_at_once(town_a, staff_a):
    make_layer(town_a)
    client = factories.staff_client(staff_a)

    response = client.post(staff_url(town_a, "map-layer", "saigai"), point_form(title="", latitude="138.78",
                                                                                 longitude="36.21"))

    summary = response.content.decode().split('class="error-summary"')[1].split("</div>")[0]
    assert response.status_code == 400
    assert "名称: 名称を入力してください。" in summary and "緯度と経度が入れ替わっていませんか" in summary


def test_full_width_digits_are_read_and_rounded_to_six_places(town_a, staff_a):
    layer = make_layer(town_a)

    with scope(municipality=town_a):
        point = services.add_point(staff_a, layer, services.PointData(
            title="倒木", latitude="３６．２１２３４５６７", longitude=" 138.7 "))

    assert str(point.latitude) == "36.212346" and str(point.longitude) == "138.700000"


def test_a_photo_that_is_not_an_image_and_a_future_time_are_refused(town_a, staff_a):
    make_layer(town_a)
    client = factories.staff_client(staff_a)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(staff_url(town_a, "map-layer", "saigai"), point_form(photo=fake, observed_at=later))

    html = response.content.decode()
    assert response.status_code == 400
    assert "JPEG・PNG のファイルを選んでください" in html and "日時が未来になっています" in html


def test_layer_errors_are_reported_per_field(town_a, staff_a):
    make_layer(town_a, slug="saigai")
    client = factories.staff_client(staff_a)

    response = client.post(staff_url(town_a, "map-layers"), {"name": "", "slug": "saigai", "_once": new_token()})
    html = response.content.decode()
    assert response.status_code == 400 and "レイヤー名を入力してください。" in html

    response = client.post(staff_url(town_a, "map-layers"), {"name": "倒木", "slug": "saigai", "_once": new_token()})
    assert response.status_code == 400 and "このURL用の名前はすでに使われています" in response.content.decode()
    response = client.post(staff_url(town_a, "map-layers"), {"name": "倒木", "slug": "災害", "_once": new_token()})
    assert response.status_code == 400 and "英小文字・数字・ハイフン" in response.content.decode()


# Who may do what -----------------------------------------------------------------------------------------------------

def test_another_department_may_not_add_or_delete_points(town_a, staff_a, staff_a_other):
    layer = make_layer(town_a, department=staff_a.department)
    point = make_point(layer)
    client = factories.staff_client(staff_a_other)  # 住民課

    page = client.get(staff_url(town_a, "map-layer", "saigai"))
    assert page.status_code == 200 and "地点を追加できるのは、担当課の職員と情報担当です" in page.content.decode()
    assert client.post(staff_url(town_a, "map-layer", "saigai"), point_form()).status_code == 403
    delete = staff_url(town_a, "map-point-delete", "saigai", point.public_id)
    assert client.post(delete, {"_once": new_token()}).status_code == 403
    response = client.post(staff_url(town_a, "map-layers"), {
        "name": "総務課のレイヤー", "slug": "somu", "department": staff_a.department_id, "_once": new_token()})
    assert response.status_code == 400 and "ほかの課のレイヤーは作成できません" in response.content.decode()
    with scope(municipality=town_a):
        assert Point.objects.count() == 1 and not Layer.objects.filter(slug="somu").exists()


def test_the_department_and_the_admin_may_change_and_anyone_a_layer_without_department(
        town_a, staff_a, staff_a_other, admin_a):
    layer = make_layer(town_a, department=staff_a.department)
    open_layer = make_layer(town_a, slug="kyotsu", name="共通")

    assert services.may_edit(staff_a, layer) and services.may_edit(admin_a, layer)
    assert not services.may_edit(staff_a_other, layer)
    assert services.may_edit(staff_a_other, open_layer)

    point = make_point(layer)
    client = factories.staff_client(admin_a)
    response = client.post(staff_url(town_a, "map-point-delete", "saigai", point.public_id), {"_once": new_token()})
    assert response.status_code == 302
    with scope(municipality=town_a):
        assert not Point.objects.exists()
    assert len(audits("opendata.point.deleted")) == 1


def test_another_towns_layers_are_404_and_its_pages_403(town_a, town_b, staff_b):
    layer = make_layer(town_a)
    point = make_point(layer)
    client = factories.staff_client(staff_b)  # 情報担当 of town B

    assert client.get(staff_url(town_b, "map-layer", "saigai")).status_code == 404
    assert client.post(staff_url(town_b, "map-layer", "saigai"), point_form()).status_code == 404
    delete = staff_url(town_b, "map-point-delete", "saigai", point.public_id)
    assert client.post(delete, {"_once": new_token()}).status_code == 404
    assert client.get(staff_url(town_a, "map-layer", "saigai")).status_code == 403
    assert not services.may_edit(staff_b, layer)
    with scope(municipality=town_a):
        assert Point.objects.count() == 1


def test_anonymous_goes_to_the_staff_login(client, town_a):
    response = client.get(staff_url(town_a, "map-layers"))

    assert response.status_code == 302 and "/staff/login/" in response["Location"]


# 防災情報ボード ----------------------------------------------------------------------------------------------------

def test_the_disaster_board_shows_the_newest_disaster_points(client, town_a, town_b):
    disasters = make_layer(town_a, for_disasters=True)
    make_point(disasters, title="古い冠水", observed_at=timezone.now() - timedelta(hours=3))
    newest = make_point(disasters, title="新しい土砂崩れ")
    other = make_layer(town_a, slug="aed", name="臨時AED")
    make_point(other, title="臨時AEDの地点")
    hidden = make_layer(town_a, slug="naibu", for_disasters=True, is_public=False)
    make_point(hidden, title="非公開の被害")
    make_point(make_layer(town_b, for_disasters=True), title="甘楽町の被害")

    html = client.get(factories.town_url(town_a, reverse("notices:bousai"))).content.decode()

    assert "新しい土砂崩れ" in html and "古い冠水" in html
    assert html.index("新しい土砂崩れ") < html.index("古い冠水")
    assert reverse("opendata:point", args=[newest.public_id]) in html
    assert "臨時AEDの地点" not in html and "非公開の被害" not in html and "甘楽町の被害" not in html


def test_a_long_layer_lists_its_first_items_and_counts_them_all(client, town_a, monkeypatch):
    from yakuba.opendata.services import geo

    monkeypatch.setattr(geo, "LIST_LIMIT", 1)
    publish_aed(town_a)
    located = sum(1 for row in AED if row[3])
    page = client.get(public_url(town_a, "map")).content.decode()
    assert f"（{located}件）" in page and f"一覧（全{located}件）" in page
    assert "この一覧には先頭の 1 件を載せています" in page
    assert page.count('<li>\n          <a href="') == 1
