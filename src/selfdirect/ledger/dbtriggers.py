"""What the database itself enforces on the ledger, on both engines:

- posted transactions and legs are never updated or deleted (corrections are reversals);
- nothing is posted into a closed period;
- PostgreSQL only: a DEFERRED CONSTRAINT TRIGGER checks at COMMIT that every transaction the
  commit touched has legs that sum to zero (debits equal credits).

Used by migration 0002; tests that must empty the tables lift the first rule with
:func:`unprotect_ledger` and restore it straight after.
"""

from __future__ import annotations

from typing import Any

PROTECT = {
    "sqlite": [
        f"""CREATE TRIGGER IF NOT EXISTS ledger_{t}_no_{op} BEFORE {op.upper()} ON ledger_{t}
            BEGIN SELECT RAISE(ABORT, 'posted ledger records never change: post a reversal'); END"""
        for t in ("transaction", "leg")
        for op in ("update", "delete")
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'posted ledger records never change: post a reversal'; END $$""",
        "DROP TRIGGER IF EXISTS ledger_transaction_no_change ON ledger_transaction",
        """CREATE TRIGGER ledger_transaction_no_change BEFORE UPDATE OR DELETE ON ledger_transaction
           FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
        "DROP TRIGGER IF EXISTS ledger_leg_no_change ON ledger_leg",
        """CREATE TRIGGER ledger_leg_no_change BEFORE UPDATE OR DELETE ON ledger_leg
           FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
    ],
}
UNPROTECT = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS ledger_{t}_no_{op}"
        for t in ("transaction", "leg")
        for op in ("update", "delete")
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS ledger_transaction_no_change ON ledger_transaction",
        "DROP TRIGGER IF EXISTS ledger_leg_no_change ON ledger_leg",
    ],
}
RULES = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS ledger_transaction_open_period BEFORE INSERT ON ledger_transaction
           WHEN (SELECT status FROM ledger_period WHERE id = NEW.period_id) = 'closed'
           BEGIN SELECT RAISE(ABORT, 'the period is closed: nothing can be posted into it'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION ledger_open_period() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF (SELECT status FROM ledger_period WHERE id = NEW.period_id) = 'closed' THEN
               RAISE EXCEPTION 'the period is closed: nothing can be posted into it';
             END IF;
             RETURN NEW;
           END $$""",
        "DROP TRIGGER IF EXISTS ledger_transaction_open_period ON ledger_transaction",
        """CREATE TRIGGER ledger_transaction_open_period BEFORE INSERT ON ledger_transaction
           FOR EACH ROW EXECUTE FUNCTION ledger_open_period()""",
        # Checked at COMMIT, once per inserted leg: the legs of its transaction must balance.
        """CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
           DECLARE total bigint;
           BEGIN
             SELECT COALESCE(SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END), 0) INTO total
               FROM ledger_leg WHERE transaction_id = NEW.transaction_id;
             IF total <> 0 THEN
               RAISE EXCEPTION 'ledger transaction % does not balance: debits minus credits is % pence',
                 NEW.transaction_id, total USING ERRCODE = 'check_violation';
             END IF;
             RETURN NULL;
           END $$""",
        "DROP TRIGGER IF EXISTS ledger_leg_balanced ON ledger_leg",
        """CREATE CONSTRAINT TRIGGER ledger_leg_balanced AFTER INSERT ON ledger_leg
           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced()""",
    ],
}
UNRULES = {
    "sqlite": ["DROP TRIGGER IF EXISTS ledger_transaction_open_period"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS ledger_leg_balanced ON ledger_leg",
        "DROP TRIGGER IF EXISTS ledger_transaction_open_period ON ledger_transaction",
        "DROP FUNCTION IF EXISTS ledger_check_balanced()",
        "DROP FUNCTION IF EXISTS ledger_open_period()",
    ],
}


def _run(connection: Any, statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for sql in statements.get(connection.vendor, []):
            cursor.execute(sql)


def protect_ledger(connection: Any) -> None:
    _run(connection, PROTECT)


def unprotect_ledger(connection: Any) -> None:
    _run(connection, UNPROTECT)


def install(connection: Any) -> None:
    _run(connection, PROTECT)
    _run(connection, RULES)


def uninstall(connection: Any) -> None:
    _run(connection, UNRULES)
    _run(connection, UNPROTECT)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP FUNCTION IF EXISTS ledger_refuse_change()")
