"""The 情報担当's set-up of 通報: an Open311 client's key is shown once and kept hashed, a client can be switched off;
a category's questions are checked as a form definition, bad JSON refused with the typing kept."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_scopes import scope

from tests import factories
from yakuba.kernel.accounts.models import Role
from yakuba.voice.models import Open311Client, ReportCategory

pytestmark = pytest.mark.django_db


def test_a_client_key_is_shown_once_works_and_stops_when_switched_off(town_a):
    admin = factories.make_staff(town_a, role=Role.ADMIN)
    client = factories.staff_client(admin)
    url = factories.town_url(town_a, "/staff/voice/reports/open311/")
    assert client.post(url, {"name": ""}).status_code == 400
    made = client.post(url, {"name": "まちレポ連携"})
    assert made.status_code == 200
    key = re.search(r"<code[^>]*>([A-Za-z0-9_\-]{20,})</code>", made.content.decode()).group(1)
    with scope(municipality=town_a):
        row = Open311Client.objects.get(name="まちレポ連携")
        assert key not in repr(list(Open311Client.objects.values_list()))  # only its hash is kept
    assert key not in client.get(url).content.decode()  # never shown again
    services = Client().get(factories.town_url(town_a, "/open311/v2/services.json"))
    assert services.status_code == 200
    posted = Client().post(factories.town_url(town_a, "/open311/v2/requests.json"), {"api_key": key})
    assert posted.status_code == 400  # the key is good; the request lacks its service_code
    client.post(url, {"toggle": str(row.pk)})
    with scope(municipality=town_a):
        row.refresh_from_db()
        assert not row.active
    refused = Client().post(factories.town_url(town_a, "/open311/v2/requests.json"), {"api_key": key})
    assert refused.status_code == 403


def test_staff_other_than_the_admin_cannot_make_keys(town_a):
    clerk = factories.make_staff(town_a, role=Role.STAFF)
    response = factories.staff_client(clerk).get(factories.town_url(town_a, "/staff/voice/reports/open311/"))
    assert response.status_code == 403


def test_a_category_with_bad_questions_is_refused_and_the_typing_kept(town_a):
    admin = factories.make_staff(town_a, role=Role.ADMIN)
    client = factories.staff_client(admin)
    url = factories.town_url(town_a, "/staff/voice/reports/categories/new/")
    department = admin.department_id
    bad = client.post(url, {"code": "signs", "name": "道路標識", "department": department, "sort_order": 5,
                            "active": "on", "definition": '{"title": "標識", "pages": [ <script>'})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "JSON として読めません" in html and "道路標識" in html and "&lt;script&gt;" in html
    good = client.post(url, {"code": "signs", "name": "道路標識", "department": department, "sort_order": 5,
                             "active": "on", "definition": ""})
    assert good.status_code == 302
    with scope(municipality=town_a):
        assert ReportCategory.objects.get(code="signs").name == "道路標識"
    listed = Client().get(factories.town_url(town_a, "/open311/v2/services.json")).json()
    assert "signs" in [service["service_code"] for service in listed]
