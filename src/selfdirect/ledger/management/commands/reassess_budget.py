"""Replace an agreed budget at a reassessment from the command line (seed 004 Q5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core.models import User
from selfdirect.core.money import format_pence, parse_pounds
from selfdirect.ledger import services
from selfdirect.ledger.models import Budget
from selfdirect.people.services import ServiceError


def _pounds(option: str, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return parse_pounds(text)
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}") from None


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
        try:
            on = dt.date.fromisoformat(options["on"])
        except ValueError:
            raise CommandError(f"--on: {options['on']!r} is not a date like 2026-07-01") from None
        annual = _pounds("--annual", options["annual"])
        assert annual is not None
        try:
            new = services.reassess_budget(
                user, budget, on=on, agreed_annual_pence=annual, reason=options["reason"],
                approved_by_ref=options["approved_by"], indicative_pence=_pounds("--indicative", options["indicative"]),
                difference_reasons=options["difference_reasons"],
            )  # fmt: skip
        except ServiceError as exc:
            raise CommandError("; ".join(f"{k}: {m}" for k, ms in exc.errors.items() for m in ms)) from None
        total = sum(new.instalments.filter(cancelled=False).values_list("amount_pence", flat=True))
        self.stdout.write(self.style.SUCCESS(
            f"Budget {budget.pk} ends {new.starts_on - dt.timedelta(days=1)}; budget {new.pk} "
            f"({format_pence(new.agreed_annual_pence)} a year) starts {new.starts_on}: {format_pence(total)} "
            f"in {new.instalments.count()} instalments"
        ))  # fmt: skip
