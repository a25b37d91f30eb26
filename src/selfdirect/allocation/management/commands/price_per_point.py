from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.allocation.services import size_pot
from selfdirect.core.cli import authority_option, worker_option
from selfdirect.core.errors import ServiceError
from selfdirect.core.money import format_pence, parse_pounds
from selfdirect.policies.engine.money import format_rate
from selfdirect.policies.models import PolicyVersion


class Command(BaseCommand):
    help = (
        "Size the pot: the price per point that spends the money available for a stream over the "
        "current assessments (nothing is saved)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--authority", required=True)
        parser.add_argument("--policy", required=True, help="Policy id, e.g. northshire-2026")
        parser.add_argument("--stream", required=True, help="Funding stream id, e.g. adult_social_care")
        parser.add_argument(
            "--pot", required=True, help="Money available for the year, in pounds (2500000.00)"
        )
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--json", action="store_true", help="Print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = authority_option(options["authority"])
        user = worker_option(options["username"], authority)
        if not user.has_perm("allocation.size_pot", authority):
            raise CommandError(f"{user} may not size the pot for {authority.slug}")
        version = (
            PolicyVersion.objects.filter(authority=authority, policy_id=options["policy"])
            .order_by("-status", "-uploaded_at")
            .first()
        )
        if version is None:
            raise CommandError(f"no version {options['policy']!r} in {authority.slug}")
        try:
            pot_pence = parse_pounds(options["pot"])
        except ValueError as exc:
            raise CommandError(f"--pot: {exc}") from None
        try:
            sizing = size_pot(version, options["stream"], pot_pence)
        except ServiceError as exc:
            raise CommandError("; ".join(f"{k}: {m}" for k, ms in exc.errors.items() for m in ms)) from None
        if options["json"]:
            self.stdout.write(json.dumps(sizing.to_dict(), indent=2, sort_keys=True))
            return
        per = "week" if sizing.period == "week" else "year"
        weeks = f" / {sizing.weeks} weeks" if sizing.weeks != 1 else ""
        self.stdout.write(
            f"{version.version_id} {sizing.stream}: {format_rate(sizing.price_per_point_pence)} a point a {per}\n"
            f"  {format_pence(sizing.pot_pence)} / {sizing.total_points} points{weeks}, rounded down to "
            f"1/10,000 of a penny ({sizing.price_per_point_pence}p)\n"
            f"  {sizing.people_scored} of {sizing.people_total} current assessments counted\n"
            f"  spend at this price {format_pence(sizing.projected_spend_pence)}; at the current "
            f"{format_rate(sizing.current_price_pence)} {format_pence(sizing.current_spend_pence)}"
        )
