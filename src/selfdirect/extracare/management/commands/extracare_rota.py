from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ...engine import SchemeInputError, Worker, solve_rota, weekly_requirement
from ...tasks import RULE_TEXT
from ._common import add_scheme_arguments, scheme_inputs


class Command(BaseCommand):
    help = "Build a week's rota for a scheme with CP-SAT; --csv writes it to a file."

    def add_arguments(self, parser: Any) -> None:
        add_scheme_arguments(parser)
        parser.add_argument("--staff", type=int, default=12, help="Care staff in the team (default 12)")
        parser.add_argument(
            "--nights-staff", type=int, default=None, help="Of whom can work nights (default all)"
        )
        parser.add_argument(
            "--time-limit", type=float, default=10.0, help="Seconds for the solver (default 10)"
        )
        parser.add_argument("--week-start", type=date.fromisoformat, default=None, help="e.g. 2026-04-06")
        parser.add_argument("--csv", type=Path, help="Write the rota to this CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        label, inputs = scheme_inputs(options)
        s = inputs.scheme
        if s.schedule is None:
            raise CommandError("scheme.schedule: a schedule of cover is needed to build a rota")
        if options["staff"] < 1:
            raise CommandError(f"--staff: must be at least 1 (got {options['staff']})")
        nights = options["staff"] if options["nights_staff"] is None else options["nights_staff"]
        team = [Worker(f"W{i + 1:02d}", nights=i < nights) for i in range(options["staff"])]
        try:
            r = solve_rota(
                weekly_requirement(s.schedule, s.staffing, s.shifts), team, s.shifts,
                time_limit_seconds=options["time_limit"], week_start=options["week_start"],
            )  # fmt: skip
        except SchemeInputError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{label}\n{r.status} in {r.solve_seconds:.2f} s")
        if not r.feasible:
            rules = ", ".join(f"{RULE_TEXT.get(b, b)} ({b})" for b in r.blocking_rules or r.core_rules)
            raise CommandError(
                f"no rota covers the schedule under these rules; the rule that stops it: {rules or 'unknown'}"
            )
        gap = f"{r.gap:.1%}" if r.gap is not None else "not known"
        self.stdout.write(f"Paid hours {r.objective_hours} a week; optimality gap {gap}")
        text = r.to_csv()
        if options["csv"]:
            options["csv"].write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {len(r.assignments)} shifts to {options['csv']}")
        else:
            self.stdout.write(text)
