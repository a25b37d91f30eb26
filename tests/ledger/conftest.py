"""Ledger fixtures. Tests that commit for real (threads, crash-and-retry) empty the tables
afterwards; the ledger refuses deletes, so that rule is lifted for the emptying only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from selfdirect.core.dbtriggers import protect_audit_log, unprotect_audit_log
from selfdirect.ledger.dbtriggers import protect_ledger, unprotect_ledger
from selfdirect.ledger.policy import load


@pytest.fixture(autouse=True)
def _fresh_policies() -> Iterator[None]:
    load.cache_clear()
    yield
    load.cache_clear()


@pytest.fixture
def committed_db(transactional_db, django_db_blocker) -> Iterator[None]:
    yield
    unprotect_ledger(connection)
    unprotect_audit_log(connection)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):  # type: ignore[no-untyped-def]
    yield
    # After the session's last test the test database is already gone: nothing to restore.
    if nextitem is not None and "committed_db" in getattr(item, "fixturenames", ()):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            protect_ledger(connection)
            protect_audit_log(connection)
