"""The database itself refuses to change or remove audit events (see core/dbtriggers.py)."""

from django.db import migrations

from selfdirect.core.dbtriggers import protect_audit_log, unprotect_audit_log


def forwards(apps, schema_editor):
    protect_audit_log(schema_editor.connection)


def backwards(apps, schema_editor):
    unprotect_audit_log(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
