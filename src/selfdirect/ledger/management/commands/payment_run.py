"""Pay a month's instalments from the command line, with a progress bar. Safe to run again:
what is paid stays paid and the rest is paid once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from selfdirect.core.cli import authority_option, worker_option
from selfdirect.core.errors import ServiceError
from selfdirect.core.money import format_pence
from selfdirect.ledger import services


class Command(BaseCommand):
    help = "Run (or resume) the payment run for one authority and month"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--authority", required=True, help="Authority slug, e.g. northshire")
        parser.add_argument("--period", required=True, help="Month, e.g. 2026-05")
        parser.add_argument("--as", dest="username", required=True, help="The finance officer running it")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        authority = authority_option(options["authority"])
        user = worker_option(options["username"], authority)
        if not user.has_perm("ledger.run_payments", authority):
            raise CommandError(f"--as: {options['username']!r} may not run payments for {authority.slug}")
        try:
            run = services.start_run(user, authority, options["period"])
        except ServiceError as exc:
            raise CommandError(str(exc)) from None
        columns = (TextColumn("Paying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=None, transient=False) as bar:
            job = bar.add_task("pay", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(job, completed=done, total=total)

            try:
                run = services.execute_run(run.pk, batch_size=options["batch_size"], progress=progress)
            except services.RunBusy as exc:
                raise CommandError(str(exc)) from None
            except ServiceError as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{run.period}: {run.paid_count} instalments paid, {format_pence(run.paid_pence)}"
            )
        )
