from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core import policy_yaml
from selfdirect.policies.services import check_policy


class Command(BaseCommand):
    help = "Check policy YAML files; prints file:line: path: message for every problem, exits 1 if any."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+", help="Policy YAML files")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for name in options["paths"]:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(f"{name}:0: no such file")
                failed += 1
                continue
            try:
                text = policy_yaml.read_file(path)
            except policy_yaml.PolicyYamlError as exc:
                for p in exc.problems:
                    self.stderr.write(str(p))
                failed += 1
                continue
            policy, problems = check_policy(text, str(path))
            for p in problems:
                self.stderr.write(str(p))
            if policy is not None:
                self.stdout.write(f"{path}: valid ({policy.version_id})")
            else:
                failed += 1
        if failed:
            raise CommandError(f"{failed} file{'s' if failed != 1 else ''} refused", returncode=1)
