"""Faster checks for the payment run and period close (see ledger/dbtriggers.py):

- the statement-level reference checks look each new value up once, in sorted order, instead of
  in the random order a hashed DISTINCT gave (a period close's 100,000 look-ups into the budget and
  transaction tables were four times slower that way); the checks group a statement's rows, and
  the balance check sums its legs, in memory (work_mem) rather than on disk;
- a budget's agreed_by and approved_by_type lose their indexes: nothing searches them, and every
  budget written or activated by a run paid for them.

The rules come off first and go back on last, as in 0006: SQLite rebuilds the altered table, and
a trigger naming it would stop the rebuild; on PostgreSQL putting them back replaces the functions.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from selfdirect.ledger.dbtriggers import lifted


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('ledger', '0006_statement_checked_records'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = lifted(
        migrations.AlterField(
            model_name='budget',
            name='agreed_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='budget',
            name='approved_by_type',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype'),
        ),
    )
