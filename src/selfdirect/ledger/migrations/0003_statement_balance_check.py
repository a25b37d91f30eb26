"""PostgreSQL: the balance and open-period rules checked once per INSERT statement instead of once
per row (see ledger/dbtriggers.py). Replaces the per-leg deferred trigger of 0002 with a
statement-level sum of the new legs plus a deferred COMMIT check of any transaction they leave
unbalanced; the database refuses the same unbalanced transactions as before."""

from django.db import migrations

from selfdirect.ledger.dbtriggers import install


def forwards(apps, schema_editor):
    install(schema_editor.connection, references=False)  # added by 0005


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_ledger_rules")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
