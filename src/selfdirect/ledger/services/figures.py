"""A budget's figures: its statement, every figure the person and staff see, each from the ledger."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum

from selfdirect.core.money import split_pence

from .. import books
from ..models import Budget, CloseLine, Instalment, Payment, Spend
from .clawback import ClawbackPosition, clawback_position


@dataclass
class BudgetStatement:
    budget: Budget
    agreed_annual: int
    indicative: int | None
    period_amount: int
    paid: int
    spent: int
    held: int
    contributions: int
    rolled_over: int
    clawed_back: int
    spend_by_category: dict[str, int]
    routes: list[dict[str, Any]]
    clawback: ClawbackPosition


def statement(budget: Budget) -> BudgetStatement:
    """A budget's figures, each from the ledger, for the person and staff alike."""
    held = sum(
        v
        for k, v in books.balances(budget.person.authority, f"holder:{budget.pk}:").items()
        if k.startswith(f"holder:{budget.pk}:")
    )
    payments = Payment.objects.filter(instalment__budget=budget)
    paid = payments.aggregate(s=Sum("amount_pence"))["s"] or 0
    contributions = payments.aggregate(s=Sum("contribution_pence"))["s"] or 0
    spends = Spend.objects.filter(budget=budget).exclude(transaction__reversed_by__isnull=False)
    by_cat: dict[str, int] = defaultdict(int)
    for s in spends:
        by_cat[s.category] += s.amount_pence
    last_close = CloseLine.objects.filter(budget=budget).order_by("-period__start").first()
    clawed = CloseLine.objects.filter(budget=budget).aggregate(s=Sum("clawed_back_pence"))["s"] or 0
    instalments_total = Instalment.objects.filter(budget=budget, cancelled=False).aggregate(
        s=Sum("amount_pence")
    )["s"]
    deployments = list(budget.deployments.all())
    weekly = split_pence(budget.weekly_pence, [d.share for d in deployments]) if deployments else []
    routes = [{"route": d.get_route_display(), "payee": d.payee_name, "weekly": w, "share": d.share}
              for d, w in zip(deployments, weekly, strict=True)]  # fmt: skip
    return BudgetStatement(
        budget=budget, agreed_annual=budget.agreed_annual_pence, indicative=budget.indicative_pence,
        period_amount=instalments_total or 0, paid=paid, spent=sum(by_cat.values()), held=held,
        contributions=contributions, rolled_over=last_close.kept_pence if last_close else 0, clawed_back=clawed,
        spend_by_category=dict(by_cat), routes=routes, clawback=clawback_position(budget),
    )  # fmt: skip
