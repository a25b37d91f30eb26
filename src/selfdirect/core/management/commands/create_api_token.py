from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core.models import ApiToken, Authority, User


class Command(BaseCommand):
    help = "Issue an API token for a user in one authority. The token is printed once; only its hash is kept."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--authority", required=True, help="Authority slug")
        parser.add_argument("--name", default="API token", help="What the token is for")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"username: no user called {opts['username']!r}")
        authority = Authority.objects.filter(slug=opts["authority"]).first()
        if authority is None:
            raise CommandError(f"authority: no authority {opts['authority']!r}")
        if not user.roles_in(authority):
            raise CommandError(f"authority: {user.username} has no role in {authority.name}")
        _, raw = ApiToken.issue(user, authority, opts["name"])
        self.stdout.write(raw)
