"""A closed month does not change: the database refuses any INSERT, UPDATE or DELETE of a work period, a leave
request or an overtime row that falls in a (staff member, month) whose 月次締め row is closed, whatever code path
tries. Only the audited reopening (services.month.reopen) flips the close row back.

PostgreSQL: one trigger function; its arguments name the row's date columns, and it locks the close row it reads
(FOR SHARE), so closing a month waits for a write under way into it and then counts it. SQLite: triggers per
table and operation (one writer at a time, so a check inside the writing transaction cannot race).
"""

from django.db import migrations

CLOSE = "attendance_monthclose"
# table -> the date columns whose months a row touches
TABLES = {
    "attendance_workperiod": ("day",),
    "attendance_leaverequest": ("first_day", "last_day"),
    "attendance_overtime": ("day",),
}
MESSAGE = "attendance_month_closed"


def _sqlite_closed(row: str, columns: tuple[str, ...]) -> str:
    months = " OR ".join(f"c.month = date({row}.{column}, 'start of month')" for column in columns)
    return (f"EXISTS (SELECT 1 FROM {CLOSE} c WHERE c.staff_id = {row}.staff_id AND c.state = 'closed' "
            f"AND ({months}))")


SQLITE = []
SQLITE_REVERSE = []
for _table, _columns in TABLES.items():
    for _op, _when in (("insert", _sqlite_closed("NEW", _columns)), ("delete", _sqlite_closed("OLD", _columns)),
                       ("update", f"{_sqlite_closed('OLD', _columns)} OR {_sqlite_closed('NEW', _columns)}")):
        SQLITE.append(f"CREATE TRIGGER {_table}_closed_{_op} BEFORE {_op.upper()} ON {_table} WHEN {_when} "
                      f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
        SQLITE_REVERSE.append(f"DROP TRIGGER IF EXISTS {_table}_closed_{_op}")

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION attendance_refuse_closed_month() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        rows jsonb[];
        one jsonb;
        col text;
        closed boolean;
    BEGIN
        IF TG_OP = 'INSERT' THEN rows := ARRAY[to_jsonb(NEW)];
        ELSIF TG_OP = 'DELETE' THEN rows := ARRAY[to_jsonb(OLD)];
        ELSE rows := ARRAY[to_jsonb(OLD), to_jsonb(NEW)];
        END IF;
        FOREACH one IN ARRAY rows LOOP
            FOREACH col IN ARRAY TG_ARGV LOOP
                SELECT TRUE INTO closed FROM {CLOSE} c
                    WHERE c.staff_id = (one->>'staff_id')::bigint AND c.state = 'closed'
                      AND c.month = date_trunc('month', (one->>col)::date)::date
                    FOR SHARE;
                IF closed THEN
                    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23514';
                END IF;
            END LOOP;
        END LOOP;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$""",
]
POSTGRES_REVERSE = []
for _table, _columns in TABLES.items():
    _args = ", ".join(f"'{column}'" for column in _columns)
    POSTGRES.append(f"CREATE TRIGGER {_table}_closed BEFORE INSERT OR UPDATE OR DELETE ON {_table} "
                    f"FOR EACH ROW EXECUTE FUNCTION attendance_refuse_closed_month({_args})")
    POSTGRES_REVERSE.append(f"DROP TRIGGER IF EXISTS {_table}_closed ON {_table}")
POSTGRES_REVERSE.append("DROP FUNCTION IF EXISTS attendance_refuse_closed_month()")


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("attendance", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
