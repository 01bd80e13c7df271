"""The one permission check: role within the town, optionally department (課); 情報担当 may do anything."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django_scopes import scope

from tests import factories
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import can, staff_of, staff_required


@pytest.mark.django_db
def test_can_by_role_and_department(town_a):
    soumu = factories.make_department(town_a, "総務課")
    juumin = factories.make_department(town_a, "住民税務課")
    clerk = factories.make_staff(town_a, department="総務課", role=Role.STAFF)
    head = factories.make_staff(town_a, department="総務課", role=Role.APPROVER)
    admin = factories.make_staff(town_a, department="企画課", role=Role.ADMIN)
    assert can(clerk, Role.STAFF, soumu) and not can(clerk, Role.APPROVER, soumu)
    assert can(head, Role.APPROVER, soumu) and not can(head, Role.APPROVER, juumin)
    assert can(admin, Role.APPROVER, juumin)
    assert not can(None)


@pytest.mark.django_db
def test_role_restricted_view(town_a, staff_a, staff_a_other, admin_a):
    @staff_required(role=Role.APPROVER)
    def view(request):
        return HttpResponse("ok")

    def call(staff):
        request = RequestFactory().get("/staff/x/")
        request.user = staff.user
        request.user.is_verified = lambda: True
        request.municipality = town_a
        with scope(municipality=town_a):
            return view(request)

    staff_a_other.role = Role.APPROVER
    staff_a_other.save(update_fields=["role"])
    assert call(staff_a_other).status_code == 200
    assert call(admin_a).status_code == 200
    with pytest.raises(PermissionDenied):
        call(staff_a)


@pytest.mark.django_db
def test_staff_of_checks_the_town(town_a, town_b, staff_a):
    assert staff_of(staff_a.user, town_a) == staff_a
    assert staff_of(staff_a.user, town_b) is None
    assert staff_of(staff_a.user, None) is None
