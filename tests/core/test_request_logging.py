"""A 403 or a 404 is logged once, on one line, with no traceback: it is a refusal working as
designed, not a fault. (Django attaches the PermissionDenied traceback to its "Forbidden" record,
and with DEBUG on its own console handler on the "django" logger printed every record a second
time beside the root's.)"""

from __future__ import annotations

import logging

import pytest

from helpers import client_for
from selfdirect.core.constants import Role


def emitting_handlers(record: logging.LogRecord) -> list[logging.Handler]:
    """The configured handlers that would write ``record`` (pytest's own capture left out)."""
    found = []
    logger: logging.Logger | None = logging.getLogger(record.name)
    while logger is not None:
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest"):
                continue
            if record.levelno >= handler.level and handler.filter(record):
                found.append(handler)
        logger = logger.parent if logger.propagate else None
    return found


@pytest.mark.parametrize("debug", [False, True], ids=["production", "demo (DEBUG on)"])
@pytest.mark.parametrize(
    ("url", "status", "words"),
    [("/audit/", 403, "Forbidden (Permission denied): /audit/"), ("/people/999999/", 404, "Not Found: /people/999999/")],
)  # fmt: skip
def test_a_refusal_is_logged_once_on_one_line(world, caplog, settings, debug, url, status, words):
    settings.DEBUG = debug
    client = client_for(world.north.users[Role.PERSON])
    client.get("/")  # the sign-in and home page log nothing
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = client.get(url)
    assert response.status_code == status
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("django.request", "WARNING", words)
    ]
    (record,) = caplog.records
    assert record.exc_info is None and record.exc_text is None
    assert len(emitting_handlers(record)) == 1
    (handler,) = emitting_handlers(record)
    assert "\n" not in handler.format(record)


def test_a_server_error_keeps_its_traceback(caplog):
    """Only 4xx lose the traceback: a 500 is a fault and needs it."""
    logger = logging.getLogger("django.request")
    try:
        raise ValueError("broken")
    except ValueError:
        with caplog.at_level(logging.INFO):
            logger.error("Internal Server Error: /x", exc_info=True, extra={"status_code": 500})
    (record,) = caplog.records
    assert record.exc_info is not None
