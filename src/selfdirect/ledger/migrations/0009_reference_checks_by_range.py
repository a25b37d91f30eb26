"""The statement-level reference checks first try one count over an index range (see
ledger/dbtriggers.py, ``_missing``): a statement's new transactions, payments and single values
(its period, authority or run) are proved present without a look-up each. Putting the rules back
replaces the check functions with the current ones."""

from django.db import migrations

from selfdirect.ledger.dbtriggers import lifted


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0008_budget_status_outside_indexes'),
    ]

    operations = lifted()
