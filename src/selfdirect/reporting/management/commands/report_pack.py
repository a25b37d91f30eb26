"""Make an authority's monthly report pack (PDF): `manage.py report_pack --authority northshire
[--month 2026-10] [--queue]`. Without --month, last month. Run it from cron on the 1st of each
month (see docs/reporting.md); the pack appears on the authority's "Monthly report packs" page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from selfdirect.core.cli import authority_option
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority
from selfdirect.core.runs import RunStatus
from selfdirect.reporting.services import request_pack


class Command(BaseCommand):
    help = "Make one authority's (or every authority's) monthly report pack as a PDF"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--authority", help="Authority slug, e.g. northshire")
        parser.add_argument("--all", action="store_true", help="Every authority")
        parser.add_argument("--month", help="A month like 2026-10 (default: last month)")
        parser.add_argument("--queue", action="store_true", help="Queue for the task worker instead of now")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            authorities = list(Authority.objects.order_by("slug"))
        elif options["authority"]:
            authorities = [authority_option(options["authority"])]
        else:
            raise CommandError("--authority: give an authority's slug, or --all")
        month = options["month"] or f"{timezone.localdate().replace(day=1) - dt.timedelta(days=1):%Y-%m}"
        for authority in authorities:
            try:
                pack = request_pack(None, authority, month, run_now=not options["queue"])
            except ServiceError as exc:
                raise CommandError(f"--month: {exc.errors['period'][0]}") from exc
            except Exception as exc:  # the pack's page keeps the reason too
                raise CommandError(f"{authority.slug} {month}: the pack could not be made: {exc}") from exc
            if pack.status == RunStatus.DONE:
                self.stdout.write(
                    f"{authority.slug} {pack.period}: pack {pack.pk}, {pack.size_bytes:,} bytes"
                )
            else:
                self.stdout.write(
                    f"{authority.slug} {pack.period}: pack {pack.pk} {pack.get_status_display().lower()}"
                )
