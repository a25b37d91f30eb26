"""On PostgreSQL the database itself refuses overlapping rate tables for one service (an exclusion
constraint over daterange). SQLite has no such constraint; services.py checks there (and on both)."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE market_ratetable ADD CONSTRAINT market_rate_no_overlap EXCLUDE USING gist (
    service_id WITH =,
    daterange(starts_on, ends_on, '[]') WITH &&
);
"""
DROP = "ALTER TABLE market_ratetable DROP CONSTRAINT IF EXISTS market_rate_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("market", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
