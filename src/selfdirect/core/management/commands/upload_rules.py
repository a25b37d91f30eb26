from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core import policy_yaml, rules
from selfdirect.core.cli import authority_option, worker_option


class Command(BaseCommand):
    help = "Check and upload a version of an authority's rules (money rules, ...); --publish puts it in force."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument("--kind", required=True, help="Which rules: " + ", ".join(k.key for k in rules.kinds()))
        parser.add_argument("--authority", required=True, help="Authority slug")
        parser.add_argument("--as", dest="username", required=True, help="Who uploads it")
        parser.add_argument("--publish", action="store_true", help="Publish it too (it takes effect on its date)")
        parser.add_argument("--reason", default="", help="Why, when publishing")

    def handle(self, *args: Any, **opts: Any) -> None:
        authority = authority_option(opts["authority"])
        user = worker_option(opts["username"], authority)
        try:
            kind = rules.kind(opts["kind"])
        except KeyError:
            raise CommandError(f"--kind: no rules called {opts['kind']!r}") from None
        if not kind.managed_by & user.roles_in(authority):
            raise CommandError(f"--as: {user.username} may not change the {kind.label.lower()} of {authority.slug}")
        path = Path(opts["path"])
        if not path.is_file():
            raise CommandError(f"{path}:0: no such file")
        try:
            version = rules.upload(user, authority, kind.key, policy_yaml.read_file(path), str(path))
            if opts["publish"]:
                version = rules.publish(user, version, opts["reason"] or f"Published from {path.name}")
        except (policy_yaml.PolicyYamlError, rules.RulesRefused) as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} problem(s): nothing was published") from None
        self.stdout.write(self.style.SUCCESS(f"{version.title}: {version.get_status_display().lower()}"))
