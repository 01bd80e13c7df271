"""Migrating which list a facility goes in from reservations.Facility (opendata_list, remarks) to opendata.Listing,
and back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_scopes import scopes_disabled

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("reservations", "0004_facility_opendata"), ("opendata", "0001_initial")]
AFTER = [("reservations", "0005_facility_listing_to_opendata"), ("opendata", "0002_listing")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_the_list_and_remarks_move_to_listings_and_back():
    town = factories.make_town()
    department = factories.make_department(town, "教育課")
    try:
        old = migrate(BEFORE)
        Facility = old.get_model("reservations", "Facility")
        for slug, which, remarks in (("kominkan", "public", "デモ用の架空データ"), ("kosodate", "childcare", ""),
                                     ("soko", "", "")):
            Facility._base_manager.create(municipality_id=town.pk, slug=slug, name=slug, department_id=department.pk,
                                          opendata_list=which, remarks=remarks)

        new = migrate(AFTER)
        Listing = new.get_model("opendata", "Listing")
        assert sorted(Listing._base_manager.values_list("municipality_id", "source", "key", "dataset", "remarks")) == [
            (town.pk, "reservations.facility", "kominkan", "public-facilities", "デモ用の架空データ"),
            (town.pk, "reservations.facility", "kosodate", "childcare-facilities", "")]

        old = migrate(BEFORE)
        Facility = old.get_model("reservations", "Facility")
        assert sorted(Facility._base_manager.values_list("slug", "opendata_list", "remarks")) == [
            ("kominkan", "public", "デモ用の架空データ"), ("kosodate", "childcare", ""), ("soko", "", "")]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    with scopes_disabled():
        from yakuba.opendata.models import Listing as Current

        assert Current.objects.count() == 2  # the latest schema is back, the rows migrated again
