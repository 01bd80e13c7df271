"""Every staff URL refuses anonymous users, residents, staff of another town and staff without the role."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from tests.sweep import routes
from yakuba.kernel.accounts.models import Role

# Pages that exist to get a staff member signed in: reachable before the checks by design.
SIGN_IN_ROUTES = {"staff:login", "staff:otp", "staff:otp-setup", "staff:logout"}


def staff_routes():
    return [r for r in routes() if r.is_staff and r.name not in SIGN_IN_ROUTES]


def test_every_staff_view_declares_its_role():
    for route in staff_routes():
        assert hasattr(route.callback, "staff_role"), f"{route.name} is not behind staff_required"


@pytest.fixture
def objects_a(town_a, resident_a):
    """For each staff URL with an id, an object of town A it can show (the residents page by default)."""
    return {"staff:member": factories.make_staff(town_a, department="企画課").pk, None: resident_a.pk}


def _path(route, objects):
    pk = objects.get(route.name, objects[None])
    return route.path(**{name: pk for name in route.converters})


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_the_staff_login(town_a, objects_a):
    client = Client()
    for route in staff_routes():
        url = town_a.path_prefix + _path(route, objects_a)
        response = client.get(url)
        assert response.status_code == 302, route.name
        assert response["Location"].startswith("/t/10382/staff/login/?next="), route.name


@pytest.mark.django_db
def test_residents_are_refused(town_a, resident_a, objects_a):
    client = Client()
    client.force_login(resident_a.user)
    for route in staff_routes():
        response = client.get(town_a.path_prefix + _path(route, objects_a))
        assert response.status_code == 403, route.name
        assert "権限がありません" in response.content.decode()


@pytest.mark.django_db
def test_staff_of_another_town_are_refused(town_a, staff_b, objects_a):
    client = factories.staff_client(staff_b)
    for route in staff_routes():
        assert client.get(town_a.path_prefix + _path(route, objects_a)).status_code == 403, route.name


@pytest.mark.django_db
def test_staff_without_second_factor_are_sent_to_totp(town_a, staff_a, objects_a):
    client = Client()
    client.force_login(staff_a.user)  # password step only
    for route in staff_routes():
        response = client.get(town_a.path_prefix + _path(route, objects_a))
        assert response.status_code == 302, route.name
        assert response["Location"].startswith("/t/10382/staff/login/otp/"), route.name


@pytest.mark.django_db
def test_each_view_needs_exactly_its_role(town_a, objects_a):
    members = {role: factories.make_staff(town_a, role=role) for role in Role.values}
    for route in staff_routes():
        for role, member in members.items():
            response = factories.staff_client(member).get(town_a.path_prefix + _path(route, objects_a))
            expected = 200 if role >= route.callback.staff_role else 403
            assert response.status_code == expected, (route.name, role, response.status_code)


@pytest.mark.django_db
def test_inactive_staff_are_refused(town_a, staff_a):
    staff_a.is_active = False
    staff_a.save()
    assert factories.staff_client(staff_a).get("/t/10382/staff/").status_code == 403
