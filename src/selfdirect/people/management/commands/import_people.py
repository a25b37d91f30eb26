from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core.cli import authority_option
from selfdirect.core.models import Authority, User
from selfdirect.people import services
from selfdirect.people.csvcli import run_import


def actor_and_authority(username: str, slug: str, perm: str) -> tuple[User, Authority]:
    """The CLI acts as a named user, under the same permission rules as the web and the API."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--as: no user called {username!r}")
    authority = authority_option(slug)
    if not user.has_perm(perm, authority):
        raise CommandError(f"--as: {username} may not do this in {authority.name} ({perm})")
    return user, authority


class Command(BaseCommand):
    help = "Import people from a CSV file. Every row is checked first; if any is bad, nothing is imported."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("csv_file", type=Path)
        parser.add_argument("--authority", required=True, help="Authority slug")
        parser.add_argument("--as", dest="username", required=True, help="The administrator doing the import")
        parser.add_argument("--reason", default="Imported from CSV", help="Recorded in each person's history")

    def handle(self, *args: Any, **opts: Any) -> None:
        user, authority = actor_and_authority(opts["username"], opts["authority"], "people.import_people")
        created = run_import(
            opts["csv_file"], "Importing", self.stderr,
            lambda text, tick: services.import_people(user, authority, text, opts["reason"], progress=tick),
            max_bytes=services.MAX_IMPORT_BYTES,
        )  # fmt: skip
        self.stdout.write(self.style.SUCCESS(f"Imported {len(created)} people into {authority.name}"))
