"""Keeping a dataset: rows checked one by one, publishing only what is valid (the previous version stays public),
imports checked by a task and published whole or not at all, and who may do it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from tests.opendata.conftest import csv_text, valid_row
from tests.support.tasks import run_worker
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused
from yakuba.opendata.models import Origin, Row, Upload, UploadState, Version
from yakuba.opendata.services import editing, publish

pytestmark = pytest.mark.django_db(transaction=True)


def upload(town, staff, dataset, text: str, *, encoding: str = "utf-8-sig", name: str = "aed.csv") -> Upload:
    with scope(municipality=town):
        item = editing.receive(staff, dataset, SimpleUploadedFile(name, text.encode(encoding)), note="4月の更新")
    run_worker()
    with scope(municipality=town):
        return Upload.objects.get(pk=item.pk)


def test_a_row_is_checked_and_the_towns_code_filled_in(town_a, staff_a, aed):
    with scope(municipality=town_a):
        row = editing.save_row(staff_a, aed, None, valid_row("aed", town_a, ID="1", 全国地方公共団体コード=""))
        assert row.data["全国地方公共団体コード"] == town_a.code and row.key == "1"
        with pytest.raises(Refused) as refused:
            editing.save_row(staff_a, aed, None, valid_row("aed", town_a, ID="1", 緯度="138.7", 経度="36.2"))
        assert "入れ替わっていませんか" in refused.value.errors["緯度"]
        assert "既に使われています" in refused.value.errors["ID"]
        assert Row.objects.filter(dataset=aed).count() == 1
        assert AuditEntry.objects.filter(action="opendata.row_added").count() == 1


def test_publishing_makes_versions_and_keeps_the_old_ones(town_a, staff_a, aed):
    with scope(municipality=town_a):
        editing.save_row(staff_a, aed, None, valid_row("aed", town_a, ID="1", 名称="下仁田町役場"))
        first = editing.publish(staff_a, aed, note="初版")
        row = editing.save_row(staff_a, aed, None, valid_row("aed", town_a, ID="2", 名称="下仁田町公民館"))
        second = editing.publish(staff_a, aed)
        assert (first.number, second.number) == (1, 2) and second.origin == Origin.FORM
        assert [r["名称"] for r in publish.read(first).rows] == ["下仁田町役場"]
        assert [r["名称"] for r in publish.read(second).rows] == ["下仁田町役場", "下仁田町公民館"]
        assert publish.csv_bytes(second).startswith("\ufeff全国地方公共団体コード,".encode())
        editing.delete_row(staff_a, row)
        assert publish.current_version(aed) == second  # a deletion is public only once published


def test_nothing_is_published_while_a_row_is_invalid(town_a, staff_a, aed):
    with scope(municipality=town_a):
        editing.save_row(staff_a, aed, None, valid_row("aed", town_a, ID="1"))
        kept = editing.publish(staff_a, aed)
        Row.objects.create(municipality=town_a, dataset=aed, key="2", position=2,
                           data=valid_row("aed", town_a, ID="2", 緯度="99"))  # e.g. changed behind the form's back
        with pytest.raises(Refused) as refused:
            editing.publish(staff_a, aed)
        assert [(p.row, p.column) for p in refused.value.problems] == [(3, "緯度")]
        assert publish.current_version(aed) == kept


def test_a_valid_import_replaces_the_rows_and_publishes(town_a, staff_a, aed):
    rows = [valid_row("aed", town_a, ID=str(i), 名称=f"施設{i}") for i in range(1, 4)]
    item = upload(town_a, staff_a, aed, csv_text("aed", rows), encoding="cp932")
    assert item.state == UploadState.PUBLISHED and item.encoding == "Shift_JIS" and item.row_count == 3
    with scope(municipality=town_a):
        assert item.version is not None and item.version.origin == Origin.IMPORT
        assert item.version.note == "4月の更新"
        assert list(Row.objects.filter(dataset=aed).values_list("key", flat=True)) == ["1", "2", "3"]


def test_an_invalid_import_publishes_nothing_and_keeps_the_rows(town_a, staff_a, aed):
    with scope(municipality=town_a):
        editing.save_row(staff_a, aed, None, valid_row("aed", town_a, ID="old"))
        kept = editing.publish(staff_a, aed)
    rows = [valid_row("aed", town_a, ID="1"), valid_row("aed", town_a, ID="1", 経度="200")]
    item = upload(town_a, staff_a, aed, csv_text("aed", rows))
    assert item.state == UploadState.INVALID and item.error_count == 2
    assert {(e["row"], e["column"]) for e in item.errors} == {(3, "ID"), (3, "緯度")}
    with scope(municipality=town_a):
        assert publish.current_version(aed) == kept
        assert list(Row.objects.filter(dataset=aed).values_list("key", flat=True)) == ["old"]


def test_an_unreadable_file_is_invalid_with_its_reason(town_a, staff_a, aed):
    item = upload(town_a, staff_a, aed, "名前,場所\r\nA,B\r\n")
    assert item.state == UploadState.INVALID
    assert any("項目にありません" in e["message"] for e in item.errors)
    with scope(municipality=town_a):
        assert not Version.objects.filter(dataset=aed).exists()


def test_a_big_or_wrong_file_is_refused_at_once(town_a, staff_a, aed):
    with scope(municipality=town_a):
        big = SimpleUploadedFile("aed.csv", b"x")
        big.size = 100 * 1024 * 1024
        with pytest.raises(Refused) as refused:
            editing.receive(staff_a, aed, big)
        assert "ファイルが大きすぎます（100MB）" in refused.value.errors["file"]
        with pytest.raises(Refused) as refused:
            editing.receive(staff_a, aed, SimpleUploadedFile("aed.pdf", b"%PDF-1.4"))
        assert "CSV" in refused.value.errors["file"]
        assert not Upload.objects.exists()


def test_only_the_keeping_department_or_the_it_admin_may_edit(town_a, staff_a, staff_a_other, admin_a, aed, town_b,
                                                               staff_b):
    with scope(municipality=town_a):
        assert editing.may_edit(staff_a, aed) and editing.may_edit(admin_a, aed)
        assert not editing.may_edit(staff_a_other, aed)
        assert not editing.may_edit(staff_b, aed)
        with pytest.raises(Refused):
            editing.save_row(staff_a_other, aed, None, valid_row("aed", town_a, ID="1"))


def test_concurrent_publishes_get_distinct_version_numbers(town_a, staff_a, aed):
    from collections import Counter

    from django.db import connection

    from tests.support.race import race

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (YAKUBA_TEST_DATABASE_URL)")
    with scope(municipality=town_a):
        editing.save_row(staff_a, aed, None, valid_row("aed", town_a, ID="1"))
    outcomes = race(town_a, [lambda: editing.publish(staff_a, aed) for _ in range(6)])
    assert outcomes == Counter({"ok": 6})
    with scope(municipality=town_a):
        assert sorted(Version.objects.filter(dataset=aed).values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]


def test_an_import_checked_twice_publishes_once(town_a, staff_a, aed):
    item = upload(town_a, staff_a, aed, csv_text("aed", [valid_row("aed", town_a, ID="1")]))
    with scope(municipality=town_a):
        again = editing.process(Upload.objects.get(pk=item.pk))  # e.g. a worker retrying the task
        assert again.state == UploadState.PUBLISHED
        assert Version.objects.filter(dataset=aed).count() == 1
