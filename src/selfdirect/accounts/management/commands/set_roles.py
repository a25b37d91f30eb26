from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from selfdirect.accounts import services
from selfdirect.core.cli import authority_option, service_error
from selfdirect.core.errors import ServiceError

from .invite_user import _admin, account_at, team_ids


class Command(BaseCommand):
    help = "Give an account exactly these roles and teams at an authority (switching it on if it was off)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--authority", required=True, help="Authority slug")
        parser.add_argument("--role", action="append", default=[], help="Repeat for each role")
        parser.add_argument("--team", action="append", default=[], help="A team's name; repeat for each")
        parser.add_argument("--reason", required=True)
        parser.add_argument("--as", dest="admin", required=True, help="The administrator making the change")

    def handle(self, *args: Any, **opts: Any) -> None:
        authority = authority_option(opts["authority"])
        admin = _admin(opts["admin"], authority)
        user = account_at(authority, opts["username"])
        try:
            changed = services.set_roles(admin, authority, user, opts["role"], team_ids(authority, opts["team"]),
                                         opts["reason"])  # fmt: skip
        except ServiceError as exc:
            raise service_error(exc, {"roles": "--role", "teams": "--team", "reason": "--reason"}) from None
        held = services.role_labels(services.holding(user, authority).roles)
        self.stdout.write(self.style.SUCCESS(f"{user}: {', '.join(held)}" + ("" if changed else " (unchanged)")))
