"""Replace an agreed budget at a reassessment from the command line (seed 004 Q5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core.cli import date_option, pounds_option, service_error
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User
from selfdirect.core.money import format_pence
from selfdirect.ledger import services
from selfdirect.ledger.models import Budget


class Command(BaseCommand):
    help = "End an agreed budget at a reassessment and start the new one the next day, with reasons"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("budget_id", type=int)
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--on", required=True, help="Day the new budget starts, e.g. 2026-07-01")
        parser.add_argument(
            "--annual", required=True, help="New agreed budget in pounds a year, e.g. 7300.00"
        )
        parser.add_argument(
            "--indicative", help="Indicative budget from the new allocation, in pounds a year"
        )
        parser.add_argument("--difference-reasons", default="", help="Why the agreed and indicative differ")
        parser.add_argument(
            "--approved-by", required=True, help="The reassessment or approved plan, in words"
        )
        parser.add_argument("--reason", required=True, help="Why the budget changes")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        budget = Budget.objects.filter(pk=options["budget_id"]).first()
        if budget is None or user is None or not user.has_perm("ledger.view_budget", budget):
            raise CommandError(f"budget_id: no budget {options['budget_id']} that you work with")
        if not user.has_perm("ledger.reassess_budget", budget):
            raise CommandError(f"--as: {options['username']!r} may not reassess budgets")
        on = date_option("--on", options["on"], like="2026-07-01")
        annual = pounds_option("--annual", options["annual"])
        try:
            new = services.reassess_budget(
                user, budget, on=on, agreed_annual_pence=annual, reason=options["reason"],
                approved_by_ref=options["approved_by"], indicative_pence=pounds_option("--indicative", options["indicative"], optional=True),
                difference_reasons=options["difference_reasons"],
            )  # fmt: skip
        except ServiceError as exc:
            raise service_error(exc) from None
        total = sum(new.instalments.filter(cancelled=False).values_list("amount_pence", flat=True))
        self.stdout.write(self.style.SUCCESS(
            f"Budget {budget.pk} ends {new.starts_on - dt.timedelta(days=1)}; budget {new.pk} "
            f"({format_pence(new.agreed_annual_pence)} a year) starts {new.starts_on}: {format_pence(total)} "
            f"in {new.instalments.count()} instalments"
        ))  # fmt: skip
