from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core import policy_yaml
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User
from selfdirect.policies.services import PolicyRefused, publish_file


class Command(BaseCommand):
    help = "Validate and publish (freeze) a policy version for an authority, as a commissioner."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument("--authority", required=True, help="Authority slug")
        parser.add_argument("--as", dest="username", required=True, help="The commissioner publishing it")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = Authority.objects.filter(slug=options["authority"]).first()
        if authority is None:
            raise CommandError(f"no authority {options['authority']!r}")
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        if not user.has_perm("allocation.manage_policies", authority):
            raise CommandError(f"{user} may not publish policies for {authority.slug}")
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"{path}:0: no such file")
        try:
            version = publish_file(user, authority, policy_yaml.read_file(path), str(path))
        except (PolicyRefused, policy_yaml.PolicyYamlError) as exc:
            for p in exc.problems:
                self.stderr.write(str(p))
            raise CommandError(f"{len(exc.problems)} problem(s): not published") from None
        except ServiceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"published {version.version_id} for {authority.slug}"))
