"""The statement-level reference checks first try one count over an index range (see
ledger/dbtriggers.py, ``_missing``): a statement's new transactions, payments and single values
(its period, authority or run) are proved present without a look-up each. Putting the rules back
replaces the check functions.

The SQL is this migration's own, written out: the statements ledger/dbtriggers.py ran for it as
that file stood at commit a135856, the last version before the next migration (a migration never
calls today's code, so replaying it installs what it installed then).
"""

from django.db import migrations

LIFT = {
    'sqlite': [
        'DROP TRIGGER IF EXISTS ledger_transaction_open_period',
        'DROP TRIGGER IF EXISTS ledger_account_in_use',
        'DROP TRIGGER IF EXISTS ledger_period_in_use',
        'DROP TRIGGER IF EXISTS ledger_transaction_no_update',
        'DROP TRIGGER IF EXISTS ledger_transaction_no_delete',
        'DROP TRIGGER IF EXISTS ledger_leg_no_update',
        'DROP TRIGGER IF EXISTS ledger_leg_no_delete',
        'DROP TRIGGER IF EXISTS ledger_payment_no_update',
        'DROP TRIGGER IF EXISTS ledger_payment_no_delete',
        'DROP TRIGGER IF EXISTS ledger_paymentline_no_update',
        'DROP TRIGGER IF EXISTS ledger_paymentline_no_delete',
        'DROP TRIGGER IF EXISTS ledger_closeline_no_update',
        'DROP TRIGGER IF EXISTS ledger_closeline_no_delete',
        'DROP TRIGGER IF EXISTS ledger_account_in_use_by_ledger_leg',
        'DROP TRIGGER IF EXISTS ledger_period_in_use_by_ledger_transaction',
        'DROP TRIGGER IF EXISTS ledger_budget_in_use_by_ledger_transaction',
        'DROP TRIGGER IF EXISTS ledger_instalment_in_use_by_ledger_payment',
        'DROP TRIGGER IF EXISTS ledger_paymentrun_in_use_by_ledger_payment',
        'DROP TRIGGER IF EXISTS ledger_period_in_use_by_ledger_closeline',
        'DROP TRIGGER IF EXISTS ledger_budget_in_use_by_ledger_closeline',
        'DROP TRIGGER IF EXISTS core_authority_in_use_by_ledger_transaction',
        'DROP TRIGGER IF EXISTS core_user_in_use_by_ledger_transaction',
        'DROP TRIGGER IF EXISTS ledger_transaction_references',
        'DROP TRIGGER IF EXISTS ledger_leg_references',
        'DROP TRIGGER IF EXISTS ledger_payment_references',
        'DROP TRIGGER IF EXISTS ledger_paymentline_references',
        'DROP TRIGGER IF EXISTS ledger_closeline_references',
    ],
    'postgresql': [
        'DROP TRIGGER IF EXISTS ledger_leg_balanced ON ledger_leg',
        'DROP TRIGGER IF EXISTS ledger_leg_queue_balance_check ON ledger_leg',
        'DROP TABLE IF EXISTS ledger_balance_check',
        'DROP TRIGGER IF EXISTS ledger_transaction_open_period ON ledger_transaction',
        'DROP FUNCTION IF EXISTS ledger_queue_balance_check()',
        'DROP FUNCTION IF EXISTS ledger_check_balanced()',
        'DROP FUNCTION IF EXISTS ledger_open_period()',
        'DROP TRIGGER IF EXISTS ledger_account_in_use ON ledger_account',
        'DROP TRIGGER IF EXISTS ledger_period_in_use ON ledger_period',
        'DROP TRIGGER IF EXISTS ledger_budget_in_use ON ledger_budget',
        'DROP FUNCTION IF EXISTS ledger_refuse_removing_used()',
        'DROP TRIGGER IF EXISTS ledger_transaction_no_change ON ledger_transaction',
        'DROP TRIGGER IF EXISTS ledger_leg_no_change ON ledger_leg',
        'DROP TRIGGER IF EXISTS ledger_payment_no_change ON ledger_payment',
        'DROP TRIGGER IF EXISTS ledger_paymentline_no_change ON ledger_paymentline',
        'DROP TRIGGER IF EXISTS ledger_closeline_no_change ON ledger_closeline',
        'DROP TRIGGER IF EXISTS core_authority_in_use_by_ledger ON core_authority',
        'DROP TRIGGER IF EXISTS core_user_in_use_by_ledger ON core_user',
        'DROP TRIGGER IF EXISTS ledger_account_in_use_by_ledger ON ledger_account',
        'DROP TRIGGER IF EXISTS ledger_budget_in_use_by_ledger ON ledger_budget',
        'DROP TRIGGER IF EXISTS ledger_instalment_in_use_by_ledger ON ledger_instalment',
        'DROP TRIGGER IF EXISTS ledger_paymentrun_in_use_by_ledger ON ledger_paymentrun',
        'DROP TRIGGER IF EXISTS ledger_period_in_use_by_ledger ON ledger_period',
        'DROP TRIGGER IF EXISTS ledger_payment_references ON ledger_payment',
        'DROP TRIGGER IF EXISTS ledger_paymentline_references ON ledger_paymentline',
        'DROP TRIGGER IF EXISTS ledger_closeline_references ON ledger_closeline',
        'DROP FUNCTION IF EXISTS ledger_refuse_change()',
        'DROP FUNCTION IF EXISTS ledger_refuse_removing_used()',
        'DROP FUNCTION IF EXISTS core_authority_refuse_removing_used()',
        'DROP FUNCTION IF EXISTS core_user_refuse_removing_used()',
        'DROP FUNCTION IF EXISTS ledger_account_refuse_removing_used()',
        'DROP FUNCTION IF EXISTS ledger_budget_refuse_removing_used()',
        'DROP FUNCTION IF EXISTS ledger_instalment_refuse_removing_used()',
        'DROP FUNCTION IF EXISTS ledger_paymentrun_refuse_removing_used()',
        'DROP FUNCTION IF EXISTS ledger_period_refuse_removing_used()',
        'DROP FUNCTION IF EXISTS ledger_payment_references()',
        'DROP FUNCTION IF EXISTS ledger_paymentline_references()',
        'DROP FUNCTION IF EXISTS ledger_closeline_references()',
    ],
}

PUT_BACK = {
    'sqlite': [
        "CREATE TRIGGER IF NOT EXISTS ledger_transaction_no_update BEFORE UPDATE ON ledger_transaction\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_transaction_no_delete BEFORE DELETE ON ledger_transaction\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_leg_no_update BEFORE UPDATE ON ledger_leg\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_leg_no_delete BEFORE DELETE ON ledger_leg\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_payment_no_update BEFORE UPDATE ON ledger_payment\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_payment_no_delete BEFORE DELETE ON ledger_payment\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_paymentline_no_update BEFORE UPDATE ON ledger_paymentline\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_paymentline_no_delete BEFORE DELETE ON ledger_paymentline\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_closeline_no_update BEFORE UPDATE ON ledger_closeline\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_closeline_no_delete BEFORE DELETE ON ledger_closeline\n            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_transaction_open_period BEFORE INSERT ON ledger_transaction\n           WHEN (SELECT status FROM ledger_period WHERE id = NEW.period_id) = 'closed'\n           BEGIN SELECT RAISE(ABORT, 'the period is closed: nothing can be posted into it'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_account_in_use_by_ledger_leg BEFORE DELETE ON ledger_account\n            WHEN EXISTS (SELECT 1 FROM ledger_leg WHERE account_id = OLD.id)\n            BEGIN SELECT RAISE(ABORT, 'the ledger refers to this account: it cannot be removed'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_period_in_use_by_ledger_transaction BEFORE DELETE ON ledger_period\n            WHEN EXISTS (SELECT 1 FROM ledger_transaction WHERE period_id = OLD.id)\n            BEGIN SELECT RAISE(ABORT, 'the ledger refers to this period: it cannot be removed'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_instalment_in_use_by_ledger_payment BEFORE DELETE ON ledger_instalment\n            WHEN EXISTS (SELECT 1 FROM ledger_payment WHERE instalment_id = OLD.id)\n            BEGIN SELECT RAISE(ABORT, 'the ledger refers to this instalment: it cannot be removed'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_paymentrun_in_use_by_ledger_payment BEFORE DELETE ON ledger_paymentrun\n            WHEN EXISTS (SELECT 1 FROM ledger_payment WHERE run_id = OLD.id)\n            BEGIN SELECT RAISE(ABORT, 'the ledger refers to this paymentrun: it cannot be removed'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_period_in_use_by_ledger_closeline BEFORE DELETE ON ledger_period\n            WHEN EXISTS (SELECT 1 FROM ledger_closeline WHERE period_id = OLD.id)\n            BEGIN SELECT RAISE(ABORT, 'the ledger refers to this period: it cannot be removed'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_transaction_references BEFORE INSERT ON ledger_transaction\n            WHEN (NEW.period_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_period WHERE id = NEW.period_id)) OR (NEW.reverses_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_transaction WHERE id = NEW.reverses_id))\n            BEGIN SELECT RAISE(ABORT, 'ledger transaction refers to a row that does not exist'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_leg_references BEFORE INSERT ON ledger_leg\n            WHEN (NEW.transaction_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_transaction WHERE id = NEW.transaction_id)) OR (NEW.account_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_account WHERE id = NEW.account_id))\n            BEGIN SELECT RAISE(ABORT, 'ledger leg refers to a row that does not exist'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_payment_references BEFORE INSERT ON ledger_payment\n            WHEN (NEW.instalment_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_instalment WHERE id = NEW.instalment_id)) OR (NEW.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_paymentrun WHERE id = NEW.run_id)) OR (NEW.transaction_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_transaction WHERE id = NEW.transaction_id))\n            BEGIN SELECT RAISE(ABORT, 'ledger payment refers to a row that does not exist'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_paymentline_references BEFORE INSERT ON ledger_paymentline\n            WHEN (NEW.payment_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_payment WHERE id = NEW.payment_id))\n            BEGIN SELECT RAISE(ABORT, 'ledger paymentline refers to a row that does not exist'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_closeline_references BEFORE INSERT ON ledger_closeline\n            WHEN (NEW.period_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_period WHERE id = NEW.period_id)) OR (NEW.budget_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_budget WHERE id = NEW.budget_id)) OR (NEW.transaction_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_transaction WHERE id = NEW.transaction_id))\n            BEGIN SELECT RAISE(ABORT, 'ledger closeline refers to a row that does not exist'); END",
    ],
    'postgresql': [
        "CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$\n           BEGIN RAISE EXCEPTION 'posted ledger records never change: post a reversal'; END $$",
        'DROP TRIGGER IF EXISTS ledger_transaction_no_change ON ledger_transaction',
        'CREATE TRIGGER ledger_transaction_no_change BEFORE UPDATE OR DELETE ON ledger_transaction\n                FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()',
        'DROP TRIGGER IF EXISTS ledger_leg_no_change ON ledger_leg',
        'CREATE TRIGGER ledger_leg_no_change BEFORE UPDATE OR DELETE ON ledger_leg\n                FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()',
        'DROP TRIGGER IF EXISTS ledger_payment_no_change ON ledger_payment',
        'CREATE TRIGGER ledger_payment_no_change BEFORE UPDATE OR DELETE ON ledger_payment\n                FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()',
        'DROP TRIGGER IF EXISTS ledger_paymentline_no_change ON ledger_paymentline',
        'CREATE TRIGGER ledger_paymentline_no_change BEFORE UPDATE OR DELETE ON ledger_paymentline\n                FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()',
        'DROP TRIGGER IF EXISTS ledger_closeline_no_change ON ledger_closeline',
        'CREATE TRIGGER ledger_closeline_no_change BEFORE UPDATE OR DELETE ON ledger_closeline\n                FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()',
        "CREATE OR REPLACE FUNCTION ledger_open_period() RETURNS trigger LANGUAGE plpgsql\n           SET work_mem = '64MB' AS $$\n           DECLARE closed_label text;\n           BEGIN\n             SELECT to_char(p.start, 'YYYY-MM') INTO closed_label\n               FROM (SELECT DISTINCT period_id FROM new_transactions) n\n               JOIN ledger_period p ON p.id = n.period_id\n              WHERE p.status = 'closed' LIMIT 1;\n             IF closed_label IS NOT NULL THEN\n               RAISE EXCEPTION 'the period is closed: nothing can be posted into it (%)', closed_label;\n             END IF;\n             -- References, for the whole statement at once (see the module's docstring).\n             IF (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_period r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(period_id) lo, max(period_id) hi, count(*) n FROM (SELECT DISTINCT period_id FROM new_transactions WHERE period_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT period_id FROM new_transactions WHERE period_id IS NOT NULL ORDER BY period_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_period r WHERE r.id = n.period_id)) END) OR (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_budget r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(budget_id) lo, max(budget_id) hi, count(*) n FROM (SELECT DISTINCT budget_id FROM new_transactions WHERE budget_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT budget_id FROM new_transactions WHERE budget_id IS NOT NULL ORDER BY budget_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_budget r WHERE r.id = n.budget_id)) END) OR (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_transaction r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(reverses_id) lo, max(reverses_id) hi, count(*) n FROM (SELECT DISTINCT reverses_id FROM new_transactions WHERE reverses_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT reverses_id FROM new_transactions WHERE reverses_id IS NOT NULL ORDER BY reverses_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_transaction r WHERE r.id = n.reverses_id)) END) OR (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM core_authority r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(authority_id) lo, max(authority_id) hi, count(*) n FROM (SELECT DISTINCT authority_id FROM new_transactions WHERE authority_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT authority_id FROM new_transactions WHERE authority_id IS NOT NULL ORDER BY authority_id) n WHERE NOT EXISTS (SELECT 1 FROM core_authority r WHERE r.id = n.authority_id)) END) OR (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM core_user r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(posted_by_id) lo, max(posted_by_id) hi, count(*) n FROM (SELECT DISTINCT posted_by_id FROM new_transactions WHERE posted_by_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT posted_by_id FROM new_transactions WHERE posted_by_id IS NOT NULL ORDER BY posted_by_id) n WHERE NOT EXISTS (SELECT 1 FROM core_user r WHERE r.id = n.posted_by_id)) END) THEN\n                 RAISE EXCEPTION 'ledger transaction refers to a row that does not exist (period_id, budget_id, reverses_id, authority_id, posted_by_id)'\n                   USING ERRCODE = 'foreign_key_violation';\n               END IF;\n             RETURN NULL;\n           END $$",
        'DROP TRIGGER IF EXISTS ledger_transaction_open_period ON ledger_transaction',
        'CREATE TRIGGER ledger_transaction_open_period AFTER INSERT ON ledger_transaction\n           REFERENCING NEW TABLE AS new_transactions\n           FOR EACH STATEMENT EXECUTE FUNCTION ledger_open_period()',
        'CREATE TABLE IF NOT EXISTS ledger_balance_check (transaction_id bigint NOT NULL)',
        "CREATE OR REPLACE FUNCTION ledger_queue_balance_check() RETURNS trigger LANGUAGE plpgsql\n           SET work_mem = '64MB' AS $$\n           BEGIN\n             IF (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_transaction r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(transaction_id) lo, max(transaction_id) hi, count(*) n FROM (SELECT DISTINCT transaction_id FROM new_legs WHERE transaction_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT transaction_id FROM new_legs WHERE transaction_id IS NOT NULL ORDER BY transaction_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_transaction r WHERE r.id = n.transaction_id)) END) OR (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_account r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(account_id) lo, max(account_id) hi, count(*) n FROM (SELECT DISTINCT account_id FROM new_legs WHERE account_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT account_id FROM new_legs WHERE account_id IS NOT NULL ORDER BY account_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_account r WHERE r.id = n.account_id)) END) THEN\n                 RAISE EXCEPTION 'ledger leg refers to a row that does not exist (transaction_id, account_id)'\n                   USING ERRCODE = 'foreign_key_violation';\n               END IF;\n             INSERT INTO ledger_balance_check (transaction_id)\n               SELECT transaction_id FROM new_legs GROUP BY transaction_id\n               HAVING SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END) <> 0;\n             RETURN NULL;\n           END $$",
        "CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$\n           DECLARE total bigint;\n           BEGIN\n             SELECT COALESCE(SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END), 0) INTO total\n               FROM ledger_leg WHERE transaction_id = NEW.transaction_id;\n             IF total <> 0 THEN\n               RAISE EXCEPTION 'ledger transaction % does not balance: debits minus credits is % pence',\n                 NEW.transaction_id, total USING ERRCODE = 'check_violation';\n             END IF;\n             DELETE FROM ledger_balance_check WHERE transaction_id = NEW.transaction_id;\n             RETURN NULL;\n           END $$",
        'DROP TRIGGER IF EXISTS ledger_leg_balanced ON ledger_leg',
        'DROP TRIGGER IF EXISTS ledger_leg_queue_balance_check ON ledger_leg',
        'CREATE TRIGGER ledger_leg_queue_balance_check AFTER INSERT ON ledger_leg\n           REFERENCING NEW TABLE AS new_legs\n           FOR EACH STATEMENT EXECUTE FUNCTION ledger_queue_balance_check()',
        'DROP TRIGGER IF EXISTS ledger_balance_check_at_commit ON ledger_balance_check',
        'CREATE CONSTRAINT TRIGGER ledger_balance_check_at_commit AFTER INSERT ON ledger_balance_check\n           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced()',
        "CREATE OR REPLACE FUNCTION core_authority_refuse_removing_used() RETURNS trigger LANGUAGE plpgsql AS $$\n                BEGIN\n                  IF EXISTS (SELECT 1 FROM ledger_transaction WHERE authority_id = OLD.id) THEN\n                    RAISE EXCEPTION 'the ledger refers to % %: it cannot be removed', TG_TABLE_NAME, OLD.id\n                      USING ERRCODE = 'foreign_key_violation';\n                  END IF;\n                  RETURN OLD;\n                END $$",
        'DROP TRIGGER IF EXISTS core_authority_in_use_by_ledger ON core_authority',
        'CREATE TRIGGER core_authority_in_use_by_ledger BEFORE DELETE ON core_authority\n                FOR EACH ROW EXECUTE FUNCTION core_authority_refuse_removing_used()',
        "CREATE OR REPLACE FUNCTION core_user_refuse_removing_used() RETURNS trigger LANGUAGE plpgsql AS $$\n                BEGIN\n                  IF EXISTS (SELECT 1 FROM ledger_transaction WHERE posted_by_id = OLD.id) THEN\n                    RAISE EXCEPTION 'the ledger refers to % %: it cannot be removed', TG_TABLE_NAME, OLD.id\n                      USING ERRCODE = 'foreign_key_violation';\n                  END IF;\n                  RETURN OLD;\n                END $$",
        'DROP TRIGGER IF EXISTS core_user_in_use_by_ledger ON core_user',
        'CREATE TRIGGER core_user_in_use_by_ledger BEFORE DELETE ON core_user\n                FOR EACH ROW EXECUTE FUNCTION core_user_refuse_removing_used()',
        "CREATE OR REPLACE FUNCTION ledger_account_refuse_removing_used() RETURNS trigger LANGUAGE plpgsql AS $$\n                BEGIN\n                  IF EXISTS (SELECT 1 FROM ledger_leg WHERE account_id = OLD.id) THEN\n                    RAISE EXCEPTION 'the ledger refers to % %: it cannot be removed', TG_TABLE_NAME, OLD.id\n                      USING ERRCODE = 'foreign_key_violation';\n                  END IF;\n                  RETURN OLD;\n                END $$",
        'DROP TRIGGER IF EXISTS ledger_account_in_use_by_ledger ON ledger_account',
        'CREATE TRIGGER ledger_account_in_use_by_ledger BEFORE DELETE ON ledger_account\n                FOR EACH ROW EXECUTE FUNCTION ledger_account_refuse_removing_used()',
        "CREATE OR REPLACE FUNCTION ledger_budget_refuse_removing_used() RETURNS trigger LANGUAGE plpgsql AS $$\n                BEGIN\n                  IF EXISTS (SELECT 1 FROM ledger_transaction WHERE budget_id = OLD.id) OR EXISTS (SELECT 1 FROM ledger_closeline WHERE budget_id = OLD.id) THEN\n                    RAISE EXCEPTION 'the ledger refers to % %: it cannot be removed', TG_TABLE_NAME, OLD.id\n                      USING ERRCODE = 'foreign_key_violation';\n                  END IF;\n                  RETURN OLD;\n                END $$",
        'DROP TRIGGER IF EXISTS ledger_budget_in_use_by_ledger ON ledger_budget',
        'CREATE TRIGGER ledger_budget_in_use_by_ledger BEFORE DELETE ON ledger_budget\n                FOR EACH ROW EXECUTE FUNCTION ledger_budget_refuse_removing_used()',
        "CREATE OR REPLACE FUNCTION ledger_instalment_refuse_removing_used() RETURNS trigger LANGUAGE plpgsql AS $$\n                BEGIN\n                  IF EXISTS (SELECT 1 FROM ledger_payment WHERE instalment_id = OLD.id) THEN\n                    RAISE EXCEPTION 'the ledger refers to % %: it cannot be removed', TG_TABLE_NAME, OLD.id\n                      USING ERRCODE = 'foreign_key_violation';\n                  END IF;\n                  RETURN OLD;\n                END $$",
        'DROP TRIGGER IF EXISTS ledger_instalment_in_use_by_ledger ON ledger_instalment',
        'CREATE TRIGGER ledger_instalment_in_use_by_ledger BEFORE DELETE ON ledger_instalment\n                FOR EACH ROW EXECUTE FUNCTION ledger_instalment_refuse_removing_used()',
        "CREATE OR REPLACE FUNCTION ledger_paymentrun_refuse_removing_used() RETURNS trigger LANGUAGE plpgsql AS $$\n                BEGIN\n                  IF EXISTS (SELECT 1 FROM ledger_payment WHERE run_id = OLD.id) THEN\n                    RAISE EXCEPTION 'the ledger refers to % %: it cannot be removed', TG_TABLE_NAME, OLD.id\n                      USING ERRCODE = 'foreign_key_violation';\n                  END IF;\n                  RETURN OLD;\n                END $$",
        'DROP TRIGGER IF EXISTS ledger_paymentrun_in_use_by_ledger ON ledger_paymentrun',
        'CREATE TRIGGER ledger_paymentrun_in_use_by_ledger BEFORE DELETE ON ledger_paymentrun\n                FOR EACH ROW EXECUTE FUNCTION ledger_paymentrun_refuse_removing_used()',
        "CREATE OR REPLACE FUNCTION ledger_period_refuse_removing_used() RETURNS trigger LANGUAGE plpgsql AS $$\n                BEGIN\n                  IF EXISTS (SELECT 1 FROM ledger_transaction WHERE period_id = OLD.id) OR EXISTS (SELECT 1 FROM ledger_closeline WHERE period_id = OLD.id) THEN\n                    RAISE EXCEPTION 'the ledger refers to % %: it cannot be removed', TG_TABLE_NAME, OLD.id\n                      USING ERRCODE = 'foreign_key_violation';\n                  END IF;\n                  RETURN OLD;\n                END $$",
        'DROP TRIGGER IF EXISTS ledger_period_in_use_by_ledger ON ledger_period',
        'CREATE TRIGGER ledger_period_in_use_by_ledger BEFORE DELETE ON ledger_period\n                FOR EACH ROW EXECUTE FUNCTION ledger_period_refuse_removing_used()',
        "CREATE OR REPLACE FUNCTION ledger_payment_references() RETURNS trigger LANGUAGE plpgsql\n                SET work_mem = '64MB' AS $$\n                BEGIN\n                  IF (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_instalment r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(instalment_id) lo, max(instalment_id) hi, count(*) n FROM (SELECT DISTINCT instalment_id FROM new_rows WHERE instalment_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT instalment_id FROM new_rows WHERE instalment_id IS NOT NULL ORDER BY instalment_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_instalment r WHERE r.id = n.instalment_id)) END) OR (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_paymentrun r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(run_id) lo, max(run_id) hi, count(*) n FROM (SELECT DISTINCT run_id FROM new_rows WHERE run_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT run_id FROM new_rows WHERE run_id IS NOT NULL ORDER BY run_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_paymentrun r WHERE r.id = n.run_id)) END) OR (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_transaction r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(transaction_id) lo, max(transaction_id) hi, count(*) n FROM (SELECT DISTINCT transaction_id FROM new_rows WHERE transaction_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT transaction_id FROM new_rows WHERE transaction_id IS NOT NULL ORDER BY transaction_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_transaction r WHERE r.id = n.transaction_id)) END) THEN\n                 RAISE EXCEPTION 'ledger payment refers to a row that does not exist (instalment_id, run_id, transaction_id)'\n                   USING ERRCODE = 'foreign_key_violation';\n               END IF;\n                  RETURN NULL;\n                END $$",
        'DROP TRIGGER IF EXISTS ledger_payment_references ON ledger_payment',
        'CREATE TRIGGER ledger_payment_references AFTER INSERT ON ledger_payment\n                REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_payment_references()',
        "CREATE OR REPLACE FUNCTION ledger_paymentline_references() RETURNS trigger LANGUAGE plpgsql\n                SET work_mem = '64MB' AS $$\n                BEGIN\n                  IF (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_payment r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(payment_id) lo, max(payment_id) hi, count(*) n FROM (SELECT DISTINCT payment_id FROM new_rows WHERE payment_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT payment_id FROM new_rows WHERE payment_id IS NOT NULL ORDER BY payment_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_payment r WHERE r.id = n.payment_id)) END) THEN\n                 RAISE EXCEPTION 'ledger paymentline refers to a row that does not exist (payment_id)'\n                   USING ERRCODE = 'foreign_key_violation';\n               END IF;\n                  RETURN NULL;\n                END $$",
        'DROP TRIGGER IF EXISTS ledger_paymentline_references ON ledger_paymentline',
        'CREATE TRIGGER ledger_paymentline_references AFTER INSERT ON ledger_paymentline\n                REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_paymentline_references()',
        "CREATE OR REPLACE FUNCTION ledger_closeline_references() RETURNS trigger LANGUAGE plpgsql\n                SET work_mem = '64MB' AS $$\n                BEGIN\n                  IF (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_period r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(period_id) lo, max(period_id) hi, count(*) n FROM (SELECT DISTINCT period_id FROM new_rows WHERE period_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT period_id FROM new_rows WHERE period_id IS NOT NULL ORDER BY period_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_period r WHERE r.id = n.period_id)) END) OR (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_budget r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(budget_id) lo, max(budget_id) hi, count(*) n FROM (SELECT DISTINCT budget_id FROM new_rows WHERE budget_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT budget_id FROM new_rows WHERE budget_id IS NOT NULL ORDER BY budget_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_budget r WHERE r.id = n.budget_id)) END) OR (CASE WHEN (SELECT s.lo IS NULL OR (s.hi::numeric - s.lo + 1 = s.n AND (SELECT count(*) FROM ledger_transaction r WHERE r.id BETWEEN s.lo AND s.hi) = s.n) FROM (SELECT min(transaction_id) lo, max(transaction_id) hi, count(*) n FROM (SELECT DISTINCT transaction_id FROM new_rows WHERE transaction_id IS NOT NULL) d) s) THEN false ELSE EXISTS (SELECT 1 FROM (SELECT DISTINCT transaction_id FROM new_rows WHERE transaction_id IS NOT NULL ORDER BY transaction_id) n WHERE NOT EXISTS (SELECT 1 FROM ledger_transaction r WHERE r.id = n.transaction_id)) END) THEN\n                 RAISE EXCEPTION 'ledger closeline refers to a row that does not exist (period_id, budget_id, transaction_id)'\n                   USING ERRCODE = 'foreign_key_violation';\n               END IF;\n                  RETURN NULL;\n                END $$",
        'DROP TRIGGER IF EXISTS ledger_closeline_references ON ledger_closeline',
        'CREATE TRIGGER ledger_closeline_references AFTER INSERT ON ledger_closeline\n                REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_closeline_references()',
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
        ('ledger', '0008_budget_status_outside_indexes'),
    ]

    operations = [
        migrations.RunPython(_run(LIFT), _run(PUT_BACK)),
        migrations.RunPython(_run(PUT_BACK), _run(LIFT)),
    ]
