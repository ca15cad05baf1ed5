"""Make the audit table append-only on PostgreSQL.

A trigger refuses UPDATE and DELETE of audit rows. Someone with the power to
drop the trigger can still edit rows: the hash chain is what makes that visible
(``port2port audit verify``). SQLite has no roles to keep such a trigger safe
and its test flushes delete rows, so it relies on the chain alone.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION core_auditentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_refuse_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_registry_accounts_audit")]

    operations = [migrations.RunPython(forward, reverse)]
