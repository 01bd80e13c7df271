"""Nothing personal left in a cache: every URL, signed in, answers Cache-Control: private, no-store."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.utils.cache import get_max_age
from django_scopes import scope

from tests import factories
from tests.kernel.accounts import test_role_sweep
from tests.sweep import routes
from tests.voice.sweep_reports import resident_values as reports_resident_values
from yakuba.kernel.accounts.models import Role

objects_a = test_role_sweep.objects_a  # the staff sweep's objects of town A, one per staff URL

# Signing out would end the crawl's session; those pages are tested in tests/kernel/accounts.
SIGN_OUT = {"accounts:logout", "staff:logout"}
# Views that set Cache-Control themselves, on purpose: to a signed-in person they stay private, with the view's
# own freshness instead of no-store. (Open data files say `public`; the crawl does not reach them without data.)
DELIBERATE = {
    "notices:bousai": "the 防災 board refreshes itself: a short max-age",
    "notices:bousai-fragment": "the 防災 board's refreshed part: a short max-age",
    "messaging-root:sw": "the service worker script: no-cache, as browsers update it",
    "openapi": "the API description, the same for everyone: five minutes",
    "meetings:page": "a page image of a pack: a version never changes, so a member's browser keeps it a day",
    "meetings:thumb": "a page thumbnail of a pack: as meetings:page",
    "website:file": "an image a public page shows: kept an hour (a file reaches the crawl only with a page)",
    "website:theme": "the town's colour as a stylesheet, the same for everyone: kept an hour",
    "website:emblem": "the town's emblem, the same for everyone: kept an hour",
}


# The same for everyone, so any cache may keep it.
PUBLIC = {"ui:favicon": "the shared emblem"}


def _private(response, name: str = "") -> bool:
    header = response.get("Cache-Control", "")
    if name in PUBLIC:
        return True
    directives = {part.strip().split("=")[0] for part in header.split(",")}
    if name in DELIBERATE:
        return "private" in directives and "public" not in directives
    return {"private", "no-store"} <= directives and not get_max_age(response)


def _resident_values(town, resident) -> dict[str, dict[str, object]]:
    """For resident URLs with arguments, town A's objects of the crawl's resident (after `objects_a` made them)."""
    from yakuba.applications.models import Attachment, Procedure, Submission
    from yakuba.reservations.models import Course, Enrolment, Group, Lottery, Reservation, Room, Session

    with scope(municipality=town):
        submission = Submission.objects.filter(resident=resident).first()
        attachment = Attachment.objects.filter(submission=submission).first()
        reservation = Reservation.objects.filter(resident=resident).first()
        values: dict[str, dict[str, object]] = {
            "applications:": {"public_id": submission.public_id, "slug": Procedure.objects.first().slug, "page": 0,
                              "token": attachment.token if attachment else "x"},
            "reservations:": {"public_id": reservation.public_id, "pk": Room.objects.first().pk,
                              "slug": Course.objects.first().slug},
            "reservations:enrol": {"pk": Session.objects.first().pk},
            "reservations:enrolment-cancel": {"public_id": Enrolment.objects.first().public_id},
            "reservations:group-withdraw": {"public_id": Group.objects.first().public_id},
            "reservations:lottery": {"public_id": Lottery.objects.first().public_id},
        }
    values.update(reports_resident_values(town))
    return values


def _resident_path(route, values) -> str:
    defaults = {"public_id": uuid.UUID(int=1), "slug": "x", "pk": 1, "token": "x", "page": 0, "kind": "aed",
                "fmt": "csv", "number": 1, "key": "1", "category": "x", "name": "package_list", "uidb64": "x",
                "provider": "fake", "meeting": uuid.UUID(int=1), "document": 1, "version": 1, "which": "pdf",
                "uuid": uuid.UUID(int=1), "path": "x"}
    chosen = {**defaults, **values.get(route.name.split(":")[0] + ":", {}), **values.get(route.name, {})}
    return route.path(**{name: chosen[name] for name in route.converters})


def _crawl(client, paths) -> tuple[list[tuple[str, int, str]], int]:
    """(name, status, Cache-Control) of every response that is not private and no-store; and how many were 200."""
    leaks, ok = [], 0
    for name, path in paths:
        response = client.get(path)
        ok += response.status_code == 200
        if not _private(response, name):
            leaks.append((name, response.status_code, response.get("Cache-Control", "")))
    return leaks, ok


@pytest.mark.django_db
def test_every_page_for_a_signed_in_resident_is_private(town_a, resident_a, objects_a):
    client = Client()
    client.force_login(resident_a.user)
    values = {**_resident_values(town_a, resident_a), "voice:": {**objects_a["staff:voice-survey"]}}
    paths = [(r.name, town_a.path_prefix + _resident_path(r, values)) for r in routes()
             if not r.is_staff and r.name not in SIGN_OUT]
    leaks, ok = _crawl(client, paths)
    assert leaks == [], leaks
    assert ok > 40  # the crawl reached the pages themselves, not only 404s and redirects


@pytest.mark.django_db
def test_every_staff_page_is_private(town_a, objects_a):
    client = factories.staff_client(factories.make_staff(town_a, role=Role.ADMIN))
    paths = [(r.name, town_a.path_prefix + test_role_sweep._path(r, objects_a)) for r in routes()
             if r.is_staff and r.name not in SIGN_OUT]
    leaks, ok = _crawl(client, paths)
    assert leaks == [], leaks
    assert ok > 80


@pytest.mark.django_db
def test_anonymous_pages_are_public_when_cacheable_and_private_when_they_carry_a_form(client, town_a):
    for path in ("/t/10382/notices/", "/t/10382/opendata/", "/t/10382/"):
        response = client.get(path)
        assert response.status_code == 200 and "public" in response["Cache-Control"], path
    assert get_max_age(client.get("/t/10382/bousai/")) == 30
    # The login form carries a CSRF token: one visitor's, never kept by a shared cache.
    assert _private(client.get("/t/10382/accounts/login/"))


@pytest.mark.django_db
def test_a_page_with_a_once_token_is_private_even_for_anonymous_visitors(client, town_a):
    from django.template import Context, Template
    from django.test import RequestFactory

    from yakuba.kernel.ui import once

    request = RequestFactory().get("/")
    Template("{% load yakuba_ui %}{% once_token %}").render(Context({"request": request}))
    assert getattr(request, once.RENDERED) is True
    # The home page's AI問い合わせ box is a GET form without tokens, so the home can be cached; the chat page's own
    # form keeps its once-token (a second click is not asked twice) and is private.
    home = client.get("/t/10382/")
    assert once.FIELD not in home.content.decode() and "public" in home["Cache-Control"]
    chat = client.get("/t/10382/assistant/")
    assert once.FIELD in chat.content.decode() and _private(chat)


@pytest.mark.django_db
def test_a_view_that_chose_its_own_cache_header_keeps_its_freshness_but_not_public(town_a, resident_a):
    """An open data file says `public` for anonymous harvesters; to a signed-in person the response also refreshes
    the session cookie, which no shared cache may keep: it becomes private, with the view's max-age kept."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.utils.cache import patch_cache_control

    from yakuba.kernel.ui.middleware import PrivatePagesMiddleware

    def public_view(request):
        response = HttpResponse("open data")
        patch_cache_control(response, public=True, max_age=60)
        return response

    request = RequestFactory().get("/")
    request.user = resident_a.user
    chosen = PrivatePagesMiddleware(public_view)(request)["Cache-Control"]
    assert chosen in ("private, max-age=60", "max-age=60, private")
    anonymous = RequestFactory().get("/")
    anonymous.user = AnonymousUser()
    assert "public" in PrivatePagesMiddleware(public_view)(anonymous)["Cache-Control"]
    request = RequestFactory().get("/")
    request.user = resident_a.user
    assert _private(PrivatePagesMiddleware(lambda r: HttpResponse("マイページ"))(request))
