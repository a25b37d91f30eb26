from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from selfdirect.allocation.constants import PopulationKind
from selfdirect.allocation.services import execute_what_if, start_what_if
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User
from selfdirect.policies.models import PolicyVersion


class Command(BaseCommand):
    help = "Compare two policy versions over the population (everyone's latest assessment, or synthetic)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--authority", required=True)
        parser.add_argument(
            "--base", required=True, help="Version id (e.g. northshire-2026) of the current policy"
        )
        parser.add_argument("--proposed", required=True, help="Version id of the proposed policy")
        parser.add_argument("--synthetic", type=int, default=0, help="Use N synthetic people instead")
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--json", action="store_true", help="Print the whole result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = Authority.objects.filter(slug=options["authority"]).first()
        user = User.objects.filter(username=options["username"]).first()
        if authority is None or user is None:
            raise CommandError("unknown authority or user")
        if not user.has_perm("allocation.run_what_if", authority):
            raise CommandError(f"{user} may not run what-ifs for {authority.slug}")
        versions = PolicyVersion.objects.filter(authority=authority)

        def find(policy_id: str) -> PolicyVersion:
            found = versions.filter(policy_id=policy_id).order_by("-status", "-uploaded_at").first()
            if found is None:
                raise CommandError(f"no version {policy_id!r} in {authority.slug}")
            return found

        try:
            run = start_what_if(
                user, authority, find(options["base"]), find(options["proposed"]),
                PopulationKind.SYNTHETIC if options["synthetic"] else PopulationKind.CURRENT,
                options["synthetic"], to_worker=False,
            )  # fmt: skip
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        with Progress(transient=True) as bar:
            job = bar.add_task("what-if", total=run.steps)
            result = execute_what_if(run, lambda n, stage: bar.update(job, completed=n, description=stage))
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2, sort_keys=True))
            return
        self.stdout.write(
            f"{result['people']} people: {result['base']['total_pence']}p -> {result['proposed']['total_pence']}p; "
            f"{result['winners']} gain, {result['losers']} lose, {result['unchanged']} unchanged"
        )
        for s, row in result["streams"].items():
            self.stdout.write(
                f"  {s}: {row['base_pence']}p -> {row['proposed_pence']}p ({row['change_pence']:+d}p)"
            )
