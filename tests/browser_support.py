"""Browser test support: Debian's chromium driven by Playwright against pytest-django's live server.

The fixtures and the teardown hook are imported by tests/conftest.py, so one browser (one
Playwright instance) serves every folder; tests import serious_violations and sign_in from here.
Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make to set
up data happen outside it, so Django's async-safety guard is relaxed for the test run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from psycopg import sql
from pytest_django.plugin import blocking_manager_key

from helpers import PASSWORD, World, make_world
from selfdirect.core.dbtriggers import protect_audit_log, unprotect_audit_log
from selfdirect.ledger.dbtriggers import protect_ledger, unprotect_ledger

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Assertions on the page wait for it (expect(...) retries until this long): a page answering a
# click can arrive after the click returns, and later still on a busy CI machine. Never sleep.
expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `./run test` installs Debian's chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@contextmanager
def as_owner() -> Iterator[None]:
    """Act as the database's owner for what only it may do: lift and put back the rules around the
    emptying of the test database. The suite otherwise runs as the application's role, which owns
    nothing (tests/conftest.py, core/dbroles.py)."""
    role = connection.settings_dict["OPTIONS"].get("assume_role")
    if connection.vendor != "postgresql" or not role:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))


def lift_rules() -> None:
    """Lift the append-only and reference rules so the test database can be emptied."""
    with as_owner():
        unprotect_audit_log(connection)
        unprotect_ledger(connection)


def put_rules_back() -> None:
    with as_owner():
        protect_audit_log(connection)
        protect_ledger(connection)


def empty_database() -> None:
    """Empty every table now (resetting the sequences, which only the owner may), rules lifted and
    put back around it: for a fixture that loaded a whole data set for a live-server test."""
    from django.core.management import call_command

    lift_rules()
    with as_owner():
        call_command("flush", "--no-input")
    put_rules_back()


@contextmanager
def demo_loaded(people: int) -> Iterator[None]:
    """The demo authorities with ``people`` people each, committed for the live server, and the
    database emptied afterwards (inside a test using :func:`flushable_db`)."""
    from django.core.management import call_command

    call_command("load_demo", "--people", str(people), "--quiet-logins")
    yield
    empty_database()


@pytest.fixture
def flushable_db(transactional_db, settings) -> Iterator[None]:
    """Real commits, for tests that use the live server. The database is emptied after each
    such test; the audit log and posted ledger rows refuse deletes, so their rules are lifted
    for the emptying and restored straight after (pytest_runtest_teardown below).

    The server's clock is frozen (tests/conftest.py) but Chromium's is not: cookies that expire at
    a time worked out from the frozen clock could be already past for the browser. Sessions and
    the CSRF cookie last as long as the browser context instead."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    yield
    lift_rules()


@pytest.fixture
def browser_world(flushable_db) -> World:
    return make_world()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):  # type: ignore[no-untyped-def]
    yield
    # After the session's last test the test database is already gone: nothing to protect.
    if nextitem is not None and "flushable_db" in getattr(item, "fixturenames", ()):
        with item.config.stash[blocking_manager_key].unblock():
            put_rules_back()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


AXE = Axe()


def follow(page: Page, target: Locator) -> None:
    """Click a link or a button that loads a new page, and return once that page has loaded (a
    check run straight after a bare click can find the old page gone and the new one not there)."""
    with page.expect_navigation(wait_until="load"):
        target.click()


def serious_violations(page: Page, impacts: frozenset[str] = frozenset({"serious", "critical"})) -> list[str]:
    """axe violations of serious or critical impact (or of ``impacts``) on the current page, as
    readable lines. The page must have loaded: a test that has just clicked through to it uses
    :func:`follow`."""
    page.wait_for_load_state("load")
    results = AXE.run(page)
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") in impacts:
            targets = [", ".join(node["target"]) for node in violation["nodes"]][:3]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


def sign_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    follow(page, page.get_by_role("button", name="Sign in"))
