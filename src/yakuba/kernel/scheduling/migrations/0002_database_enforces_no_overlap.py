"""The database itself refuses overlapping bookings of an exclusive resource and seats beyond capacity.

PostgreSQL: an exclusion constraint (btree_gist) for exclusive resources, and a trigger that locks the resource row
and counts overlapping seats. SQLite: triggers doing the same checks; SQLite runs one writer at a time (the project
opens write transactions IMMEDIATE), so a check inside the writing transaction cannot race.
"""

from django.db import migrations

TABLE = "kernel_scheduling_booking"
ACTIVE = "status <> 'cancelled'"

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE {TABLE} ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (
        resource_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (exclusive AND {ACTIVE})""",
    f"""CREATE FUNCTION booking_within_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        limit_seats integer;
        taken integer;
    BEGIN
        IF NEW.status = 'cancelled' THEN
            RETURN NEW;
        END IF;
        -- Serialise bookings of one resource: the second transaction waits here for the first to finish.
        SELECT capacity INTO limit_seats FROM kernel_scheduling_resource WHERE id = NEW.resource_id FOR UPDATE;
        SELECT COALESCE(SUM(seats), 0) INTO taken FROM {TABLE}
            WHERE resource_id = NEW.resource_id AND {ACTIVE} AND id IS DISTINCT FROM NEW.id
              AND starts_at < NEW.ends_at AND NEW.starts_at < ends_at;
        IF taken + NEW.seats > limit_seats THEN
            RAISE EXCEPTION 'booking_over_capacity' USING ERRCODE = '23P01';
        END IF;
        RETURN NEW;
    END $$""",
    f"""CREATE TRIGGER booking_within_capacity BEFORE INSERT OR UPDATE OF starts_at, ends_at, seats, status
        ON {TABLE} FOR EACH ROW EXECUTE FUNCTION booking_within_capacity()""",
]
POSTGRES_REVERSE = [
    f"DROP TRIGGER IF EXISTS booking_within_capacity ON {TABLE}",
    "DROP FUNCTION IF EXISTS booking_within_capacity()",
    f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS booking_no_overlap",
]

_SQLITE_CHECK = f"""
BEGIN
    SELECT RAISE(ABORT, 'booking_no_overlap') WHERE NEW.exclusive AND EXISTS (
        SELECT 1 FROM {TABLE} b WHERE b.resource_id = NEW.resource_id AND b.exclusive AND b.{ACTIVE}
          AND b.id IS NOT NEW.id AND b.starts_at < NEW.ends_at AND NEW.starts_at < b.ends_at);
    SELECT RAISE(ABORT, 'booking_over_capacity') WHERE (
        SELECT COALESCE(SUM(b.seats), 0) FROM {TABLE} b WHERE b.resource_id = NEW.resource_id AND b.{ACTIVE}
          AND b.id IS NOT NEW.id AND b.starts_at < NEW.ends_at AND NEW.starts_at < b.ends_at
    ) + NEW.seats > (SELECT capacity FROM kernel_scheduling_resource WHERE id = NEW.resource_id);
END"""
SQLITE = [
    f"CREATE TRIGGER booking_checks_insert BEFORE INSERT ON {TABLE} WHEN NEW.{ACTIVE} {_SQLITE_CHECK}",
    f"""CREATE TRIGGER booking_checks_update BEFORE UPDATE OF starts_at, ends_at, seats, status, exclusive
        ON {TABLE} WHEN NEW.{ACTIVE} {_SQLITE_CHECK}""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS booking_checks_insert", "DROP TRIGGER IF EXISTS booking_checks_update"]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("kernel_scheduling", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
