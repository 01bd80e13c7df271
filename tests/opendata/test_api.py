"""The CKAN-compatible read API and the DCAT documents: the real `ckanapi` client against the live server, CKAN's
response shapes through Django's test client, and a town sees only its own published datasets."""

from __future__ import annotations

import json

import ckanapi
import pytest
from django.urls import reverse
from django_scopes import scope

from tests import factories
from yakuba.opendata import definitions
from yakuba.opendata.models import Dataset, Licence, Origin
from yakuba.opendata.services import publish

pytestmark = pytest.mark.django_db

TAG = "自治体標準ODS"


def aed_rows(town, count: int = 2) -> list[dict[str, str]]:
    defn = definitions.get("aed")
    rows = []
    for i in range(1, count + 1):
        row = dict.fromkeys(defn.names, "")
        row.update({definitions.TOWN_CODE: town.code, "ID": f"{i:03}", definitions.TOWN_NAME: town.name,
                    "名称": f"{town.name}役場 AED {i}", definitions.LATITUDE: f"36.{2000 + i}",
                    definitions.LONGITUDE: "138.7900"})
        rows.append(row)
    return rows


def make_dataset(town, kind: str = "aed", **fields) -> Dataset:
    defn = definitions.get(kind)
    with scope(municipality=town):
        return Dataset.objects.create(municipality=town, kind=kind, title=defn.title,
                                      description=defn.description, **fields)


def published_aed(town, count: int = 2) -> Dataset:
    dataset = make_dataset(town)
    with scope(municipality=town):
        publish.publish(dataset, aed_rows(town, count), origin=Origin.IMPORT, note="初版")
    return dataset


def api(town, action: str) -> str:
    return factories.town_url(town, reverse("ckan:action", kwargs={"name": action}))


@pytest.fixture
def aed_a(town_a):
    return published_aed(town_a)


@pytest.fixture
def remote(live_server, town_a):
    """ckanapi's RemoteCKAN for town A, as a harvester would make it: it calls `<address>/api/action/<name>`, which
    we serve like CKAN beside /api/3/action/."""
    client = ckanapi.RemoteCKAN(live_server.url + town_a.path_prefix)
    with client:
        yield client


# --- the real ckanapi client ---------------------------------------------------------------------------------------

def test_ckanapi_lists_shows_searches_and_finds_resources(remote, town_a, aed_a):
    name = f"{town_a.code}-aed"
    assert remote.action.package_list() == [name]

    package = remote.action.package_show(id=name)
    assert package["id"] == str(aed_a.public_id) and package["name"] == name
    assert package["title"] == "AED設置箇所一覧" and package["type"] == "dataset" and package["state"] == "active"
    assert package["license_id"] == "cc-by" and package["license_url"].startswith("https://creativecommons.org/")
    assert package["organization"]["name"] == town_a.code and package["owner_org"] == package["organization"]["id"]
    assert {"name": TAG, "display_name": TAG}.items() <= package["tags"][0].items()
    assert [r["format"] for r in package["resources"]] == ["CSV", "JSON", "GeoJSON"]
    assert package["num_resources"] == 3 and package["num_tags"] == len(package["tags"])
    assert package["version"] == "1" and package["private"] is False and package["groups"] == []
    assert {"key": "conforms_to", "value": definitions.get("aed").source["url"]} in package["extras"]
    assert "T" in package["metadata_modified"] and "+" not in package["metadata_modified"]  # CKAN: UTC, no zone
    csv = package["resources"][0]
    assert csv["url"] == f"{remote.address}/opendata/aed/data.csv"
    assert csv["package_id"] == package["id"] and csv["mimetype"] == "text/csv" and csv["position"] == 0
    with scope(municipality=town_a):
        version = publish.current_version(aed_a)
    assert csv["id"] == str(version.public_id) and csv["size"] == version.size and csv["hash"] == version.sha256

    assert remote.action.package_show(id=str(aed_a.public_id))["name"] == name  # by id too
    assert remote.action.resource_show(id=csv["id"]) == csv
    geojson = package["resources"][2]
    assert remote.action.resource_show(id=geojson["id"])["url"].endswith("/opendata/aed/data.geojson")

    found = remote.action.package_search(fq=f"tags:{TAG}")
    assert found["count"] == 1 and found["results"][0]["name"] == name
    assert remote.action.package_search(fq="tags:存在しないタグ")["count"] == 0


def test_ckanapi_raises_not_found_and_validation_errors(remote, aed_a):
    with pytest.raises(ckanapi.NotFound):
        remote.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.NotFound):
        remote.action.resource_show(id="00000000-0000-0000-0000-000000000000")
    with pytest.raises(ckanapi.ValidationError) as raised:
        remote.action.resource_show()
    assert raised.value.error_dict == {"__type": "Validation Error", "id": ["Missing value"]}


def test_ckanapi_cheap_actions_harvesters_call(remote, town_a, aed_a):
    assert remote.action.status_show()["ckan_version"].startswith("2.")
    assert remote.action.organization_list() == [town_a.code]
    org = remote.action.organization_show(id=town_a.code, include_datasets=True)
    assert org["title"] == str(town_a) and org["package_count"] == 1 and len(org["packages"]) == 1
    assert TAG in remote.action.tag_list()
    with pytest.raises(ckanapi.NotFound):
        remote.action.organization_show(id="999999")


# --- HTTP shapes through Django's client ---------------------------------------------------------------------------

def test_get_package_show_has_ckans_envelope_and_cors(client, town_a, aed_a):
    response = client.get(api(town_a, "package_show"), {"id": f"{town_a.code}-aed"})
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["success"] is True and body["help"].endswith("/api/3/action/help_show?name=package_show")
    assert body["result"]["resources"][0]["url"] == f"http://testserver{town_a.path_prefix}/opendata/aed/data.csv"


def test_post_form_and_json_bodies_are_read(client, town_a, aed_a):
    name = f"{town_a.code}-aed"
    form = client.post(api(town_a, "package_show"), {"id": name})
    as_json = client.post(api(town_a, "package_show"), json.dumps({"id": name}), content_type="application/json")
    assert form.json()["result"]["name"] == as_json.json()["result"]["name"] == name


def test_errors_have_ckans_statuses_and_shapes(client, town_a, aed_a):
    missing = client.get(api(town_a, "package_show"), {"id": "nothing"})
    assert missing.status_code == 404
    assert missing.json()["error"] == {"__type": "Not Found Error", "message": "Not found"}
    assert missing.json()["success"] is False and "help" in missing.json()

    invalid = client.get(api(town_a, "package_show"))
    assert invalid.status_code == 409  # CKAN's package_show names the missing parameter name_or_id
    assert invalid.json()["error"] == {"__type": "Validation Error", "name_or_id": ["Missing value"]}

    unknown = client.get(api(town_a, "package_create"))
    assert unknown.status_code == 400 and unknown.json() == "Bad request: Action name not known: package_create"

    bad_json = client.post(api(town_a, "package_show"), "[1, 2]", content_type="application/json")
    assert bad_json.status_code == 400

    bad_rows = client.get(api(town_a, "package_search"), {"rows": "many"})
    assert bad_rows.status_code == 409 and bad_rows.json()["error"]["rows"] == ["Invalid integer"]
    for body in ('{"rows": Infinity}', '{"rows": NaN}', '{"rows": 1e309}', '{"start": -Infinity}',
                 '{"facet.limit": Infinity, "facet.field": ["tags"]}', '{"rows": "' + "9" * 5000 + '"}'):
        odd = client.post(api(town_a, "package_search"), body, content_type="application/json")
        assert odd.status_code in (400, 409) and odd.json()["success"] is False, body

    bad_query = client.get(api(town_a, "package_search"), {"fq": "nosuchfield:1"})
    assert bad_query.status_code == 400 and bad_query.json()["error"]["__type"] == "Search Query Error"


def test_package_search_text_filters_paging_sort_and_facets(client, town_a, aed_a):
    evacuation = make_dataset(town_a, "evacuation-sites", licence=Licence.CC0)
    with scope(municipality=town_a):
        publish.publish(evacuation, [], origin=Origin.IMPORT)

    def search(**params):
        response = client.get(api(town_a, "package_search"), params)
        assert response.status_code == 200, response.content
        return response.json()["result"]

    assert search()["count"] == 2
    assert [p["name"] for p in search(q="AED")["results"]] == [f"{town_a.code}-aed"]
    assert search(q="小児対応設備の有無")["count"] == 1  # a column name
    assert search(fq="res_format:GeoJSON")["count"] == 2
    assert search(fq="license_id:cc-zero")["results"][0]["name"] == f"{town_a.code}-evacuation-sites"
    assert search(fq=f"organization:{town_a.code}")["count"] == 2
    assert search(fq="organization:999999")["count"] == 0
    assert search(fq=f"-name:{town_a.code}-aed")["count"] == 1
    assert search(fq=f"name:{town_a.code}-aed OR name:{town_a.code}-evacuation-sites")["count"] == 2
    assert search(fq="metadata_modified:[2000-01-01T00:00:00Z TO *]")["count"] == 2  # ckanext-harvest's filter
    assert search(fq="metadata_modified:[2999-01-01T00:00:00Z TO *]")["count"] == 0
    titles = [p["title"] for p in search(sort="title_string asc")["results"]]
    assert titles == sorted(titles)
    newest = search(sort="metadata_modified desc")["results"]
    assert newest[0]["name"] == f"{town_a.code}-evacuation-sites"
    page = search(rows=1, start=1, sort="name asc")
    assert page["count"] == 2 and [p["name"] for p in page["results"]] == [f"{town_a.code}-evacuation-sites"]
    assert len(search(rows=5000)["results"]) == 2
    facets = search(**{"facet.field": '["tags", "res_format"]'})["search_facets"]
    assert {"name": TAG, "display_name": TAG, "count": 2} in facets["tags"]["items"]


# --- only the request's town, only what is published ---------------------------------------------------------------

def test_another_towns_package_is_not_found(client, town_a, town_b, aed_a):
    aed_b = published_aed(town_b)
    with scope(municipality=town_b):
        version_b = publish.current_version(aed_b)
    assert client.get(api(town_a, "package_list")).json()["result"] == [f"{town_a.code}-aed"]
    assert client.get(api(town_b, "package_list")).json()["result"] == [f"{town_b.code}-aed"]
    for action, ident in (("package_show", f"{town_b.code}-aed"), ("package_show", str(aed_b.public_id)),
                          ("resource_show", str(version_b.public_id)), ("organization_show", town_b.code)):
        assert client.get(api(town_a, action), {"id": ident}).status_code == 404, action
    assert client.get(api(town_a, "package_search"), {"q": "甘楽町"}).json()["result"]["count"] == 0


def test_unpublished_datasets_are_invisible(client, town_a):
    dataset = make_dataset(town_a)
    assert client.get(api(town_a, "package_list")).json()["result"] == []
    assert client.get(api(town_a, "package_show"), {"id": f"{town_a.code}-aed"}).status_code == 404
    assert client.get(api(town_a, "package_show"), {"id": str(dataset.public_id)}).status_code == 404
    assert client.get(api(town_a, "package_search")).json()["result"]["count"] == 0
    catalog = client.get(factories.town_url(town_a, reverse("opendata:dcat-catalog"))).json()
    assert catalog["dcat:dataset"] == []
    assert client.get(factories.town_url(town_a, reverse("opendata:dcat-dataset", args=["aed"]))).status_code == 404


# --- DCAT -----------------------------------------------------------------------------------------------------------

def test_dcat_catalog_and_dataset(client, town_a, aed_a):
    response = client.get(factories.town_url(town_a, reverse("opendata:dcat-catalog")))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/ld+json")
    assert response["Access-Control-Allow-Origin"] == "*"
    catalog = json.loads(response.content)
    assert catalog["@context"]["dcat"] == "http://www.w3.org/ns/dcat#" and catalog["@type"] == "dcat:Catalog"
    assert catalog["dct:publisher"]["foaf:name"] == str(town_a)
    [dataset] = catalog["dcat:dataset"]
    assert dataset["@type"] == "dcat:Dataset" and dataset["dct:identifier"] == str(aed_a.public_id)

    one = client.get(factories.town_url(town_a, reverse("opendata:dcat-dataset", args=["aed"]))).json()
    assert "@context" in one and {k: v for k, v in one.items() if k != "@context"} == dataset
    assert TAG in one["dcat:keyword"] and one["dct:conformsTo"] == definitions.get("aed").source["url"]
    assert one["dct:license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "dct:modified" in one and one["dct:publisher"]["@type"] == "foaf:Organization"
    formats = {d["dct:format"]: d for d in one["dcat:distribution"]}
    assert set(formats) == {"CSV", "JSON", "GeoJSON"}
    assert formats["CSV"]["dcat:downloadURL"] == f"http://testserver{town_a.path_prefix}/opendata/aed/data.csv"
    assert formats["CSV"]["dcat:mediaType"].endswith("text/csv") and formats["CSV"]["dcat:byteSize"] > 0


def test_preflight_allows_browser_tools(client, town_a):
    response = client.options(api(town_a, "package_list"))
    assert response.status_code == 204 and response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]


def test_a_script_looping_on_the_api_is_refused_with_429_and_retry_after(client, town_a, settings):
    settings.YAKUBA_THROTTLE = {"opendata.ckan": (3, 60)}
    url = factories.town_url(town_a, reverse("ckan:action", kwargs={"name": "package_list"}))
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    assert refused["Access-Control-Allow-Origin"] == "*"  # a page on another site can read the refusal
    body = refused.json()
    assert body["success"] is False and body["error"]["__type"] == "Rate Limit"
