from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core.models import Authority
from selfdirect.plans import services


class Command(BaseCommand):
    help = "List reviews, light-touch visits and refusal follow-ups due for an authority."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--authority", required=True)
        parser.add_argument("--days", type=int, default=30, help="Due within this many days (default 30)")
        parser.add_argument(
            "--on", type=dt.date.fromisoformat, default=None, help="As if today were YYYY-MM-DD"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        authority = Authority.objects.filter(slug=options["authority"]).first()
        if authority is None:
            raise CommandError(f"no authority called {options['authority']!r}")
        due = services.reviews_due(authority, today=options["on"], within_days=options["days"])
        self.stdout.write(f"{due.count()} review(s) due within {options['days']} days")
        for review in due:
            plan = review.plan
            self.stdout.write(f"  {review.due_on}  plan {plan.pk}  {plan.person.reference}  {plan.person}")
        visits = services.visits_due(authority, today=options["on"], within_days=options["days"])
        self.stdout.write(f"{visits.count()} light-touch visit(s) due within {options['days']} days")
        for visit in visits:
            plan = visit.plan
            self.stdout.write(f"  {visit.due_on}  plan {plan.pk}  {plan.person.reference}  {plan.person}")
        refusals = services.refusals_due(authority, today=options["on"])
        self.stdout.write(f"{refusals.count()} refusal follow-up(s) due")
        for refusal in refusals:
            self.stdout.write(
                f"  {refusal.follow_up_on}  {refusal.person.reference}  {refusal.person}  ({refusal.reason})"
            )
