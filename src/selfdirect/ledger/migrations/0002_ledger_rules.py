"""The database enforces the ledger's rules too (see ledger/dbtriggers.py): posted transactions
and legs never change, closed periods take no postings, and on PostgreSQL a deferred constraint
trigger refuses at COMMIT any transaction whose legs do not sum to zero."""

from django.db import migrations

from selfdirect.ledger.dbtriggers import install, uninstall


def forwards(apps, schema_editor):
    install(schema_editor.connection, references=False)  # added by 0005


def backwards(apps, schema_editor):
    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
