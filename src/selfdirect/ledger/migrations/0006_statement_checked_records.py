"""The references of payments, payment-file lines and close lines, and a transaction's authority
and poster, checked by the database once per INSERT statement instead of by a foreign key per row;
payments, file lines and close lines become append-only like transactions and legs (see
ledger/dbtriggers.py). Three indexes that other indexes already cover, or that nothing searches,
go: they only slowed the run's writes, and the unique index on a transaction's reversal covers
only the reversals. The rules come off first and go back on last: SQLite rebuilds the altered
tables, and a trigger naming a table being rebuilt would stop it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from selfdirect.ledger.dbtriggers import lifted


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_audit_append_only'),
        ('ledger', '0005_statement_checked_references'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = lifted(
        migrations.AlterField(
            model_name='closeline',
            name='budget',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='close_lines', to='ledger.budget'),
        ),
        migrations.AlterField(
            model_name='closeline',
            name='period',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='close_lines', to='ledger.period'),
        ),
        migrations.AlterField(
            model_name='closeline',
            name='transaction',
            field=models.OneToOneField(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='close_line', to='ledger.transaction'),
        ),
        migrations.AlterField(
            model_name='payment',
            name='instalment',
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='payment', to='ledger.instalment'),
        ),
        migrations.AlterField(
            model_name='payment',
            name='run',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='ledger.paymentrun'),
        ),
        migrations.AlterField(
            model_name='payment',
            name='transaction',
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='payment', to='ledger.transaction'),
        ),
        migrations.AlterField(
            model_name='paymentline',
            name='payment',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='ledger.payment'),
        ),
        migrations.AlterField(
            model_name='transaction',
            name='authority',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.authority'),
        ),
        migrations.AlterField(
            model_name='transaction',
            name='posted_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='budget',
            name='authority',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.authority'),
        ),
        migrations.AlterField(
            model_name='transaction',
            name='reverses',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversed_by', to='ledger.transaction'),
        ),
        migrations.AddConstraint(
            model_name='transaction',
            constraint=models.UniqueConstraint(condition=models.Q(('reverses__isnull', False)), fields=('reverses',), name='ledger_reversed_once'),
        ),
    )
