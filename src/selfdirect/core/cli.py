"""What management commands share: turning --authority and --as into records, amounts and dates
into values, and a service's refusal into a clear message that names the option (CommandError,
so the command exits 1 with the message and writes nothing)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, overload

from django.core.management.base import CommandError

from selfdirect.core.models import Authority, User
from selfdirect.core.money import parse_pounds

if TYPE_CHECKING:
    from selfdirect.core.errors import ServiceError


def authority_option(slug: str) -> Authority:
    """The authority named by --authority."""
    authority = Authority.objects.filter(slug=slug).first()
    if authority is None:
        raise CommandError(f"--authority: no authority {slug!r}")
    return authority


def worker_option(username: str, authority: Authority) -> User:
    """The user named by --as, who must hold a role in ``authority``."""
    user = User.objects.filter(username=username).first()
    if user is None or not user.roles_in(authority):
        raise CommandError(f"--as: {username!r} does not work for {authority.slug}")
    return user


@overload
def pounds_option(option: str, text: str | None, *, negative: bool = ...) -> int: ...
@overload
def pounds_option(
    option: str, text: str | None, *, optional: Literal[True], negative: bool = ...
) -> int | None: ...
def pounds_option(
    option: str, text: str | None, *, optional: bool = False, negative: bool = True
) -> int | None:
    """The pence in an amount given in pounds. ``optional``: None when the option is not given;
    ``negative``: whether an amount less than zero is allowed."""
    if text is None and optional:
        return None
    if not text:
        raise CommandError(f"{option}: give an amount in pounds")
    try:
        pence = parse_pounds(text)
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}") from None
    if pence < 0 and not negative:
        raise CommandError(f"{option}: {text!r} is less than zero")
    return pence


@overload
def date_option(option: str, text: str | None, *, like: str = ...) -> dt.date: ...
@overload
def date_option(
    option: str, text: str | None, *, optional: Literal[True], like: str = ...
) -> dt.date | None: ...
def date_option(
    option: str, text: str | None, *, optional: bool = False, like: str = "2026-04-01"
) -> dt.date | None:
    """The date in an option given as YYYY-MM-DD (``like`` is the example the refusal gives).
    ``optional``: None when the option is not given."""
    if not text and optional:
        return None
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not a date like {like}") from None


def service_error(
    exc: ServiceError, options: Mapping[str, str] | None = None, *, keys: bool = True
) -> CommandError:
    """A service's refusal as one message, each part named by its option (``options`` maps the
    service's field names to them; ``keys=False`` leaves the names out)."""
    return CommandError(
        "; ".join(
            f"{(options or {}).get(k, k)}: {m}" if keys else m for k, ms in exc.errors.items() for m in ms
        )
    )
