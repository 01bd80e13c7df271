"""Migrating 避難所 to the status of a 指定避難所 row of the open data: each shelter matched by name (spaces ignored)
keeps its status under the row's ID; one that matches no row keeps its name and status with no row, for staff."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("notices", "0001_initial"), ("opendata", "0002_listing")]
AFTER = [("notices", "0002_shelter_site")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_shelters_are_matched_to_the_datasets_rows_by_name():
    town, other = factories.make_town(), factories.make_town("10384", "甘楽町")
    try:
        old = migrate(BEFORE)
        Dataset, Row = old.get_model("opendata", "Dataset"), old.get_model("opendata", "Row")
        Shelter = old.get_model("notices", "Shelter")
        dataset = Dataset._base_manager.create(municipality_id=town.pk, kind="evacuation-sites", title="避難場所")
        sites = (("000002", "下仁田町立下仁田小学校"), ("000003", "下仁田町文化ホール"))
        for position, (key, name) in enumerate(sites):
            Row._base_manager.create(municipality_id=town.pk, dataset=dataset, key=key, position=position,
                                     data={"ID": key, "名称": name})
        Shelter._base_manager.create(municipality_id=town.pk, name="下仁田町　文化ホール", status="open",
                                     note="駐車場あり", capacity=400)
        Shelter._base_manager.create(municipality_id=town.pk, name="西牧公民館", status="closed")
        Shelter._base_manager.create(municipality_id=other.pk, name="下仁田町文化ホール", status="crowded")

        new = migrate(AFTER)
        Shelter = new.get_model("notices", "Shelter")
        found = sorted(Shelter._base_manager.values_list("municipality_id", "site", "name", "status", "note"))
        assert found == [(town.pk, "", "西牧公民館", "closed", ""),
                         (town.pk, "000003", "下仁田町　文化ホール", "open", "駐車場あり"),
                         (other.pk, "", "下仁田町文化ホール", "crowded", "")]  # another town's row is not its own
        assert Shelter._base_manager.get(site="000003").opened_at is not None
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
