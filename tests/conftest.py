"""Shared fixtures. The world they build is described in helpers.py.

The whole suite runs on a frozen calendar: no test reads the real date. "Today" is
``SELFDIRECT_TEST_TODAY`` (default 2026-12-07, the day the suite was first found to depend on the
wall clock); CI runs the suite again under a second date, so a test that only passes on one day
fails there. The clock still ticks from that moment (live servers, leases and timeouts need time
to pass), and a test may travel further with ``time_machine.travel`` where it needs another day.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest
import time_machine

from browser_support import (  # noqa: F401 - fixtures and a hook, registered by being imported here
    browser,
    browser_world,
    flushable_db,
    page,
    page_without_js,
    pytest_runtest_teardown,
)
from helpers import World, make_world

# 10:00 UTC is the same calendar day in London whether or not summer time is in force.
TODAY = dt.date.fromisoformat(os.environ.get("SELFDIRECT_TEST_TODAY", "2026-12-07"))
FROZEN_AT = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=dt.UTC)


@pytest.fixture(scope="session", autouse=True)
def _frozen_calendar() -> Iterator[None]:
    """Every test, and the live server the browser tests use, sees the same day."""
    with time_machine.travel(FROZEN_AT, tick=True):
        yield


# On PostgreSQL the suite acts as the application does in production: as a role that owns no table,
# so it cannot disable or drop the database's rules (core/dbroles.py). It may also TRUNCATE, which
# only the suite needs: it empties its tables between browser tests, once the rules are lifted.
APP_ROLE = "selfdirect_test_app"


@pytest.fixture(scope="session", autouse=True)
def _application_role(django_db_setup, django_db_blocker) -> Iterator[None]:
    from django.db import connection

    from selfdirect.core import dbroles

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock():
            dbroles.grant(connection, APP_ROLE, create=True, truncate=True)
            connection.settings_dict["OPTIONS"]["assume_role"] = APP_ROLE
            connection.close()  # the next connection switches to the role as it opens
    yield
    if connection.vendor == "postgresql":  # the owner drops the test database at the end
        connection.settings_dict["OPTIONS"].pop("assume_role", None)
        with django_db_blocker.unblock():
            connection.close()


@pytest.fixture
def today() -> dt.date:
    """The suite's frozen "today" (tests that need a date relative to it take this)."""
    return TODAY


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture
def worker(django_capture_on_commit_callbacks):
    """``with worker(): ...``: what the block queued runs when the block's work commits, as the task
    worker would take it (each test is one transaction that never commits, so nothing runs without)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
