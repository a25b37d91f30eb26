from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core.models import Authority
from selfdirect.plans import services


class Command(BaseCommand):
    help = (
        "End the support plans whose funding withdrawal notice has run out (funding_ends_on on or before "
        "the date), through the workflow's 'end' step made by the system. Safe to run every day."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--date", type=dt.date.fromisoformat, default=None, help="As if today were YYYY-MM-DD"
        )
        parser.add_argument("--authority", help="Only this authority (slug); default all")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = None
        if options["authority"]:
            authority = Authority.objects.filter(slug=options["authority"]).first()
            if authority is None:
                raise CommandError(f"no authority called {options['authority']!r}")
        done = services.end_withdrawn_plans(authority, today=options["date"])
        for row in done:
            self.stdout.write(
                f"plan {row.plan_id}  {row.person}  notice ran out {row.funding_ended_on}: {row.outcome}"
            )
        ended = sum(1 for row in done if row.outcome == "ended")
        self.stdout.write(f"{ended} plan(s) ended, {len(done) - ended} not ended")
        if any(row.outcome.startswith("refused") for row in done):
            raise CommandError("some plans could not be ended; see above")
