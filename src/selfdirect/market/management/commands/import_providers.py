from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from selfdirect.market import services
from selfdirect.people.csvcli import run_import
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
        created = run_import(
            opts["csv_file"], "Importing providers and rates", self.stderr,
            lambda text, tick: services.import_providers(user, authority, text, opts["reason"], progress=tick),
            max_bytes=services.MAX_IMPORT_BYTES,
        )  # fmt: skip
        providers = {t.service.provider_id for t in created}
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(created)} rate table(s) for {len(providers)} provider(s) into {authority.name}"
            )
        )
