"""A database too busy to answer now is a 503 with a retry hint, not a 500.

On SQLite one writer at a time holds the database's lock and the others wait up to the busy timeout
(5 s, settings), then fail with "database is locked"; on PostgreSQL a statement that waits longer
than ``lock_timeout`` for a lock (``SELFDIRECT_PG_LOCK_TIMEOUT``, settings), or loses a deadlock or
a serialization race, fails the same way. None of these is a fault in the request: the same request
sent again a moment later works. So pages answer a plain "busy" page and the API a problem with
status 503, both with ``Retry-After``; the transaction was rolled back, so nothing is half-written.

Views' exceptions are caught by :class:`DatabaseBusyMiddleware`; the API's by its exception handler
(selfdirect.api.errors); a middleware's by the 500 handler, and a session that could not be saved at
the end of a request (which Django answers 400) by the 400 handler: each through :func:`is_busy` and
:func:`busy_response`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

from .http import is_api, problem_response

logger = logging.getLogger("selfdirect.busy")

RETRY_AFTER_SECONDS = 5

# PostgreSQL: lock_not_available (lock_timeout, NOWAIT), deadlock_detected, serialization_failure,
# too_many_connections. https://www.postgresql.org/docs/current/errcodes-appendix.html
BUSY_SQLSTATES = frozenset({"55P03", "40P01", "40001", "53300"})
SQLITE_BUSY = ("database is locked", "database table is locked")


def is_busy(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database is busy (try again), not that something is wrong: a busy
    error itself, or an error raised because of one (a session that could not be saved)."""
    for _ in range(8):
        if exc is None:
            return False
        if getattr(exc, "sqlstate", None) in BUSY_SQLSTATES:  # psycopg's error, under Django's
            return True
        if isinstance(exc, OperationalError) and any(words in str(exc).lower() for words in SQLITE_BUSY):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: a problem for the API, a plain page for people."""
    if is_api(request):
        response = problem_response(
            503,
            "The service is busy",
            f"The database is busy with other work: try again in {RETRY_AFTER_SECONDS} seconds.",
        )
    else:
        # Rendered without the request, as Django renders its 500 page: nothing here asks the database.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """Answers :func:`busy_response` when a view fails because the database is busy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy(exception):
            return None
        logger.warning("Database busy: %s %s answered 503 (%s)", request.method, request.path, exception)
        return busy_response(request)
