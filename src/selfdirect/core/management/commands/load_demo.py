"""Load the demo: every app's demo loader, in the order the apps registered them (core.registry),
then the sign-ins. Core knows no app: each registers its own loader in its AppConfig.ready()."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core import registry
from selfdirect.core.constants import Role
from selfdirect.core.demo import DEMO_AUTHORITIES, DEMO_PASSWORD, DemoCalendar
from selfdirect.core.models import Membership


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
        chosen = registry.DemoOptions(today=cal.today, people=options["people"])
        for load in registry.demo_loaders():
            load(chosen)
        if options["quiet_logins"]:
            return
        self.stdout.write(self.style.SUCCESS(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD})"))
        current = None
        memberships = Membership.objects.filter(authority__slug__in=DEMO_AUTHORITIES).select_related(
            "authority", "user"
        )
        roles = list(Role)
        for membership in sorted(memberships, key=lambda m: (m.authority.name, roles.index(Role(m.role)))):
            if not membership.user.username.startswith(f"{membership.authority.slug}-"):
                continue  # someone the council added, not a demo sign-in
            if membership.authority.name != current:
                current = membership.authority.name
                self.stdout.write(f"\n  {current}")
            self.stdout.write(f"    {membership.user.username:<28} {membership.get_role_display()}")
        self.stdout.write(f"\n{cal.describe()}\n")
