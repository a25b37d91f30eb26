"""Print an authority's indicators for a period: `manage.py indicators --authority northshire
--period 2026-05 [--format csv] [--table take_up]`. Aggregates only, never names."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core.cli import authority_option
from selfdirect.reporting import exports
from selfdirect.reporting.indicators import TABLE_KEYS, PeriodError, build_report, format_cell, parse_period


class Command(BaseCommand):
    help = "Print one authority's reporting indicators for a month or year"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--authority", required=True, help="Authority slug, e.g. northshire")
        parser.add_argument("--period", required=True, help="A month (2026-05) or a year (2026)")
        parser.add_argument("--format", choices=["text", "csv"], default="text")
        parser.add_argument("--table", choices=TABLE_KEYS, action="append", help="Only these tables")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = authority_option(options["authority"])
        try:
            period = parse_period(options["period"])
        except PeriodError as exc:
            raise CommandError(f"--{exc}") from exc
        report = build_report(authority, period, sections=tuple(options["table"] or TABLE_KEYS))
        for table in report.tables:
            if options["format"] == "csv":
                self.stdout.write(f"# {table.key}: {table.title}")
                self.stdout.write(exports.table_csv(table), ending="")
                continue
            self.stdout.write(self.style.MIGRATE_HEADING(f"{table.title} ({table.key})"))
            self.stdout.write(f"  {table.definition}")
            if table.empty:
                self.stdout.write("  Nothing to show for this period.")
            for row in table.rows:
                cells = [format_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)]
                self.stdout.write(
                    "  " + " | ".join(f"{c.label}: {v}" for c, v in zip(table.columns, cells, strict=True))
                )
            if table.note:
                self.stdout.write(f"  {table.note}")
            self.stdout.write("")
