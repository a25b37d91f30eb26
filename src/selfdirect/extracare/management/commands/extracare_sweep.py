from __future__ import annotations

from dataclasses import replace
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from ...engine import SchemeInputError, SimulationConfig, sweep
from ...tasks import floating_levels
from ._common import add_scheme_arguments, scheme_inputs


class Command(BaseCommand):
    help = "Sweep the share of daytime cover left floating (how much cover to keep for emergencies) with a progress bar."

    def add_arguments(self, parser: Any) -> None:
        add_scheme_arguments(parser)
        parser.add_argument(
            "--levels", type=int, default=11, help="Floating shares from 0%% to 100%% (default 11)"
        )
        parser.add_argument("--replications", type=int, default=5, help="Runs at each level (default 5)")
        parser.add_argument("--days", type=int, default=365, help="Days in each run (default 365)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--workers", type=int, default=1, help="Processes to use (default 1)")
        parser.add_argument("--target", type=float, default=30.0, help="Target p95 response in minutes")

    def handle(self, *args: Any, **options: Any) -> None:
        label, inputs = scheme_inputs(options)
        s = inputs.scheme
        if s.schedule is None:
            raise CommandError("scheme.schedule: a schedule of cover is needed to simulate")
        for name in ("levels", "replications", "days"):
            if options[name] < 1:
                raise CommandError(f"--{name}: must be at least 1 (got {options[name]})")
        cfg = replace(SimulationConfig.from_schedule(s.schedule, s.staffing, s.shifts), days=options["days"])
        levels = floating_levels(options["levels"])
        console = Console(file=cast(IO[str], self.stdout), width=110)
        console.print(f"[bold]{label}[/bold]")
        columns = (TextColumn("Simulating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=Console(file=cast(IO[str], self.stderr))) as progress:
            bar = progress.add_task("sweep", total=len(levels) * options["replications"])
            try:
                result = sweep(
                    cfg, levels, options["replications"], seed=options["seed"], workers=options["workers"],
                    progress=lambda done, total: progress.update(bar, completed=done, total=total),
                )  # fmt: skip
            except SchemeInputError as exc:
                raise CommandError(str(exc)) from None
        table = Table(
            title=f"Response to unplanned calls ({options['replications']} runs of {options['days']} days a level)"
        )
        for col in ("Floating", "Median min", "p95 min", "p95 range", "In use"):
            table.add_column(col, justify="right")
        for lv in result.levels:
            lo, hi = lv.p95_spread
            table.add_row(f"{lv.floating_share:.0%}", f"{lv.p50_mean:.1f}", f"{lv.p95_mean:.1f}", f"{lo:.1f}-{hi:.1f}",
                          f"{lv.utilisation:.0%}")  # fmt: skip
        console.print(table)
        best = result.min_floating_share_for(options["target"])
        if best is None:
            console.print(f"No level meets 95% of calls within {options['target']:g} minutes.")
        else:
            console.print(
                f"Least floating share meeting 95% within {options['target']:g} minutes: {best:.0%}"
            )
