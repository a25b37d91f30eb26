"""Slow down password guessing: after too many failures for one account, refuse for a while."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .models import FailedLogin


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def is_locked(username: str) -> bool:
    """True when this username has had too many failed sign-ins recently (from any address, so
    spreading guesses over addresses does not help)."""
    recent = FailedLogin.objects.filter(username__iexact=username, at__gte=_window_start()).count()
    return recent >= settings.LOGIN_FAILURE_LIMIT


def record_failure(username: str, ip: str | None) -> None:
    FailedLogin.objects.create(username=username[:150], ip_address=ip)
    # Keep the table small: failures older than the window no longer matter.
    FailedLogin.objects.filter(at__lt=_window_start() - dt.timedelta(days=1)).delete()


def clear(username: str) -> None:
    FailedLogin.objects.filter(username__iexact=username).delete()
