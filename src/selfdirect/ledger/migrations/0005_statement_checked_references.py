"""Transactions' and legs' references to ledger tables checked by the database once per INSERT
statement instead of by a foreign key per row (see ledger/dbtriggers.py); the index on
Transaction.authority dropped (the (authority, kind) index covers it). The triggers are installed
again afterwards: SQLite rebuilds the altered tables without them."""

import django.db.models.deletion
from django.db import migrations, models

from selfdirect.ledger.dbtriggers import install


def forwards(apps, schema_editor):
    install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_append_only"),
        ("ledger", "0004_reassessment_disputes_plan_lines"),
    ]

    operations = [
        migrations.AlterField(
            model_name="leg",
            name="account",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="legs",
                to="ledger.account",
            ),
        ),
        migrations.AlterField(
            model_name="leg",
            name="transaction",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="legs",
                to="ledger.transaction",
            ),
        ),
        migrations.AlterField(
            model_name="transaction",
            name="authority",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.authority",
            ),
        ),
        migrations.AlterField(
            model_name="transaction",
            name="budget",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="transactions",
                to="ledger.budget",
            ),
        ),
        migrations.AlterField(
            model_name="transaction",
            name="period",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="transactions",
                to="ledger.period",
            ),
        ),
        migrations.AlterField(
            model_name="transaction",
            name="reverses",
            field=models.OneToOneField(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reversed_by",
                to="ledger.transaction",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
