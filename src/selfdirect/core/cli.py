"""What management commands share: turning --authority and --as into records, or a clear refusal
that names the option (CommandError, so the command exits 1 with the message and writes nothing)."""

from __future__ import annotations

from django.core.management.base import CommandError

from selfdirect.core.models import Authority, User


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
