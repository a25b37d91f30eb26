"""The database enforces the ledger's rules too (see ledger/dbtriggers.py): posted transactions
and legs never change, closed periods take no postings, and on PostgreSQL a deferred constraint
trigger refuses at COMMIT any transaction whose legs do not sum to zero.

The SQL is this migration's own, written out: the statements ledger/dbtriggers.py ran for it as
that file stood at commit 3715edf, the last version before the next migration (a migration never
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
        "CREATE OR REPLACE FUNCTION ledger_open_period() RETURNS trigger LANGUAGE plpgsql AS $$\n           BEGIN\n             IF (SELECT status FROM ledger_period WHERE id = NEW.period_id) = 'closed' THEN\n               RAISE EXCEPTION 'the period is closed: nothing can be posted into it';\n             END IF;\n             RETURN NEW;\n           END $$",
        'DROP TRIGGER IF EXISTS ledger_transaction_open_period ON ledger_transaction',
        'CREATE TRIGGER ledger_transaction_open_period BEFORE INSERT ON ledger_transaction\n           FOR EACH ROW EXECUTE FUNCTION ledger_open_period()',
        "CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$\n           DECLARE total bigint;\n           BEGIN\n             SELECT COALESCE(SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END), 0) INTO total\n               FROM ledger_leg WHERE transaction_id = NEW.transaction_id;\n             IF total <> 0 THEN\n               RAISE EXCEPTION 'ledger transaction % does not balance: debits minus credits is % pence',\n                 NEW.transaction_id, total USING ERRCODE = 'check_violation';\n             END IF;\n             RETURN NULL;\n           END $$",
        'DROP TRIGGER IF EXISTS ledger_leg_balanced ON ledger_leg',
        'CREATE CONSTRAINT TRIGGER ledger_leg_balanced AFTER INSERT ON ledger_leg\n           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced()',
    ],
}

BACKWARD = {
    'sqlite': [
        'DROP TRIGGER IF EXISTS ledger_transaction_open_period',
        'DROP TRIGGER IF EXISTS ledger_transaction_no_update',
        'DROP TRIGGER IF EXISTS ledger_transaction_no_delete',
        'DROP TRIGGER IF EXISTS ledger_leg_no_update',
        'DROP TRIGGER IF EXISTS ledger_leg_no_delete',
    ],
    'postgresql': [
        'DROP TRIGGER IF EXISTS ledger_leg_balanced ON ledger_leg',
        'DROP TRIGGER IF EXISTS ledger_transaction_open_period ON ledger_transaction',
        'DROP FUNCTION IF EXISTS ledger_check_balanced()',
        'DROP FUNCTION IF EXISTS ledger_open_period()',
        'DROP TRIGGER IF EXISTS ledger_transaction_no_change ON ledger_transaction',
        'DROP TRIGGER IF EXISTS ledger_leg_no_change ON ledger_leg',
        'DROP FUNCTION IF EXISTS ledger_refuse_change()',
    ],
}


def _run(statements):
    def run(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            for sql in statements.get(schema_editor.connection.vendor, []):
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
