from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from selfdirect.accounts import services
from selfdirect.core.cli import authority_option, service_error
from selfdirect.core.errors import ServiceError

from .invite_user import _admin, account_at


class Command(BaseCommand):
    help = "Switch an account off at an authority: its roles, teams and API tokens there go at once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--authority", required=True, help="Authority slug")
        parser.add_argument("--reason", required=True)
        parser.add_argument("--as", dest="admin", required=True, help="The administrator switching it off")

    def handle(self, *args: Any, **opts: Any) -> None:
        authority = authority_option(opts["authority"])
        admin = _admin(opts["admin"], authority)
        user = account_at(authority, opts["username"])
        try:
            services.switch_off(admin, authority, user, opts["reason"])
        except ServiceError as exc:
            raise service_error(exc, {"reason": "--reason", "__all__": "username"}) from None
        self.stdout.write(self.style.SUCCESS(f"{user}'s account at {authority.slug} is switched off"))
