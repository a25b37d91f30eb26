from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from selfdirect.accounts import services
from selfdirect.core.cli import authority_option, service_error, worker_option
from selfdirect.core.constants import Role
from selfdirect.core.errors import ServiceError
from selfdirect.people.models import Team

OPTIONS = {"email": "--email", "full_name": "--name", "roles": "--role", "teams": "--team", "days": "--days",
           "__all__": "invitation"}  # fmt: skip


def _admin(username: str, authority: Any) -> Any:
    user = worker_option(username, authority)
    if Role.ADMIN not in user.roles_in(authority):
        raise CommandError(f"--as: {username} is not an administrator of {authority.slug}")
    return user


def account_at(authority: Any, username: str) -> Any:
    """The account called ``username`` at the authority (in use or switched off), for --username."""
    user = services.staff(authority).filter(username=username).first()
    if user is None:
        raise CommandError(f"username: {username!r} has no account at {authority.slug}")
    return user


def team_ids(authority: Any, names: list[str]) -> list[int]:
    found = dict(Team.objects.filter(authority=authority, name__in=names).values_list("name", "pk"))
    missing = [n for n in names if n not in found]
    if missing:
        raise CommandError(f"--team: no team called {', '.join(repr(n) for n in missing)} at {authority.slug}")
    return [found[n] for n in names]


class Command(BaseCommand):
    help = "Invite someone by email to set up an account with roles (and teams) at an authority."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--authority", required=True, help="Authority slug")
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True, help="Their full name")
        parser.add_argument("--role", action="append", default=[], help=f"Repeat for each: {', '.join(Role.values)}")
        parser.add_argument("--team", action="append", default=[], help="A team's name; repeat for each")
        parser.add_argument("--days", type=int, default=7, help="How many days the link works (1 to 30)")
        parser.add_argument("--as", dest="username", required=True, help="The administrator sending it")

    def handle(self, *args: Any, **opts: Any) -> None:
        authority = authority_option(opts["authority"])
        admin = _admin(opts["username"], authority)
        try:
            invitation, _ = services.invite(
                admin, authority, email=opts["email"], full_name=opts["name"], roles=opts["role"],
                team_ids=team_ids(authority, opts["team"]), days=opts["days"], link_base=settings.SITE_URL,
            )  # fmt: skip
        except ServiceError as exc:
            raise service_error(exc, OPTIONS) from None
        self.stdout.write(self.style.SUCCESS(
            f"Invitation emailed to {invitation.email}: the link works until {invitation.expires_at:%d %B %Y %H:%M}"
        ))  # fmt: skip
