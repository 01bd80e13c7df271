"""Every page that answers GET answers HEAD too (no 405 from views that name their methods), without a body;
and /favicon.ico is the shared emblem, cacheable by anyone."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from tests.kernel.accounts import test_role_sweep
from tests.kernel.ui import test_private_pages as private
from tests.sweep import routes
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.ui.views import FAVICON

objects_a = test_role_sweep.objects_a  # the staff sweep's objects of town A, one per staff URL

SIGN_OUT = private.SIGN_OUT


def _head_refusals(client: Client, paths: list[tuple[str, str]]) -> tuple[list[tuple[str, int, int]], int]:
    """(name, GET status, HEAD status) where GET is 200 and HEAD is not, or HEAD sent a body; and the 200s."""
    wrong, ok = [], 0
    for name, path in paths:
        get = client.get(path)
        head = client.head(path)
        if get.status_code == 200:
            ok += 1
            body = b"".join(head.streaming_content) if head.streaming else head.content
            if head.status_code != 200 or body:
                wrong.append((name, get.status_code, head.status_code))
    return wrong, ok


@pytest.mark.django_db
def test_head_works_wherever_get_does_for_anonymous_visitors(town_a, resident_a, objects_a):
    values = private._resident_values(town_a, resident_a)
    paths = [(r.name, town_a.path_prefix + private._resident_path(r, values)) for r in routes() if not r.is_staff]
    wrong, ok = _head_refusals(Client(), paths)
    assert wrong == [], wrong
    assert ok > 25


@pytest.mark.django_db
def test_head_works_wherever_get_does_for_a_signed_in_resident(town_a, resident_a, objects_a):
    client = Client()
    client.force_login(resident_a.user)
    values = private._resident_values(town_a, resident_a)
    paths = [(r.name, town_a.path_prefix + private._resident_path(r, values)) for r in routes()
             if not r.is_staff and r.name not in SIGN_OUT]
    wrong, ok = _head_refusals(client, paths)
    assert wrong == [], wrong
    assert ok > 40


@pytest.mark.django_db
def test_head_works_wherever_get_does_for_staff(town_a, objects_a):
    client = factories.staff_client(factories.make_staff(town_a, role=Role.ADMIN))
    paths = [(r.name, town_a.path_prefix + test_role_sweep._path(r, objects_a)) for r in routes()
             if r.is_staff and r.name not in SIGN_OUT]
    wrong, ok = _head_refusals(client, paths)
    assert wrong == [], wrong
    assert ok > 80


@pytest.mark.django_db
def test_the_pages_named_in_the_issue_answer_head(client, town_a):
    for page in ("procedures/", "notices/", "bousai/", "map/", "plans/", "reservations/"):
        response = client.head(f"/t/10382/{page}")
        assert response.status_code == 200, page
        assert response.content == b"" and response["Content-Type"].startswith("text/html"), page
        assert int(response["Content-Length"]) > 0, page  # what GET would send
    assert client.head("/t/10382/accounts/logout/").status_code == 405  # POST-only stays POST-only


@pytest.mark.django_db
def test_favicon_is_served_for_the_platform_and_every_town(client, town_a):
    for path in ("/favicon.ico", "/t/10382/favicon.ico"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"] == "image/x-icon"
        assert response.content == FAVICON.read_bytes() and response.content[:4] == b"\0\0\1\0"  # an ICO
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert "public" in directives and "max-age=86400" in directives
        assert client.head(path).status_code == 200


@pytest.mark.django_db
def test_favicon_is_kept_a_day_also_for_a_signed_in_resident(town_a, resident_a):
    """Public for anyone signed out; to a signed-in person private (their response refreshes the session cookie,
    which no shared cache may keep), but still kept by the browser for a day, not fetched on every page."""
    client = Client()
    client.force_login(resident_a.user)
    response = client.get("/t/10382/favicon.ico")
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "max-age=86400"} <= directives and "no-store" not in directives


@pytest.mark.django_db
def test_every_page_links_the_icon(client, town_a):
    for path in ("/", "/t/10382/", "/t/10382/accounts/login/", "/t/10382/staff/login/"):
        body = client.get(path).content.decode()
        assert '<link rel="icon" href="/static/yakuba/favicon.svg" type="image/svg+xml">' in body, path
