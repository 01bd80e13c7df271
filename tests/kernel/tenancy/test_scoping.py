"""town_row: a task given a row's id loads it and runs in its town's scope; a row gone is None, not an error."""

from __future__ import annotations

import pytest
from django_scopes import ScopeError, scope

from tests import factories
from yakuba.kernel.accounts.models import Department, Staff
from yakuba.kernel.tenancy.scoping import town_row

pytestmark = pytest.mark.django_db


def test_the_block_runs_in_the_rows_town(town_a, town_b, staff_a):
    factories.make_department(town_b, "甘楽の課")
    with town_row(Staff, staff_a.pk, "user") as staff:
        assert staff == staff_a and staff.municipality == town_a
        assert set(Department.objects.values_list("municipality", flat=True)) == {town_a.pk}
    with pytest.raises(ScopeError):
        Department.objects.count()  # the scope ends with the block


def test_a_row_that_is_gone_is_none_outside_any_scope(town_a):
    with town_row(Staff, 999_999) as staff:
        assert staff is None
        with pytest.raises(ScopeError):
            Department.objects.count()


def test_an_open_scope_is_kept_around_the_block(town_a, staff_a):
    with scope(municipality=town_a), town_row(Staff, 999_999) as staff:
        assert staff is None
        Department.objects.count()
