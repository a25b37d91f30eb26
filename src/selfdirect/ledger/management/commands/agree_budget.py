"""Agree a draft budget (what a support plan's approval does) from the command line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core.models import User
from selfdirect.ledger import services
from selfdirect.ledger.models import Budget


class Command(BaseCommand):
    help = "Agree a draft budget so that it can be paid"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("budget_id", type=int)
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--approved-by", required=True, help="What approved it, in words")
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        budget = Budget.objects.filter(pk=options["budget_id"]).first()
        if budget is None or user is None or not user.has_perm("ledger.view_budget", budget):
            raise CommandError(f"budget_id: no budget {options['budget_id']} that you work with")
        if not user.has_perm("ledger.agree_budget", budget):
            raise CommandError(f"--as: {options['username']!r} may not agree budgets")
        budget = services.agree_budget(user, budget, options["approved_by"], options["reason"])
        self.stdout.write(self.style.SUCCESS(f"Budget {budget.pk} is {budget.status}"))
