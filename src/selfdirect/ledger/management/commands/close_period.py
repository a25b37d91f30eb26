"""Close a month: apply the rollover and claw-back rules, then refuse further postings."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core.cli import authority_option, worker_option
from selfdirect.core.errors import ServiceError
from selfdirect.ledger import services


class Command(BaseCommand):
    help = "Close one authority's month under its ledger policy"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--authority", required=True)
        parser.add_argument("--period", required=True, help="Month, e.g. 2026-05")
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--reason", default="month end")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = authority_option(options["authority"])
        user = worker_option(options["username"], authority)
        if not user.has_perm("ledger.close_period", authority):
            raise CommandError(f"--as: {options['username']!r} may not close periods for {authority.slug}")
        try:
            result = services.close_period(user, authority, options["period"], options["reason"])
        except ServiceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write((self.style.SUCCESS if result.changed else self.style.WARNING)(result.message))
