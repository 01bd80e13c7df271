"""Open311 GeoReport v2 over HTTP: services and their attributes from the category's questions, POST with a key
(missing attributes, a wrong key, another town's service code, a place outside the town: each refused with the
spec's error array and nothing saved), GET by id, status and bounding box, JSON only."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scope

from tests import factories
from tests.voice.reports_support import SHIMONITA, file_report, make_categories, road_staff
from yakuba.kernel.accounts.models import Role
from yakuba.voice.models import Report, ReportStatus
from yakuba.voice.services import reports as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def cats(town_a):
    return make_categories(town_a)


@pytest.fixture
def key(town_a):
    admin = factories.make_staff(town_a, role=Role.ADMIN)
    with scope(municipality=town_a):
        return services.create_client(admin, "市民アプリ")[1]


def url(town, path):
    return factories.town_url(town, f"/open311/v2/{path}")


def post(town, data):
    return Client().post(url(town, "requests.json"), data)


def test_services_and_their_attributes(town_a, cats):
    services_list = Client().get(url(town_a, "services.json")).json()
    assert {s["service_code"] for s in services_list} >= {"streetlight", "wildlife", "road"}
    light = next(s for s in services_list if s["service_code"] == "streetlight")
    assert light["metadata"] is True and light["type"] == "realtime"
    definition = Client().get(url(town_a, "services/streetlight.json")).json()
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert attributes["state"]["datatype"] == "singlevaluelist" and attributes["state"]["required"] is True
    assert {"key": "off", "name": "点かない"} in attributes["state"]["values"]
    assert attributes["pole_number"]["datatype"] == "string" and attributes["pole_number"]["required"] is False
    assert Client().get(url(town_a, "services/nothing.json")).status_code == 404


def test_a_client_files_a_request_and_reads_it_back(town_a, cats, key):
    response = post(town_a, {"api_key": key, "service_code": "wildlife", "lat": "36.2123", "long": "138.7878",
                             "description": "イノシシが畑に出ました。", "attribute[animal]": "boar",
                             "attribute[damage]": "crops", "email": "taro@example.jp", "first_name": "太郎",
                             "last_name": "山田"})
    assert response.status_code == 201, response.content
    number = response.json()[0]["service_request_id"]
    with scope(municipality=town_a):
        report = Report.objects.get(number=number)
        assert report.client is not None and report.answers == {"animal": "boar", "damage": "crops"}
        assert report.name == "山田 太郎"
    read = Client().get(url(town_a, f"requests/{number}.json")).json()[0]
    assert read["status"] == "open" and read["service_code"] == "wildlife" and read["lat"] == 36.2123
    assert "taro@example.jp" not in str(read)


@pytest.mark.parametrize("data, status, words", [
    ({"service_code": "wildlife", "lat": "36.2123", "long": "138.7878", "description": "x",
      "attribute[animal]": "boar"}, 400, "attribute[damage]"),
    ({"service_code": "wildlife", "lat": "35.6812", "long": "139.7671", "description": "x",
      "attribute[animal]": "boar", "attribute[damage]": "seen"}, 400, "町内の場所"),
    ({"service_code": "nothing", "lat": "36.2123", "long": "138.7878", "description": "x"}, 400, "service_code"),
    ({"api_key": "wrong", "service_code": "road", "lat": "36.2123", "long": "138.7878", "description": "x",
      "attribute[kind]": "hole"}, 403, "api_key"),
    ({"api_key": "", "service_code": "road", "lat": "36.2123", "long": "138.7878", "description": "x",
      "attribute[kind]": "hole"}, 403, "api_key"),
])
def test_bad_posts_are_refused_with_the_error_array_and_nothing_saved(town_a, cats, key, data, status, words):
    response = post(town_a, {"api_key": key, **data})
    assert response.status_code == status
    errors = response.json()
    assert errors and all(e["code"] == status for e in errors)
    assert words in " ".join(e["description"] for e in errors)
    with scope(municipality=town_a):
        assert not Report.objects.exists()


def test_a_service_code_of_another_town_is_refused(town_a, town_b, cats, key):
    make_categories(town_b)
    with scope(municipality=town_b):
        from yakuba.voice.models import ReportCategory

        ReportCategory.objects.filter(code="dumping").update(code="kanra-dumping")
    response = post(town_a, {"api_key": key, "service_code": "kanra-dumping", "lat": "36.2123",
                             "long": "138.7878", "description": "x"})
    assert response.status_code == 400


def test_a_key_of_another_town_is_refused(town_a, town_b, cats):
    make_categories(town_b)
    admin_b = factories.make_staff(town_b, role=Role.ADMIN)
    with scope(municipality=town_b):
        key_b = services.create_client(admin_b, "甘楽のアプリ")[1]
    assert post(town_a, {"api_key": key_b, "service_code": "road", "lat": "36.2123", "long": "138.7878",
                         "description": "x", "attribute[kind]": "hole"}).status_code == 403


def test_get_requests_by_bbox_radius_and_status(town_a, cats):
    near = file_report(town_a, cats["streetlight"])
    far = file_report(town_a, cats["road"], lat=SHIMONITA[0] + 0.05)
    done = file_report(town_a, cats["road"], lat=SHIMONITA[0] + 0.0005)
    with scope(municipality=town_a):
        services.set_status(road_staff(town_a), done, ReportStatus.DONE, answer="補修しました。")
    client = Client()

    def ids(query):
        response = client.get(url(town_a, "requests.json"), query)
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    bbox = f"{SHIMONITA[1] - 0.01},{SHIMONITA[0] - 0.01},{SHIMONITA[1] + 0.01},{SHIMONITA[0] + 0.01}"
    assert ids({"bbox": bbox}) == {near.number, done.number}
    assert ids({"lat": SHIMONITA[0], "long": SHIMONITA[1], "radius": 20}) == {near.number}
    assert ids({"status": "closed"}) == {done.number}
    assert ids({"status": "open"}) == {near.number, far.number}
    assert ids({"service_request_id": f"{near.number},{far.number}"}) == {near.number, far.number}
    closed = client.get(url(town_a, f"requests/{done.number}.json")).json()[0]
    assert closed["status"] == "closed" and closed["status_notes"] == "補修しました。"
    for bad in ({"bbox": "1,2,3"}, {"status": "pending"}, {"start_date": "2026-13-45T00:00:00Z"},
                {"lat": "x", "long": "1"}, {"lat": "36", "long": "138", "radius": "nan"}):
        response = client.get(url(town_a, "requests.json"), bad)
        assert response.status_code == 400 and response.json()[0]["code"] == 400, bad


def test_hidden_and_merged_reports_are_not_served(town_a, cats):
    report = file_report(town_a, cats["streetlight"])
    with scope(municipality=town_a):
        services.hide(road_staff(town_a), report, "個人の情報")
    assert Client().get(url(town_a, f"requests/{report.number}.json")).status_code == 404


def test_json_only_and_script_in_text_stays_text(town_a, cats, key):
    response = Client().get(url(town_a, "services.xml"))
    assert response.status_code == 400 and ".json" in response.json()[0]["description"]
    filed = post(town_a, {"api_key": key, "service_code": "other", "lat": "36.2123", "long": "138.7878",
                          "description": "<script>alert(1)</script>"})
    number = filed.json()[0]["service_request_id"]
    page = Client().get(url(town_a, f"requests/{number}.json"))
    assert page["Content-Type"] == "application/json" and page.json()[0]["description"] == \
        "<script>alert(1)</script>"


def test_post_is_rate_limited_per_key(town_a, cats, key, settings):
    settings.YAKUBA_THROTTLE = {"voice.open311.post": (2, 60)}
    data = {"api_key": key, "service_code": "other", "lat": "36.2123", "long": "138.7878", "description": "x"}
    assert [post(town_a, data).status_code for _ in range(3)] == [201, 201, 429]
