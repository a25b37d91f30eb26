from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from selfdirect.market import services
from selfdirect.people.management.commands.import_people import actor_and_authority


class Command(BaseCommand):
    help = (
        "Import providers, services and rate tables from CSV (one row per rate table). Every row is "
        "checked first; if any is bad, nothing is imported. Columns: " + ", ".join(services.IMPORT_COLUMNS)
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("csv_file", type=Path)
        parser.add_argument("--authority", required=True, help="Authority slug")
        parser.add_argument("--as", dest="username", required=True, help="The commissioner doing the import")
        parser.add_argument("--reason", default="Imported from CSV", help="Recorded in the audit log")

    def handle(self, *args: Any, **opts: Any) -> None:
        user, authority = actor_and_authority(opts["username"], opts["authority"], "market.import_providers")
        path: Path = opts["csv_file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text; save the spreadsheet as CSV UTF-8") from None
        with Progress(transient=True) as progress:
            task = progress.add_task("Importing providers and rates", total=None)

            def tick(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            try:
                created = services.import_providers(user, authority, text, opts["reason"], progress=tick)
            except services.ImportRefused as exc:
                for problem in exc.problems:
                    self.stderr.write(f"{path}:{problem}")
                raise CommandError(
                    f"{len(exc.problems)} problem(s) in {path}; nothing was imported"
                ) from None
        providers = {t.service.provider_id for t in created}
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(created)} rate table(s) for {len(providers)} provider(s) into {authority.name}"
            )
        )
