from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from selfdirect.core.models import Authority, User
from selfdirect.people import services


def actor_and_authority(username: str, slug: str, perm: str) -> tuple[User, Authority]:
    """The CLI acts as a named user, under the same permission rules as the web and the API."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--as: no user called {username!r}")
    authority = Authority.objects.filter(slug=slug).first()
    if authority is None:
        raise CommandError(f"--authority: no authority {slug!r}")
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
        path: Path = opts["csv_file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text; save the spreadsheet as CSV UTF-8") from None
        with Progress(transient=True) as progress:
            task = progress.add_task("Importing", total=None)

            def tick(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            try:
                created = services.import_people(user, authority, text, opts["reason"], progress=tick)
            except services.ImportRefused as exc:
                for problem in exc.problems:
                    self.stderr.write(f"{path}:{problem}")
                raise CommandError(
                    f"{len(exc.problems)} problem(s) in {path}; nothing was imported"
                ) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {len(created)} people into {authority.name}"))
