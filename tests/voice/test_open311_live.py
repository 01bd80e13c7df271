"""An Open311 client library (georeport 0.3.1 from PyPI) against a live server: it lists the town's services,
reads a service's definition, and reads back a request filed with the town's api_key. georeport only reads
(it has no call to file a request), so the filing is the spec's form POST sent with `requests`, the library's own
HTTP client, to the same root address."""

from __future__ import annotations

import pytest
import requests
from django_scopes import scope
from georeport import GeoReport

from tests import factories
from tests.voice.reports_support import make_categories
from yakuba.kernel.accounts.models import Role
from yakuba.voice.services import reports as services

pytestmark = pytest.mark.django_db(transaction=True)


def test_georeport_lists_files_and_reads_a_report(live_server, town_a):
    make_categories(town_a)
    admin = factories.make_staff(town_a, role=Role.ADMIN)
    with scope(municipality=town_a):
        key = services.create_client(admin, "georeport")[1]
    client = GeoReport(f"{live_server.url}{town_a.path_prefix}/open311/v2", api_key=key)

    codes = {s["service_code"]: s for s in client.get_service_list()}
    assert codes["streetlight"]["service_name"] == "街路灯"
    definition = client.get_service_definition("streetlight")
    assert [a["code"] for a in definition["attributes"]] == ["pole_number", "state"]

    filed = requests.post(f"{client.root_address}/requests.json", timeout=30, data={
        "api_key": client.api_key, "service_code": "streetlight", "lat": "36.2128", "long": "138.7891",
        "description": "街路灯が夜になっても点きません。", "attribute[state]": "off",
        "attribute[pole_number]": "下仁田 12"})
    assert filed.status_code == 201, filed.text
    number = filed.json()[0]["service_request_id"]

    read = client.get_service_request(number)
    assert read["status"] == "open" and read["service_code"] == "streetlight"
    assert read["description"] == "街路灯が夜になっても点きません。"
    assert number in {r["service_request_id"] for r in client.get_service_requests(service_code="streetlight",
                                                                                    status="open")}
    wrong = requests.post(f"{client.root_address}/requests.json", timeout=30,
                          data={"api_key": "not-a-key", "service_code": "streetlight"})
    assert wrong.status_code == 403 and wrong.json()[0]["code"] == 403
