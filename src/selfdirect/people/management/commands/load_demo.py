from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.allocation.demo import load_allocation_demo
from selfdirect.core.demo import DemoCalendar
from selfdirect.extracare.demo import load_demo as load_extracare_demo
from selfdirect.ledger.demo import load_ledger_demo
from selfdirect.market.demo import load_market_demo
from selfdirect.people.demo import DEMO_PASSWORD, load_demo
from selfdirect.plans.demo import load_plans_demo
from selfdirect.reporting.demo import load_reporting_demo


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today: {text!r} is not a date like 2026-12-07") from None


class Command(BaseCommand):
    help = (
        "Load the demo authorities, sign-ins and people with a year of history (assessments, plans, "
        "budgets, payment runs, closes, reviews) dated back from today. Safe to run twice."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--people", type=int, default=200, help="People per authority (default 200)")
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo sign-ins")
        parser.add_argument(
            "--today", type=_day, default=None,
            help="The day to load the demo on (YYYY-MM-DD; default today): its history is the 12 months before",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        cal = DemoCalendar.on(options["today"])
        # In order: support plans deploy their money before the ledger pays and closes each month.
        logins = load_demo(options["people"], today=cal.today)
        load_allocation_demo(today=cal.today)
        load_extracare_demo()
        load_market_demo(today=cal.today)
        load_plans_demo(today=cal.today)
        load_ledger_demo(today=cal.today)
        load_reporting_demo(today=cal.today)
        if options["quiet_logins"]:
            return
        self.stdout.write(self.style.SUCCESS(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD})"))
        current = None
        for authority, role, username in logins:
            if authority != current:
                self.stdout.write(f"\n  {authority}")
                current = authority
            self.stdout.write(f"    {username:<28} {role}")
        self.stdout.write(f"\n{cal.describe()}\n")
