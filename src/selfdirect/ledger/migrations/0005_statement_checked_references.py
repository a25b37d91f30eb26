"""Transactions' and legs' references to ledger tables checked by the database once per INSERT
statement instead of by a foreign key per row (see ledger/dbtriggers.py); the index on
Transaction.authority dropped (the (authority, kind) index covers it). The triggers are installed
again afterwards: SQLite rebuilds the altered tables without them.

The SQL is this migration's own, written out: the statements ledger/dbtriggers.py ran for it as
that file stood at commit 3a5d4b2, the last version before the next migration (a migration never
calls today's code, so replaying it installs what it installed then).
"""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = {
    'sqlite': [
        "CREATE TRIGGER IF NOT EXISTS ledger_transaction_no_update BEFORE UPDATE ON ledger_transaction\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_transaction_no_delete BEFORE DELETE ON ledger_transaction\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_leg_no_update BEFORE UPDATE ON ledger_leg\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_leg_no_delete BEFORE DELETE ON ledger_leg\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_transaction_open_period BEFORE INSERT ON ledger_transaction\n           WHEN (SELECT status FROM ledger_period WHERE id = NEW.period_id) = 'closed'\n           BEGIN SELECT RAISE(ABORT, 'the period is closed: nothing can be posted into it'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_account_in_use BEFORE DELETE ON ledger_account\n            WHEN EXISTS (SELECT 1 FROM ledger_leg WHERE account_id = OLD.id)\n            BEGIN SELECT RAISE(ABORT, 'the ledger refers to this account: it cannot be removed'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_period_in_use BEFORE DELETE ON ledger_period\n            WHEN EXISTS (SELECT 1 FROM ledger_transaction WHERE period_id = OLD.id)\n            BEGIN SELECT RAISE(ABORT, 'the ledger refers to this period: it cannot be removed'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_transaction_references BEFORE INSERT ON ledger_transaction\n           WHEN NOT EXISTS (SELECT 1 FROM ledger_period WHERE id = NEW.period_id)\n             OR (NEW.reverses_id IS NOT NULL\n                 AND NOT EXISTS (SELECT 1 FROM ledger_transaction WHERE id = NEW.reverses_id))\n           BEGIN SELECT RAISE(ABORT, 'ledger transaction refers to a period or transaction that does not exist'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_leg_references BEFORE INSERT ON ledger_leg\n           WHEN NOT EXISTS (SELECT 1 FROM ledger_transaction WHERE id = NEW.transaction_id)\n             OR NOT EXISTS (SELECT 1 FROM ledger_account WHERE id = NEW.account_id)\n           BEGIN SELECT RAISE(ABORT, 'ledger leg refers to a transaction or account that does not exist'); END",
    ],
    'postgresql': [
        "CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$\n           BEGIN RAISE EXCEPTION 'posted ledger records never change: post a reversal'; END $$",
        'DROP TRIGGER IF EXISTS ledger_transaction_no_change ON ledger_transaction',
        'CREATE TRIGGER ledger_transaction_no_change BEFORE UPDATE OR DELETE ON ledger_transaction\n           FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()',
        'DROP TRIGGER IF EXISTS ledger_leg_no_change ON ledger_leg',
        'CREATE TRIGGER ledger_leg_no_change BEFORE UPDATE OR DELETE ON ledger_leg\n           FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()',
        "CREATE OR REPLACE FUNCTION ledger_open_period() RETURNS trigger LANGUAGE plpgsql AS $$\n           DECLARE closed_label text;\n           BEGIN\n             SELECT to_char(p.start, 'YYYY-MM') INTO closed_label\n               FROM (SELECT DISTINCT period_id FROM new_transactions) n\n               JOIN ledger_period p ON p.id = n.period_id\n              WHERE p.status = 'closed' LIMIT 1;\n             IF closed_label IS NOT NULL THEN\n               RAISE EXCEPTION 'the period is closed: nothing can be posted into it (%)', closed_label;\n             END IF;\n             -- References, for the whole statement at once (see the module's docstring).\n             IF EXISTS (SELECT 1 FROM (SELECT DISTINCT period_id FROM new_transactions) n\n                         WHERE NOT EXISTS (SELECT 1 FROM ledger_period p WHERE p.id = n.period_id))\n                OR EXISTS (SELECT 1 FROM (SELECT DISTINCT budget_id FROM new_transactions\n                                           WHERE budget_id IS NOT NULL) n\n                            WHERE NOT EXISTS (SELECT 1 FROM ledger_budget b WHERE b.id = n.budget_id))\n                OR EXISTS (SELECT 1 FROM new_transactions n WHERE n.reverses_id IS NOT NULL\n                              AND NOT EXISTS (SELECT 1 FROM ledger_transaction t WHERE t.id = n.reverses_id))\n             THEN\n               RAISE EXCEPTION 'ledger transaction refers to a period, budget or transaction that does not exist'\n                 USING ERRCODE = 'foreign_key_violation';\n             END IF;\n             RETURN NULL;\n           END $$",
        'DROP TRIGGER IF EXISTS ledger_transaction_open_period ON ledger_transaction',
        'CREATE TRIGGER ledger_transaction_open_period AFTER INSERT ON ledger_transaction\n           REFERENCING NEW TABLE AS new_transactions\n           FOR EACH STATEMENT EXECUTE FUNCTION ledger_open_period()',
        'CREATE TABLE IF NOT EXISTS ledger_balance_check (transaction_id bigint NOT NULL)',
        "CREATE OR REPLACE FUNCTION ledger_queue_balance_check() RETURNS trigger LANGUAGE plpgsql AS $$\n           BEGIN\n             IF EXISTS (SELECT 1 FROM (SELECT DISTINCT transaction_id FROM new_legs) n\n                         WHERE NOT EXISTS (SELECT 1 FROM ledger_transaction t WHERE t.id = n.transaction_id))\n                OR EXISTS (SELECT 1 FROM (SELECT DISTINCT account_id FROM new_legs) n\n                            WHERE NOT EXISTS (SELECT 1 FROM ledger_account a WHERE a.id = n.account_id))\n             THEN\n               RAISE EXCEPTION 'ledger leg refers to a transaction or account that does not exist'\n                 USING ERRCODE = 'foreign_key_violation';\n             END IF;\n             INSERT INTO ledger_balance_check (transaction_id)\n               SELECT transaction_id FROM new_legs GROUP BY transaction_id\n               HAVING SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END) <> 0;\n             RETURN NULL;\n           END $$",
        "CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$\n           DECLARE total bigint;\n           BEGIN\n             SELECT COALESCE(SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END), 0) INTO total\n               FROM ledger_leg WHERE transaction_id = NEW.transaction_id;\n             IF total <> 0 THEN\n               RAISE EXCEPTION 'ledger transaction % does not balance: debits minus credits is % pence',\n                 NEW.transaction_id, total USING ERRCODE = 'check_violation';\n             END IF;\n             DELETE FROM ledger_balance_check WHERE transaction_id = NEW.transaction_id;\n             RETURN NULL;\n           END $$",
        'DROP TRIGGER IF EXISTS ledger_leg_balanced ON ledger_leg',
        'DROP TRIGGER IF EXISTS ledger_leg_queue_balance_check ON ledger_leg',
        'CREATE TRIGGER ledger_leg_queue_balance_check AFTER INSERT ON ledger_leg\n           REFERENCING NEW TABLE AS new_legs\n           FOR EACH STATEMENT EXECUTE FUNCTION ledger_queue_balance_check()',
        'DROP TRIGGER IF EXISTS ledger_balance_check_at_commit ON ledger_balance_check',
        'CREATE CONSTRAINT TRIGGER ledger_balance_check_at_commit AFTER INSERT ON ledger_balance_check\n           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced()',
        "CREATE OR REPLACE FUNCTION ledger_refuse_removing_used() RETURNS trigger LANGUAGE plpgsql AS $$\n           BEGIN\n             IF TG_TABLE_NAME = 'ledger_account' THEN\n               PERFORM 1 FROM ledger_leg WHERE account_id = OLD.id LIMIT 1;\n             ELSIF TG_TABLE_NAME = 'ledger_period' THEN\n               PERFORM 1 FROM ledger_transaction WHERE period_id = OLD.id LIMIT 1;\n             ELSE\n               PERFORM 1 FROM ledger_transaction WHERE budget_id = OLD.id LIMIT 1;\n             END IF;\n             IF FOUND THEN\n               RAISE EXCEPTION 'the ledger refers to % %: it cannot be removed', TG_TABLE_NAME, OLD.id\n                 USING ERRCODE = 'foreign_key_violation';\n             END IF;\n             RETURN OLD;\n           END $$",
        'DROP TRIGGER IF EXISTS ledger_account_in_use ON ledger_account',
        'CREATE TRIGGER ledger_account_in_use BEFORE DELETE ON ledger_account\n                FOR EACH ROW EXECUTE FUNCTION ledger_refuse_removing_used()',
        'DROP TRIGGER IF EXISTS ledger_period_in_use ON ledger_period',
        'CREATE TRIGGER ledger_period_in_use BEFORE DELETE ON ledger_period\n                FOR EACH ROW EXECUTE FUNCTION ledger_refuse_removing_used()',
        'DROP TRIGGER IF EXISTS ledger_budget_in_use ON ledger_budget',
        'CREATE TRIGGER ledger_budget_in_use BEFORE DELETE ON ledger_budget\n                FOR EACH ROW EXECUTE FUNCTION ledger_refuse_removing_used()',
    ],
}


def _run(statements):
    def run(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            for sql in statements.get(schema_editor.connection.vendor, []):
                cursor.execute(sql)

    return run


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
        migrations.RunPython(_run(FORWARD), migrations.RunPython.noop),
    ]
