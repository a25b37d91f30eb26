"""Migrations are history (DESIGN.md, "Structure"): each ledger migration carries the SQL of its day,
never today's code, and replaying them all on an empty database ends with exactly the triggers and
functions today's ledger/dbtriggers.py defines.

A fresh database (a file for SQLite, always; a new database beside the test database when the suite
runs on PostgreSQL) is migrated from zero to the ledger's last migration; what it holds is compared
with what it holds once today's rules are taken off and put back on."""

from __future__ import annotations

import ast
import copy
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

from selfdirect.ledger import dbtriggers

MIGRATIONS = Path(dbtriggers.__file__).parent / "migrations"


def test_no_ledger_migration_imports_the_project():
    for path in sorted(MIGRATIONS.glob("0*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                )
                assert not any(n.split(".")[0] == "selfdirect" for n in names), f"{path.name} imports {names}"


def _installed(conn: Any) -> dict[str, str]:
    """Every trigger and function the database holds, by name, with its definition as the database
    keeps it (and on PostgreSQL the balance check's queue table)."""
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            return {f"trigger {name}": sql for name, sql in cursor.fetchall()}
        cursor.execute(
            "SELECT tgrelid::regclass::text || '.' || tgname, pg_get_triggerdef(oid) FROM pg_trigger"
            " WHERE NOT tgisinternal"
        )
        found = {f"trigger {name}": sql for name, sql in cursor.fetchall()}
        cursor.execute(
            "SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid) FROM pg_proc p"
            " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()"
        )
        found.update({f"function {name}": sql for name, sql in cursor.fetchall()})
        cursor.execute("SELECT to_regclass('ledger_balance_check')::text")
        found.update({f"table {name}": "" for (name,) in cursor.fetchall() if name})
        return found


ALIAS = "ledger_history"


@contextmanager
def _alias(settings: dict[str, Any]) -> Iterator[Any]:
    """A connection under an alias of its own (the migration recorder finds its connection by alias)."""
    connections.settings[ALIAS] = connections.configure_settings({"default": settings})["default"]
    try:
        yield connections[ALIAS]
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]


@contextmanager
def _fresh_database(vendor: str, tmp_path: Path) -> Iterator[Any]:
    """A connection to a new, empty database, dropped afterwards."""
    if vendor == "sqlite":
        with _alias(
            {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "history.sqlite3")}
        ) as fresh:
            yield fresh
        return
    # As the test database's owner (the suite's own role may not create databases).
    owner = copy.deepcopy(connection.settings_dict)
    owner["OPTIONS"].pop("assume_role", None)
    name = f"{owner['NAME']}_history_{uuid.uuid4().hex[:8]}"
    with _alias(owner) as admin, admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        with _alias({**owner, "NAME": name}) as fresh:
            yield fresh
    finally:
        with _alias(owner) as admin, admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


VENDORS = ["sqlite"] + (["postgresql"] if connection.vendor == "postgresql" else [])


@pytest.mark.parametrize("vendor", VENDORS)
def test_migrating_from_zero_installs_exactly_todays_rules(vendor, tmp_path, django_db_blocker):
    with django_db_blocker.unblock(), _fresh_database(vendor, tmp_path) as fresh:
        executor = MigrationExecutor(fresh)
        [last] = executor.loader.graph.leaf_nodes("ledger")
        executor.migrate([last])
        replayed = _installed(fresh)

        dbtriggers.uninstall(fresh)
        left = _installed(fresh)
        dbtriggers.install(fresh)
        today = _installed(fresh)

    # Today's code knows every rule the migrations left (it removes them all) ...
    assert not [name for name, sql in left.items() if "ledger" in f"{name} {sql}"]
    # ... and what the migrations left is exactly what it installs.
    assert sorted(replayed) == sorted(today)
    assert [name for name in sorted(today) if replayed[name] != today[name]] == []
    assert any(name.startswith("trigger") and "ledger_leg" in name for name in today)
