from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.table import Table

from selfdirect.core.money import format_pence

from ...analysis import figures
from ._common import add_scheme_arguments, scheme_inputs


class Command(BaseCommand):
    help = "Print a scheme's hours calculators (Housing LIN technical brief, section 6), costings and core charge per flat."

    def add_arguments(self, parser: Any) -> None:
        add_scheme_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        label, inputs = scheme_inputs(options)
        fig = figures(inputs)
        console = Console(file=cast(IO[str], self.stdout), width=120, force_terminal=False)
        console.print(f"[bold]{label}[/bold]")
        for t in fig.hours:
            table = Table(title=t["title"], title_justify="left")
            table.add_column("Line")
            table.add_column("Working")
            table.add_column("Hours", justify="right")
            for ln in t["lines"]:
                table.add_row(
                    ln["label"], ln["working"] + ("" if ln["counted"] else " (not added)"), ln["hours"]
                )
            for s in t["subtotals"]:
                table.add_row(f"= {s['label']}", "", s["hours"])
            table.add_row("Total", "", t["total"])
            console.print(table)
            for note in t["notes"]:
                console.print(f"  {note}")
        for c in fig.costing:
            table = Table(title=f"Cost: {c['basis']}", title_justify="left")
            table.add_column("Method")
            table.add_column("A week", justify="right")
            table.add_column("A year", justify="right")
            table.add_column("Per contact hour", justify="right")
            table.add_column("Per flat a week", justify="right")
            for method in ("itemised", "single"):
                m = c[method]
                if m:
                    rate = format_pence(m["loaded_rate_pence"]) if m["loaded_rate_pence"] is not None else ""
                    table.add_row(m["title"], format_pence(m["weekly_pence"]), format_pence(m["annual_pence"]), rate,
                                  format_pence(m["per_flat_pence"]))  # fmt: skip
            console.print(table)
        if fig.procurement:
            console.print(fig.procurement["text"])
        console.print(f"Core cost {format_pence(fig.core_weekly_pence or 0)} a week ({fig.core_basis}).")
        for ch in fig.charges:
            console.print(
                f"  Core charge, {ch['when']} ({ch['flats']}): {format_pence(ch['per_flat_pence'])} per flat a week"
            )
