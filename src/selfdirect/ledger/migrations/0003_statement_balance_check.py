"""PostgreSQL: the balance and open-period rules checked once per INSERT statement instead of once
per row (see ledger/dbtriggers.py). Replaces the per-leg deferred trigger of 0002 with a
statement-level sum of the new legs plus a deferred COMMIT check of any transaction they leave
unbalanced; the database refuses the same unbalanced transactions as before.

The SQL is this migration's own, written out: the statements ledger/dbtriggers.py ran for it as
that file stood at commit 2c64662, the last version before the next migration (a migration never
calls today's code, so replaying it installs what it installed then).
"""

from django.db import migrations

FORWARD = {
    'sqlite': [
        "CREATE TRIGGER IF NOT EXISTS ledger_transaction_no_update BEFORE UPDATE ON ledger_transaction\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_transaction_no_delete BEFORE DELETE ON ledger_transaction\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_leg_no_update BEFORE UPDATE ON ledger_leg\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_leg_no_delete BEFORE DELETE ON ledger_leg\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_transaction_open_period BEFORE INSERT ON ledger_transaction\n           WHEN (SELECT status FROM ledger_period WHERE id = NEW.period_id) = 'closed'\n           BEGIN SELECT RAISE(ABORT, 'the period is closed: nothing can be posted into it'); END",
    ],
    'postgresql': [
        "CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$\n           BEGIN RAISE EXCEPTION 'posted ledger records never change: post a reversal'; END $$",
        'DROP TRIGGER IF EXISTS ledger_transaction_no_change ON ledger_transaction',
        'CREATE TRIGGER ledger_transaction_no_change BEFORE UPDATE OR DELETE ON ledger_transaction\n           FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()',
        'DROP TRIGGER IF EXISTS ledger_leg_no_change ON ledger_leg',
        'CREATE TRIGGER ledger_leg_no_change BEFORE UPDATE OR DELETE ON ledger_leg\n           FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()',
        "CREATE OR REPLACE FUNCTION ledger_open_period() RETURNS trigger LANGUAGE plpgsql AS $$\n           DECLARE closed_label text;\n           BEGIN\n             SELECT to_char(p.start, 'YYYY-MM') INTO closed_label\n               FROM (SELECT DISTINCT period_id FROM new_transactions) n\n               JOIN ledger_period p ON p.id = n.period_id\n              WHERE p.status = 'closed' LIMIT 1;\n             IF closed_label IS NOT NULL THEN\n               RAISE EXCEPTION 'the period is closed: nothing can be posted into it (%)', closed_label;\n             END IF;\n             RETURN NULL;\n           END $$",
        'DROP TRIGGER IF EXISTS ledger_transaction_open_period ON ledger_transaction',
        'CREATE TRIGGER ledger_transaction_open_period AFTER INSERT ON ledger_transaction\n           REFERENCING NEW TABLE AS new_transactions\n           FOR EACH STATEMENT EXECUTE FUNCTION ledger_open_period()',
        'CREATE TABLE IF NOT EXISTS ledger_balance_check (transaction_id bigint NOT NULL)',
        "CREATE OR REPLACE FUNCTION ledger_queue_balance_check() RETURNS trigger LANGUAGE plpgsql AS $$\n           BEGIN\n             INSERT INTO ledger_balance_check (transaction_id)\n               SELECT transaction_id FROM new_legs GROUP BY transaction_id\n               HAVING SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END) <> 0;\n             RETURN NULL;\n           END $$",
        "CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$\n           DECLARE total bigint;\n           BEGIN\n             SELECT COALESCE(SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END), 0) INTO total\n               FROM ledger_leg WHERE transaction_id = NEW.transaction_id;\n             IF total <> 0 THEN\n               RAISE EXCEPTION 'ledger transaction % does not balance: debits minus credits is % pence',\n                 NEW.transaction_id, total USING ERRCODE = 'check_violation';\n             END IF;\n             DELETE FROM ledger_balance_check WHERE transaction_id = NEW.transaction_id;\n             RETURN NULL;\n           END $$",
        'DROP TRIGGER IF EXISTS ledger_leg_balanced ON ledger_leg',
        'DROP TRIGGER IF EXISTS ledger_leg_queue_balance_check ON ledger_leg',
        'CREATE TRIGGER ledger_leg_queue_balance_check AFTER INSERT ON ledger_leg\n           REFERENCING NEW TABLE AS new_legs\n           FOR EACH STATEMENT EXECUTE FUNCTION ledger_queue_balance_check()',
        'DROP TRIGGER IF EXISTS ledger_balance_check_at_commit ON ledger_balance_check',
        'CREATE CONSTRAINT TRIGGER ledger_balance_check_at_commit AFTER INSERT ON ledger_balance_check\n           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced()',
    ],
}


def _run(statements):
    def run(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            for sql in statements.get(schema_editor.connection.vendor, []):
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_ledger_rules")]
    operations = [migrations.RunPython(_run(FORWARD), migrations.RunPython.noop)]
