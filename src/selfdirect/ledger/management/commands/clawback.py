"""Claw-back from the command line: what a budget owes back from period close, and recording money
received back (Dr bank / Cr claw-back receivable).

    manage.py clawback show --authority northshire --as northshire-finance --budget 12
    manage.py clawback receive --authority northshire --as northshire-finance --budget 12 \\
        --amount 30.00 --on 2026-05-10 --reason "cheque from the person"
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core.cli import authority_option, date_option, pounds_option, service_error, worker_option
from selfdirect.core.errors import ServiceError
from selfdirect.core.money import format_pence
from selfdirect.ledger import services
from selfdirect.ledger.access import budget_scope

OPTION_FOR = {"amount_pence": "--amount", "on": "--on", "reason": "--reason"}


class Command(BaseCommand):
    help = "A budget's claw-back: show what is owed, or record money received back"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["show", "receive"])
        parser.add_argument("--authority", required=True)
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--budget", type=int, required=True, help="The budget's id")
        parser.add_argument("--amount", help="receive: amount received back, in pounds")
        parser.add_argument("--on", help="receive: date received (YYYY-MM-DD)")
        parser.add_argument("--reason", default="", help="receive: what was received, and from whom")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = authority_option(options["authority"])
        user = worker_option(options["username"], authority)
        budget = budget_scope(user, authority).filter(pk=options["budget"]).first()
        if budget is None:
            raise CommandError(f"--budget: no budget {options['budget']} that you work with")
        if not user.has_perm("ledger.receive_clawback", budget):
            raise CommandError(f"--as: {options['username']!r} may not work with claw-back")
        if options["action"] == "receive":
            amount = pounds_option("--amount", options["amount"])
            on = date_option("--on", options["on"], like="2026-05-10")
            try:
                txn = services.receive_clawback(user, budget, amount, on, reason=options["reason"])
            except ServiceError as exc:
                raise service_error(exc, OPTION_FOR) from None
            self.stdout.write(self.style.SUCCESS(f"Received {format_pence(amount)} (transaction {txn.pk})"))
        position = services.clawback_position(budget)
        self.stdout.write(
            f"Budget {budget.pk} ({budget.person.reference}): clawed back {format_pence(position.owed)}, "
            f"received back {format_pence(position.received)}, still owed {format_pence(position.outstanding)}"
        )
