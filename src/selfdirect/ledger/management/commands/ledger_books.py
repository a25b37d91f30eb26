"""The books from the command line: the trial balance, the reconciliation of payment files with
the ledger, and reversing a posting (the only correction the ledger allows)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core.cli import authority_option, date_option, service_error, worker_option
from selfdirect.core.errors import ServiceError
from selfdirect.core.money import format_pence
from selfdirect.ledger import books, services
from selfdirect.ledger.access import transaction_scope


class Command(BaseCommand):
    help = "Trial balance, reconciliation, or reverse a transaction, for one authority"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["trial-balance", "reconciliation", "reverse"])
        parser.add_argument("--authority", required=True)
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--transaction", type=int, help="reverse: the transaction's id")
        parser.add_argument("--reason", default="", help="reverse: why")
        parser.add_argument("--on", help="reverse: date of the reversal (default today)")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = authority_option(options["authority"])
        user = worker_option(options["username"], authority)
        if not user.has_perm("ledger.view_ledger", authority):
            raise CommandError(f"--as: {options['username']!r} may not see {authority.slug}'s ledger")
        if options["action"] == "trial-balance":
            rows = books.trial_balance(authority)
            for r in rows:
                self.stdout.write(f"{r['code']:<40} {r['debits']:>14} {r['credits']:>14} {r['balance']:>14}")
            debits = sum(int(r["debits"]) for r in rows)  # type: ignore[call-overload]
            credits = sum(int(r["credits"]) for r in rows)  # type: ignore[call-overload]
            words = "balances" if debits == credits else "DOES NOT BALANCE"
            self.stdout.write(
                f"Total debits {format_pence(debits)}, credits {format_pence(credits)}: {words}"
            )
        elif options["action"] == "reconciliation":
            for rec in services.reconciliation(authority):
                self.stdout.write(
                    f"{rec['run'].period.label}: file {format_pence(rec['file'])}, "
                    f"ledger {format_pence(rec['ledger'])}, difference {format_pence(rec['difference'])}"
                )
        else:
            txn = transaction_scope(user, authority).filter(pk=options["transaction"]).first()
            if txn is None:
                raise CommandError(
                    f"--transaction: no transaction {options['transaction']} in {authority.slug}"
                )
            on = date_option("--on", options["on"], optional=True, like="2026-05-14")
            try:
                rev = services.reverse_transaction(user, txn, options["reason"], on)
            except ServiceError as exc:
                raise service_error(exc, keys=False) from None
            self.stdout.write(self.style.SUCCESS(f"Transaction {txn.pk} reversed by {rev.pk}"))
