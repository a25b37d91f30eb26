from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from selfdirect.allocation.demo import load_allocation_demo
from selfdirect.extracare.demo import load_demo as load_extracare_demo
from selfdirect.ledger.demo import load_ledger_demo
from selfdirect.market.demo import load_market_demo
from selfdirect.people.demo import DEMO_PASSWORD, load_demo
from selfdirect.plans.demo import load_plans_demo
from selfdirect.reporting.demo import load_reporting_demo


class Command(BaseCommand):
    help = "Load the demo authorities, teams, sign-ins and people. Safe to run twice."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--people", type=int, default=200, help="People per authority (default 200)")
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo sign-ins")

    def handle(self, *args: Any, **options: Any) -> None:
        logins = load_demo(options["people"])
        load_allocation_demo()
        load_extracare_demo()
        load_market_demo()
        load_ledger_demo()
        load_plans_demo()
        load_reporting_demo()
        if options["quiet_logins"]:
            return
        self.stdout.write(self.style.SUCCESS(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD})"))
        current = None
        for authority, role, username in logins:
            if authority != current:
                self.stdout.write(f"\n  {authority}")
                current = authority
            self.stdout.write(f"    {username:<28} {role}")
        self.stdout.write("")
