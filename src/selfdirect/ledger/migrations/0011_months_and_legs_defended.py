"""Months and legs the database defends itself (issue 17), with the SQL of this day (a migration
never calls today's code, so replaying it installs what it installed):

- a closed month stays closed and unchanged and is never removed; months close in order; no month
  is opened before a closed one (both engines);
- no ledger table can be emptied by TRUNCATE (PostgreSQL);
- a leg's account belongs to its transaction's authority (both engines; on PostgreSQL inside the leg
  statement's balance check, whose function this replaces).
"""

from django.db import migrations

FORWARD = {
    'sqlite': [
        "CREATE TRIGGER IF NOT EXISTS ledger_period_stays_closed BEFORE UPDATE ON ledger_period\n           WHEN OLD.status = 'closed'\n           BEGIN SELECT RAISE(ABORT, 'a closed month cannot be reopened or changed'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_period_closed_kept BEFORE DELETE ON ledger_period\n           WHEN OLD.status = 'closed'\n           BEGIN SELECT RAISE(ABORT, 'a closed month cannot be removed'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_period_closes_in_order BEFORE UPDATE ON ledger_period\n           WHEN NEW.status = 'closed' AND OLD.status <> 'closed' AND EXISTS (\n             SELECT 1 FROM ledger_period p\n              WHERE p.authority_id = NEW.authority_id AND p.start < NEW.start AND p.status <> 'closed')\n           BEGIN SELECT RAISE(ABORT, 'months close in order: an earlier month is still open'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_period_not_before_closed BEFORE INSERT ON ledger_period\n           WHEN EXISTS (SELECT 1 FROM ledger_period p\n                         WHERE p.authority_id = NEW.authority_id AND p.start > NEW.start AND p.status = 'closed')\n           BEGIN SELECT RAISE(ABORT, 'a later month is closed: this month cannot be opened'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_leg_same_authority BEFORE INSERT ON ledger_leg\n   WHEN (SELECT authority_id FROM ledger_account WHERE id = NEW.account_id)\n        IS NOT (SELECT authority_id FROM ledger_transaction WHERE id = NEW.transaction_id)\n   BEGIN SELECT RAISE(ABORT, 'a leg''s account belongs to another authority than its transaction'); END",
    ],
    'postgresql': [
        "CREATE OR REPLACE FUNCTION ledger_period_rules() RETURNS trigger LANGUAGE plpgsql AS $$\n           BEGIN\n             IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'closed' THEN\n               RAISE EXCEPTION 'a closed month cannot be reopened, changed or removed (%)', to_char(OLD.start, 'YYYY-MM')\n                 USING ERRCODE = 'check_violation';\n             END IF;\n             IF TG_OP = 'DELETE' THEN\n               RETURN OLD;\n             END IF;\n             IF TG_OP = 'UPDATE' AND NEW.status = 'closed' AND EXISTS (\n                  SELECT 1 FROM ledger_period p\n                   WHERE p.authority_id = NEW.authority_id AND p.start < NEW.start AND p.status <> 'closed') THEN\n               RAISE EXCEPTION 'months close in order: a month before % is still open', to_char(NEW.start, 'YYYY-MM')\n                 USING ERRCODE = 'check_violation';\n             END IF;\n             IF TG_OP = 'INSERT' AND EXISTS (\n                  SELECT 1 FROM ledger_period p\n                   WHERE p.authority_id = NEW.authority_id AND p.start > NEW.start AND p.status = 'closed') THEN\n               RAISE EXCEPTION 'a month after % is closed: it cannot be opened', to_char(NEW.start, 'YYYY-MM')\n                 USING ERRCODE = 'check_violation';\n             END IF;\n             RETURN NEW;\n           END $$",
        'DROP TRIGGER IF EXISTS ledger_period_rules ON ledger_period',
        'CREATE TRIGGER ledger_period_rules BEFORE INSERT OR UPDATE OR DELETE ON ledger_period\n           FOR EACH ROW EXECUTE FUNCTION ledger_period_rules()',
        "CREATE OR REPLACE FUNCTION ledger_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$\n           BEGIN RAISE EXCEPTION 'the ledger is never emptied: % refuses TRUNCATE', TG_TABLE_NAME; END $$",
        'DROP TRIGGER IF EXISTS ledger_account_no_truncate ON ledger_account',
        'CREATE TRIGGER ledger_account_no_truncate BEFORE TRUNCATE ON ledger_account\n                FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()',
        'DROP TRIGGER IF EXISTS ledger_period_no_truncate ON ledger_period',
        'CREATE TRIGGER ledger_period_no_truncate BEFORE TRUNCATE ON ledger_period\n                FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()',
        'DROP TRIGGER IF EXISTS ledger_transaction_no_truncate ON ledger_transaction',
        'CREATE TRIGGER ledger_transaction_no_truncate BEFORE TRUNCATE ON ledger_transaction\n                FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()',
        'DROP TRIGGER IF EXISTS ledger_leg_no_truncate ON ledger_leg',
        'CREATE TRIGGER ledger_leg_no_truncate BEFORE TRUNCATE ON ledger_leg\n                FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()',
        'DROP TRIGGER IF EXISTS ledger_budget_no_truncate ON ledger_budget',
        'CREATE TRIGGER ledger_budget_no_truncate BEFORE TRUNCATE ON ledger_budget\n                FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()',
        'DROP TRIGGER IF EXISTS ledger_deployment_no_truncate ON ledger_deployment',
        'CREATE TRIGGER ledger_deployment_no_truncate BEFORE TRUNCATE ON ledger_deployment\n                FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()',
        'DROP TRIGGER IF EXISTS ledger_instalment_no_truncate ON ledger_instalment',
        'CREATE TRIGGER ledger_instalment_no_truncate BEFORE TRUNCATE ON ledger_instalment\n                FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()',
        'DROP TRIGGER IF EXISTS ledger_paymentrun_no_truncate ON ledger_paymentrun',
        'CREATE TRIGGER ledger_paymentrun_no_truncate BEFORE TRUNCATE ON ledger_paymentrun\n                FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()',
        'DROP TRIGGER IF EXISTS ledger_payment_no_truncate ON ledger_payment',
        'CREATE TRIGGER ledger_payment_no_truncate BEFORE TRUNCATE ON ledger_payment\n                FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()',
        'DROP TRIGGER IF EXISTS ledger_paymentline_no_truncate ON ledger_paymentline',
        'CREATE TRIGGER ledger_paymentline_no_truncate BEFORE TRUNCATE ON ledger_paymentline\n                FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()',
        'DROP TRIGGER IF EXISTS ledger_closeline_no_truncate ON ledger_closeline',
        'CREATE TRIGGER ledger_closeline_no_truncate BEFORE TRUNCATE ON ledger_closeline\n                FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()',
        'DROP TRIGGER IF EXISTS ledger_spend_no_truncate ON ledger_spend',
        'CREATE TRIGGER ledger_spend_no_truncate BEFORE TRUNCATE ON ledger_spend\n                FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()',
        'DROP TRIGGER IF EXISTS ledger_chargeassessment_no_truncate ON ledger_chargeassessment',
        'CREATE TRIGGER ledger_chargeassessment_no_truncate BEFORE TRUNCATE ON ledger_chargeassessment\n                FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()',
        'DROP TRIGGER IF EXISTS ledger_dispute_no_truncate ON ledger_dispute',
        'CREATE TRIGGER ledger_dispute_no_truncate BEFORE TRUNCATE ON ledger_dispute\n                FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()',
        "CREATE OR REPLACE FUNCTION ledger_queue_balance_check() RETURNS trigger LANGUAGE plpgsql\n           SET work_mem = '64MB' AS $$\n           BEGIN\n             IF (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_transaction r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(transaction_id) lo, max(transaction_id) hi, count(*) n FROM (SELECT DISTINCT transaction_id FROM new_legs WHERE transaction_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT transaction_id FROM new_legs WHERE transaction_id IS NOT NULL ORDER BY transaction_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_transaction r WHERE r.id = n.transaction_id)) END) OR (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_account r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(account_id) lo, max(account_id) hi, count(*) n FROM (SELECT DISTINCT account_id FROM new_legs WHERE account_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT account_id FROM new_legs WHERE account_id IS NOT NULL ORDER BY account_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_account r WHERE r.id = n.account_id)) END) THEN\n                 RAISE EXCEPTION 'ledger leg refers to a row that does not exist (transaction_id, account_id)'\n                   USING ERRCODE = 'foreign_key_violation';\n               END IF;\n             \n             IF EXISTS (\n                  SELECT 1\n                    FROM (SELECT array_agg(DISTINCT a.authority_id) acc\n                            FROM (SELECT DISTINCT account_id FROM new_legs) n JOIN ledger_account a ON a.id = n.account_id) x,\n                         (SELECT array_agg(DISTINCT t.authority_id) txn\n                            FROM (SELECT DISTINCT transaction_id FROM new_legs) n\n                            JOIN ledger_transaction t ON t.id = n.transaction_id) y\n                   WHERE NOT (cardinality(x.acc) = 1 AND x.acc = y.txn))\n                AND EXISTS (\n                  SELECT 1 FROM new_legs l\n                    JOIN ledger_account a ON a.id = l.account_id\n                    JOIN ledger_transaction t ON t.id = l.transaction_id\n                   WHERE a.authority_id <> t.authority_id) THEN\n               RAISE EXCEPTION 'a leg''s account belongs to another authority than its transaction'\n                 USING ERRCODE = 'check_violation';\n             END IF;\n             INSERT INTO ledger_balance_check (transaction_id)\n               SELECT transaction_id FROM new_legs GROUP BY transaction_id\n               HAVING SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END) <> 0;\n             RETURN NULL;\n           END $$",
    ],
}

BACKWARD = {
    'sqlite': [
        'DROP TRIGGER IF EXISTS ledger_period_stays_closed',
        'DROP TRIGGER IF EXISTS ledger_period_closed_kept',
        'DROP TRIGGER IF EXISTS ledger_period_closes_in_order',
        'DROP TRIGGER IF EXISTS ledger_period_not_before_closed',
        'DROP TRIGGER IF EXISTS ledger_leg_same_authority',
    ],
    'postgresql': [
        'DROP TRIGGER IF EXISTS ledger_period_rules ON ledger_period',
        'DROP TRIGGER IF EXISTS ledger_account_no_truncate ON ledger_account',
        'DROP TRIGGER IF EXISTS ledger_period_no_truncate ON ledger_period',
        'DROP TRIGGER IF EXISTS ledger_transaction_no_truncate ON ledger_transaction',
        'DROP TRIGGER IF EXISTS ledger_leg_no_truncate ON ledger_leg',
        'DROP TRIGGER IF EXISTS ledger_budget_no_truncate ON ledger_budget',
        'DROP TRIGGER IF EXISTS ledger_deployment_no_truncate ON ledger_deployment',
        'DROP TRIGGER IF EXISTS ledger_instalment_no_truncate ON ledger_instalment',
        'DROP TRIGGER IF EXISTS ledger_paymentrun_no_truncate ON ledger_paymentrun',
        'DROP TRIGGER IF EXISTS ledger_payment_no_truncate ON ledger_payment',
        'DROP TRIGGER IF EXISTS ledger_paymentline_no_truncate ON ledger_paymentline',
        'DROP TRIGGER IF EXISTS ledger_closeline_no_truncate ON ledger_closeline',
        'DROP TRIGGER IF EXISTS ledger_spend_no_truncate ON ledger_spend',
        'DROP TRIGGER IF EXISTS ledger_chargeassessment_no_truncate ON ledger_chargeassessment',
        'DROP TRIGGER IF EXISTS ledger_dispute_no_truncate ON ledger_dispute',
        'DROP FUNCTION IF EXISTS ledger_period_rules()',
        'DROP FUNCTION IF EXISTS ledger_refuse_truncate()',
        "CREATE OR REPLACE FUNCTION ledger_queue_balance_check() RETURNS trigger LANGUAGE plpgsql\n           SET work_mem = '64MB' AS $$\n           BEGIN\n             IF (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_transaction r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(transaction_id) lo, max(transaction_id) hi, count(*) n FROM (SELECT DISTINCT transaction_id FROM new_legs WHERE transaction_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT transaction_id FROM new_legs WHERE transaction_id IS NOT NULL ORDER BY transaction_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_transaction r WHERE r.id = n.transaction_id)) END) OR (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_account r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(account_id) lo, max(account_id) hi, count(*) n FROM (SELECT DISTINCT account_id FROM new_legs WHERE account_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT account_id FROM new_legs WHERE account_id IS NOT NULL ORDER BY account_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_account r WHERE r.id = n.account_id)) END) THEN\n                 RAISE EXCEPTION 'ledger leg refers to a row that does not exist (transaction_id, account_id)'\n                   USING ERRCODE = 'foreign_key_violation';\n               END IF;\n             INSERT INTO ledger_balance_check (transaction_id)\n               SELECT transaction_id FROM new_legs GROUP BY transaction_id\n               HAVING SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END) <> 0;\n             RETURN NULL;\n           END $$",
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
        ("ledger", "0010_budget_shapes_and_midpoint"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
