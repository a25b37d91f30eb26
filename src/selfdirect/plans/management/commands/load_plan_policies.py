from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core.models import Authority
from selfdirect.plans import services
from selfdirect.plans.policy import PlanPolicyError


class Command(BaseCommand):
    help = "Load outcome frameworks (outcomes.yaml) and plan rules (plans.yaml) for an authority."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--authority", required=True, help="Authority slug, e.g. northshire")
        parser.add_argument("--dir", help="Folder holding the two files (default policies/<slug>/)")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = Authority.objects.filter(slug=options["authority"]).first()
        if authority is None:
            raise CommandError(f"no authority called {options['authority']!r}")
        try:
            summary = services.load_policies(
                None, authority, Path(options["dir"]) if options["dir"] else None
            )
        except PlanPolicyError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was loaded") from None
        self.stdout.write(
            f"{authority.slug}: {summary.frameworks} frameworks, {summary.outcomes} outcomes "
            f"({summary.retired} retired); plan rules {summary.rules_version}"
            f"{' (new)' if summary.rules_changed else ' (unchanged)'}"
        )
