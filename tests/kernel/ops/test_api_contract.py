"""The town's JSON APIs against their OpenAPI description: schemathesis generates requests from the document a live
server publishes (/api/openapi.json) and checks each response: no 5xx, a status, content type, headers and body
the description allows.

The run is bounded (EXAMPLES per operation) and derandomised so CI sees the same requests each time; set
YAKUBA_API_EXAMPLES to explore more (and at random) on a workstation.
"""

from __future__ import annotations

import os

import hypothesis
import pytest
import requests
import schemathesis
from schemathesis import checks

from tests.assistant.conftest import add_document
from tests.opendata.test_api import published_aed
from tests.voice.sweep_reports import OPEN311, open311_town
from yakuba.assistant.models import Kind
from yakuba.opendata.services import ckan

pytestmark = pytest.mark.django_db(transaction=True)

EXPLORE = int(os.environ.get("YAKUBA_API_EXAMPLES", "0"))
EXAMPLES = EXPLORE or 12
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_headers_conformance, checks.response_schema_conformance]


@pytest.fixture
def town_api(live_server, town_a, settings) -> str:
    """Town A on the live server with a published dataset and documents the assistant can answer from."""
    settings.YAKUBA_RATE_LIMITS = False  # the run sends hundreds of requests from one address
    published_aed(town_a)
    open311_town(town_a)
    add_document(town_a, "粗大ごみの出し方",
                 "粗大ごみは事前に申し込み、手数料を納めて出してください。ソファは1点500円です。")
    add_document(town_a, "公民館の使用料", "第3条 公民館の使用料は別表のとおりとする。", kind=Kind.ORDINANCE)
    return f"{live_server.url}{town_a.path_prefix}"


def test_the_document_describes_every_api_at_the_towns_address(town_api, town_a):
    response = requests.get(f"{town_api}/api/openapi.json", timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    assert "public" in response.headers["Cache-Control"]
    document = response.json()
    assert document["openapi"].startswith("3.1") and document["servers"] == [{"url": town_api}]
    assert town_a.name in document["info"]["title"]
    assert {f"/api/3/action/{name}" for name in ckan.ACTIONS} | {"/assistant/api/search", "/assistant/api/ask"} \
        | OPEN311 == set(document["paths"])
    # Every $ref resolves: schemathesis loads the document and lists each operation without an error.
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 2 * len(ckan.ACTIONS) + 3 + len(OPEN311) + 1  # requests.json: GET and POST


def explore(operation, session: requests.Session, statuses: set[int]) -> None:
    """Send EXAMPLES generated requests to one operation and check every response."""

    @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not EXPLORE,
                         suppress_health_check=list(hypothesis.HealthCheck),
                         phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
    @hypothesis.given(case=operation.as_strategy())
    def run(case) -> None:
        response = case.call_and_validate(session=session, checks=CHECKS)
        statuses.add(response.status_code)

    run()


def test_generated_requests_get_no_server_error_and_no_response_outside_the_description(town_api):
    schema = schemathesis.openapi.from_url(f"{town_api}/api/openapi.json")
    tried: dict[str, set[int]] = {}
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            explore(operation, session, tried.setdefault(operation.label, set()))
    # The run reached the operations' real work, not only their refusals.
    assert all(statuses for statuses in tried.values()), tried
    assert 200 in tried["GET /api/3/action/package_search"] and 200 in tried["GET /assistant/api/ask"], tried


# --- what a generator rarely sends: bodies in other encodings, broken bytes, NUL ---------------------------------

JSON_BODIES = {
    "shift_jis": '{"q": "粗大ごみ"}'.encode("shift_jis"),
    "utf-16": '{"q": "粗大ごみ"}'.encode("utf-16"),
    "broken utf-8": b'{"q": "\xe7\xb2\x97\xff"}',
    "escaped NUL": b'{"q": "\\u0000"}',
    "raw NUL": b'{"q": "a\x00b"}',
    "not an object": b'["q"]',
    "not JSON": b"q=1",
}


def _json_refusal_or_success(response) -> dict:
    assert response.status_code in (200, 400), (response.status_code, response.content[:200])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.mark.parametrize("body", JSON_BODIES.values(), ids=JSON_BODIES.keys())
@pytest.mark.parametrize("path", ["/assistant/api/ask", "/api/3/action/package_search"])
def test_json_bodies_in_other_encodings_or_with_nul_get_a_json_answer(client, town_a, path, body):
    response = client.post(f"{town_a.path_prefix}{path}", data=body, content_type="application/json")
    found = _json_refusal_or_success(response)
    if b"\x00" in body or b"\\u0000" in body:
        assert response.status_code == 400 and found["error"]["__type"] == "Bad Request"
        assert "NUL" in found["error"]["message"]


@pytest.mark.parametrize("query", ["q=%FF%FE", "q=%E7%B2", "q=a%00b", "q=%C0%80", "id=%ED%A0%80"])
@pytest.mark.parametrize("path", ["/assistant/api/ask", "/assistant/api/search", "/api/3/action/package_show",
                                  "/api/action/package_search"])
def test_undecodable_query_strings_get_a_json_answer(client, town_a, path, query):
    response = client.get(f"{town_a.path_prefix}{path}?{query}")
    assert response.status_code in (200, 400, 404, 409), response.status_code
    assert response["Content-Type"].startswith("application/json")
    if "%00" in query:
        assert response.status_code == 400 and response.json()["error"]["__type"] == "Bad Request"


def test_a_form_body_in_another_charset_gets_a_json_refusal_on_an_api(client, town_a):
    response = client.post(f"{town_a.path_prefix}/assistant/api/ask", data="q=粗大ごみ",
                           content_type="application/x-www-form-urlencoded; charset=shift_jis")
    assert response.status_code == 400 and response.json()["error"]["__type"] == "Bad Request"
    # People still get the page: the same body posted to a form page answers with the 400 page.
    page = client.post(f"{town_a.path_prefix}/accounts/login/", data="username=あ",
                       content_type="application/x-www-form-urlencoded; charset=shift_jis")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
