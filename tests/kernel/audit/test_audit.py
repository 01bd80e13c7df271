"""Audit entries: recorded for reads of personal data, searchable by 情報担当, never changed or removed."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django_scopes import scope, scopes_disabled

from tests import factories
from yakuba.kernel.audit import guard
from yakuba.kernel.audit.models import AuditEntry, AuditImmutable
from yakuba.kernel.audit.services import record


@pytest.fixture
def entry(town_a, staff_a):
    return record("test.thing.done", municipality=town_a, actor=staff_a.user, data={"n": 1})


@pytest.mark.django_db
def test_orm_save_of_an_existing_entry_is_refused(entry):
    entry.action = "forged"
    with pytest.raises(AuditImmutable):
        entry.save()


@pytest.mark.django_db
def test_orm_delete_paths_are_refused(entry, town_a):
    with pytest.raises(AuditImmutable):
        entry.delete()
    with scope(municipality=town_a):
        with pytest.raises(AuditImmutable):
            AuditEntry.objects.filter(pk=entry.pk).delete()
        with pytest.raises(AuditImmutable):
            AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
        with pytest.raises(AuditImmutable):
            AuditEntry.objects.bulk_update([entry], ["action"])
        assert AuditEntry.objects.get(pk=entry.pk).action == "test.thing.done"


@pytest.mark.django_db
def test_database_triggers_refuse_raw_sql(entry):
    table = AuditEntry._meta.db_table
    with guard.locked():
        for sql in (f"UPDATE {table} SET action = 'forged'", f"DELETE FROM {table}"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    with scopes_disabled():
        assert AuditEntry.objects.get(pk=entry.pk).action == "test.thing.done"


@pytest.mark.django_db
def test_viewing_a_resident_records_a_read(town_a, staff_a, resident_a):
    client = factories.staff_client(staff_a)
    response = client.get(f"/t/10382/staff/residents/{resident_a.pk}/")
    assert response.status_code == 200
    assert resident_a.address in response.content.decode()
    with scope(municipality=town_a):
        read = AuditEntry.objects.get(action="accounts.resident.viewed")
    assert read.actor == staff_a.user
    assert read.object_id == str(resident_a.pk)
    assert read.municipality == town_a
    assert read.ip_address == "127.0.0.1"


@pytest.mark.django_db
def test_listing_residents_records_the_search(town_a, staff_a, resident_a):
    factories.staff_client(staff_a).get("/t/10382/staff/residents/?q=山田")
    with scope(municipality=town_a):
        listed = AuditEntry.objects.get(action="accounts.resident.listed")
    assert listed.data == {"query": "山田", "count": 1}


@pytest.mark.django_db
def test_admin_searches_the_log_of_their_own_town_only(town_a, town_b, admin_a, staff_a, resident_a, staff_b):
    factories.staff_client(staff_a).get(f"/t/10382/staff/residents/{resident_a.pk}/")
    record("accounts.resident.viewed", municipality=town_b, actor=staff_b.user, data={})
    client = factories.staff_client(admin_a)
    page = client.get("/t/10382/staff/audit/?action=accounts.resident.viewed").content.decode()
    assert str(resident_a) in page
    assert staff_b.user.email not in page
    assert page.count("<code>accounts.resident.viewed</code>") == 1
    assert str(resident_a) not in client.get("/t/10382/staff/audit/?action=nothing").content.decode()


@pytest.mark.django_db
def test_the_audit_page_offers_no_way_to_change_entries(town_a, admin_a):
    client = factories.staff_client(admin_a)
    assert client.post("/t/10382/staff/audit/").status_code == 405
    main = client.get("/t/10382/staff/audit/").content.decode().split("<main", 1)[1].split("</main>")[0]
    assert 'method="post"' not in main
