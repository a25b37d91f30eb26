"""Slow down password guessing: after too many failures for one account, refuse for a while.

The limit holds under parallel requests. An attempt is counted *before* its password is checked, in
one transaction that counts the account's recent attempts and records this one, and only one such
transaction runs at a time for an account: on PostgreSQL a transaction-level advisory lock keyed by
the username; on SQLite the database's write lock, taken by the attempt's first statement (an
insert). So of any number of guesses sent at once, at most the limit reach the password check, and
once the account is locked even the right password waits out the window. A successful sign-in
clears the account's count, its own attempt included.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import FailedLogin


class _Locked(Exception):
    """Rolls back the attempt just recorded: the account was already at its limit."""


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def _recent(username: str) -> int:
    return FailedLogin.objects.filter(username__iexact=username[:150], at__gte=_window_start()).count()


def is_locked(username: str) -> bool:
    """True when this username has had too many failed sign-ins recently (from any address, so
    spreading guesses over addresses does not help)."""
    return _recent(username) >= settings.LOGIN_FAILURE_LIMIT


def _lock_account(username: str) -> None:
    """Make the attempts on one account take turns until the transaction ends (PostgreSQL; on SQLite
    the caller's first statement is a write, which takes the whole database's write lock)."""
    if connection.vendor == "postgresql":
        digest = hashlib.sha256(username.casefold().encode()).digest()
        key = int.from_bytes(digest[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def begin_attempt(username: str, ip: str | None) -> bool:
    """Count an attempt to sign in as ``username`` before its password is checked: False, with
    nothing counted, when the account is locked. Check and count are one atomic step."""
    try:
        with transaction.atomic():
            _lock_account(username)
            FailedLogin.objects.create(username=username[:150], ip_address=ip)
            if _recent(username) > settings.LOGIN_FAILURE_LIMIT:  # this attempt included
                raise _Locked
    except _Locked:
        return False
    # Keep the table small: failures older than the window no longer matter.
    FailedLogin.objects.filter(at__lt=_window_start() - dt.timedelta(days=1)).delete()
    return True


def clear(username: str) -> None:
    FailedLogin.objects.filter(username__iexact=username).delete()
