"""Database triggers that refuse UPDATE and DELETE on audit entries, whatever code path tries."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry
       WHEN yakuba_audit_unlocked() = 0 BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
    """CREATE TRIGGER audit_auditentry_no_delete BEFORE DELETE ON audit_auditentry
       WHEN yakuba_audit_unlocked() = 0 BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_delete",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_auditentry_refuse() RETURNS trigger AS $$
       BEGIN
         IF current_setting('yakuba.audit_unlocked', true) = 'on' THEN
           IF TG_OP = 'TRUNCATE' THEN RETURN NULL; END IF;
           IF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'audit entries are append-only';
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_auditentry_no_change BEFORE UPDATE OR DELETE ON audit_auditentry
       FOR EACH ROW EXECUTE FUNCTION audit_auditentry_refuse()""",
    """CREATE TRIGGER audit_auditentry_no_truncate BEFORE TRUNCATE ON audit_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_auditentry_refuse()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_change ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_truncate ON audit_auditentry",
    "DROP FUNCTION IF EXISTS audit_auditentry_refuse()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
