"""The embedded database does not fail under ordinary use (issue 17.4).

An API call with a token no longer writes every time (``last_used_at`` at most once every few
minutes), so reads go on while another connection holds the write lock (a long import, a payment
run); and a request that must write while the lock is held answers 503 with Retry-After and a plain
message, on pages and in the API, not 500. The lock is real: another connection holds it, on SQLite
(the database's write lock) and on PostgreSQL (row locks, with a lock timeout)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.db import IntegrityError, OperationalError, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpers import client_for
from selfdirect.core import dbbusy
from selfdirect.core.constants import Role
from selfdirect.core.models import ApiToken
from selfdirect.people.models import ContactLogEntry


class _Cause(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _wrapped(message: str, sqlstate: str | None = None) -> OperationalError:
    exc = OperationalError(message)
    if sqlstate:
        exc.__cause__ = _Cause(sqlstate)
    return exc


def test_what_counts_as_busy():
    assert dbbusy.is_busy(_wrapped("database is locked"))
    assert dbbusy.is_busy(_wrapped("canceling statement due to lock timeout", "55P03"))
    assert dbbusy.is_busy(_wrapped("deadlock detected", "40P01"))
    assert not dbbusy.is_busy(_wrapped("no such table: people_person"))
    assert not dbbusy.is_busy(_wrapped("canceling statement due to statement timeout", "57014"))
    assert not dbbusy.is_busy(IntegrityError("database is locked"))
    assert not dbbusy.is_busy(None)
    try:  # an error raised because of a busy database
        try:
            raise _wrapped("database is locked")
        except OperationalError:
            raise ValueError("the session could not be saved") from None
    except ValueError as caused:
        assert dbbusy.is_busy(caused)


def _me(token: str, client: Client | None = None):
    return (client or Client()).get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")


def _token_writes(queries: CaptureQueriesContext) -> int:
    return sum(
        1 for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "core_apitoken" in q["sql"]
    )


def test_a_token_records_its_use_at_most_once_every_few_minutes(world):
    user = world.north.users[Role.ASSESSOR]
    token, raw = ApiToken.issue(user, world.north.authority, "test")
    with CaptureQueriesContext(connection) as first:
        assert _me(raw).status_code == 200
    with CaptureQueriesContext(connection) as again:
        assert _me(raw).status_code == 200
    assert (_token_writes(first), _token_writes(again)) == (1, 0)
    token.refresh_from_db()
    used = token.last_used_at
    with (
        time_machine.travel(timezone.now() + dt.timedelta(minutes=6)),
        CaptureQueriesContext(connection) as later,
    ):
        assert _me(raw).status_code == 200
    assert _token_writes(later) == 1
    token.refresh_from_db()
    assert token.last_used_at > used


@pytest.fixture
def held(browser_world) -> Iterator[dict]:
    """``lock(table, pk)`` makes another connection hold a lock, as a long import or payment run
    would: on SQLite the whole database's write lock; on PostgreSQL that row's. This test's own
    connection then gives up after a moment (busy_timeout; lock_timeout) where the service waits 5 s."""
    other = connections.create_connection("default")
    other.ensure_connection()
    sqlite = connection.vendor == "sqlite"

    def lock(table: str, pk: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 100" if sqlite else "SET lock_timeout = '200ms'")
        if sqlite:
            other.connection.execute("BEGIN IMMEDIATE")
            return
        key = "session_key" if table == "django_session" else "id"
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(f"SELECT 1 FROM {table} WHERE {key} = %s FOR UPDATE", [pk])  # noqa: S608

    try:
        yield {"world": browser_world, "lock": lock}
    finally:
        if sqlite and other.connection.in_transaction:
            other.connection.execute("ROLLBACK")
        other.close()  # on PostgreSQL, its locks go with it
        connection.close()  # its shortened timeouts go with it


def test_api_reads_go_on_while_another_connection_writes(held):
    side = held["world"].north
    token, raw = ApiToken.issue(side.users[Role.ASSESSOR], side.authority, "test")
    token.mark_used()  # used a minute ago: nothing to record now
    held["lock"]("core_apitoken", token.pk)
    response = _me(raw)
    assert response.status_code == 200, response.content
    assert response.json()["username"] == side.users[Role.ASSESSOR].username


def test_an_api_call_that_must_write_while_the_lock_is_held_answers_503_with_retry_after(held):
    side = held["world"].north
    token, raw = ApiToken.issue(side.users[Role.ASSESSOR], side.authority, "test")  # never used: must write
    held["lock"]("core_apitoken", token.pk)
    response = _me(raw)
    assert response.status_code == 503
    assert response["Retry-After"] == "5" and response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank", "title": "The service is busy", "status": 503,
        "detail": "The database is busy with other work: try again in 5 seconds.",
    }  # fmt: skip


def test_a_page_that_must_write_while_the_lock_is_held_answers_503_with_retry_after(held):
    side = held["world"].north
    person = side.caseload_person
    client = client_for(side.users[Role.PLANNER])
    held["lock"]("people_person", person.pk)
    data = {"happened_on_0": "3", "happened_on_1": "3", "happened_on_2": "2026", "kind": "visit",
            "summary": "Home visit"}  # fmt: skip
    response = client.post(f"/people/{person.pk}/contacts/new/", data)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Sorry, the service is busy" in page and "Try again in a few seconds" in page
    assert not ContactLogEntry.objects.filter(person=person).exists()


def test_a_session_that_cannot_be_saved_answers_503_not_400(held):
    """The write is the session's, after the view, which Django answers 400 ("the session was
    deleted"): the 400 handler sees the busy database under it, and says busy."""
    side = held["world"].north
    client = Client(raise_request_exception=False)
    client.force_login(side.users[Role.ASSESSOR])
    held["lock"]("django_session", client.session.session_key)
    response = client.post("/authority/", {"authority": str(side.authority.pk)})
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "Sorry, the service is busy" in response.content.decode()


def test_a_busy_database_under_any_other_fault_answers_503(rf):
    """Django's 500 handler (a middleware's write failing) says busy too, for pages and the API."""
    from selfdirect.core.views import error_500

    for path, kind in (("/people/", "text/html"), ("/api/v1/me", "application/problem+json")):
        try:
            raise _wrapped("database is locked")
        except OperationalError:
            response = error_500(rf.get(path))
        assert response.status_code == 503 and response["Retry-After"] == "5"
        assert response["Content-Type"].startswith(kind)
