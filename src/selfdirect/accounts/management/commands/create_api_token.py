from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from selfdirect.accounts.services import make_token
from selfdirect.core.cli import authority_option, date_option, service_error
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User


class Command(BaseCommand):
    help = (
        "Issue an API token for a user in one authority, until a date. The token is printed once; only its "
        "hash is kept. (Staff also make and revoke their tokens on their account page.)"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--authority", required=True, help="Authority slug")
        parser.add_argument("--name", default="API token", help="What the token is for")
        parser.add_argument("--expires", help="The day it stops working, like 2027-03-31 (default: in 90 days)")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"username: no user called {opts['username']!r}")
        authority = authority_option(opts["authority"])
        if not user.roles_in(authority):
            raise CommandError(f"--authority: {user.username} has no role in {authority.name}")
        expires = (date_option("--expires", opts["expires"]) if opts["expires"]
                   else timezone.localdate() + dt.timedelta(days=90))  # fmt: skip
        try:
            _, raw = make_token(user, authority, name=opts["name"], expires_on=expires)
        except ServiceError as exc:
            raise service_error(exc, {"name": "--name", "expires_on": "--expires"}) from None
        self.stdout.write(raw)
