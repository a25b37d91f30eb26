"""The application's database role (PostgreSQL): it reads and writes rows, and owns nothing.

The tables, and the triggers that keep the ledger and the audit log honest, belong to the role that
runs the migrations. The running application connects as (or, with ``SELFDIRECT_DB_ROLE``, switches
to) a role granted only SELECT, INSERT, UPDATE and DELETE on the tables and the use of their
sequences: it cannot disable or drop a trigger, alter a table, or empty one with TRUNCATE, so no
bug or injected statement in the application can switch the database's own rules off.
``manage.py grant_app_role`` grants it, after every ``migrate`` (new tables need the grant too).
"""

from __future__ import annotations

from typing import Any

from psycopg import sql


def grant(connection: Any, role: str, *, create: bool = False, truncate: bool = False) -> None:
    """Grant ``role`` what the application needs on every table and sequence of the current schema
    (and create it, without a login, when ``create`` and it does not exist). ``truncate`` is for the
    test suite alone, which empties its tables between browser tests once it has lifted the rules."""
    if connection.vendor != "postgresql":
        return
    name = sql.Identifier(role)
    with connection.cursor() as cursor:
        if create:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                # Two test processes may both find it missing: the second one's CREATE is a no-op.
                cursor.execute(
                    sql.SQL(
                        "DO $$ BEGIN CREATE ROLE {} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
                    ).format(name)
                )
        rights = "SELECT, INSERT, UPDATE, DELETE" + (", TRUNCATE" if truncate else "")
        cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name))
        cursor.execute(sql.SQL(f"GRANT {rights} ON ALL TABLES IN SCHEMA public TO {{}}").format(name))
        cursor.execute(
            sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(name)
        )


def owns_nothing(connection: Any) -> bool:
    """True when the connection's current role owns no table of the current schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
        )
        return cursor.fetchone()[0] == 0
