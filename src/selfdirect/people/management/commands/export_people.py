from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from selfdirect.core import audit, spreadsheet
from selfdirect.core.constants import AuditAction
from selfdirect.people import services
from selfdirect.people.access import people_scope
from selfdirect.people.management.commands.import_people import actor_and_authority


class Command(BaseCommand):
    help = "Export the people a user may see to CSV (the same columns the import reads)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--authority", required=True)
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--output", "-o", type=Path, help="File to write (default: standard output)")

    def handle(self, *args: Any, **opts: Any) -> None:
        user, authority = actor_and_authority(opts["username"], opts["authority"], "people.export_people")
        people = people_scope(user, authority).select_related("team")
        with contextlib.ExitStack() as stack:
            out = (
                stack.enter_context(Path(opts["output"]).open("w", newline="", encoding="utf-8"))
                if opts["output"]
                else sys.stdout
            )
            writer = spreadsheet.writer(out)
            count = -1
            for count, row in enumerate(services.export_rows(people.iterator())):  # noqa: B007
                writer.writerow(row)
        audit.record(
            actor=user, authority=authority, action=AuditAction.EXPORT, obj=authority,
            reason="Exported people to CSV from the command line", changes={"rows": [None, count]},
        )  # fmt: skip
        if opts["output"]:
            self.stderr.write(f"Wrote {count} people to {opts['output']}")
