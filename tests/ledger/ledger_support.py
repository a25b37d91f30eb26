"""Helpers for the ledger tests: budgets made and agreed through the services."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from selfdirect.ledger import books, services
from selfdirect.ledger.models import Budget, Instalment, Leg, Payment
from selfdirect.people.models import Person

YEAR_START = dt.date(2026, 4, 1)
YEAR_END = dt.date(2027, 3, 31)


def make_budget(
    person: Person,
    annual: int = 624000,
    *,
    frequency: str = "monthly",
    starts_on: dt.date = YEAR_START,
    routes: list[dict[str, Any]] | None = None,
    agree: bool = True,
    actor: Any = None,
    stream: str = "adult_social_care",
    **extra: Any,
) -> Budget:
    budget = services.create_budget(
        actor, person, stream=stream, period_start=YEAR_START, period_end=YEAR_END,
        agreed_annual_pence=annual, starts_on=starts_on, frequency=frequency,
        deployments=routes or [{"route": "direct_payment", "payee_name": str(person)}], **extra,
    )  # fmt: skip
    if agree:
        budget = services.agree_budget(actor, budget, "support plan agreed (test)", "plan approved")
    return budget


def check_invariants(authority):
    """The books balance, every balance is the sum of its legs, what is committed and unpaid is the
    budget account's balance, and no split of a payment lost a penny."""
    legs = list(
        Leg.objects.filter(account__authority=authority).values(
            "transaction_id", "account__code", "side", "amount"
        )
    )
    per_txn: dict[int, int] = defaultdict(int)
    per_account: dict[str, int] = defaultdict(int)
    for leg in legs:
        signed = leg["amount"] if leg["side"] == "D" else -leg["amount"]
        assert leg["amount"] > 0
        per_txn[leg["transaction_id"]] += signed
        per_account[leg["account__code"]] += signed
    assert all(total == 0 for total in per_txn.values()), "an unbalanced transaction"
    assert books.balances(authority) == {
        k: v for k, v in per_account.items() if k in books.balances(authority)
    }
    assert set(books.balances(authority)) == set(per_account)
    tb = books.trial_balance(authority)
    assert sum(r["debits"] for r in tb) == sum(r["credits"] for r in tb)
    for budget in Budget.objects.filter(authority=authority):
        agreed = sum(
            Instalment.objects.filter(budget=budget, cancelled=False).values_list("amount_pence", flat=True)
        )
        paid = sum(Payment.objects.filter(instalment__budget=budget).values_list("amount_pence", flat=True))
        # What is committed and not yet paid is exactly the budget account's balance.
        assert per_account.get(f"budget:{budget.pk}", 0) == agreed - paid
    for payment in Payment.objects.filter(transaction__authority=authority).select_related("transaction"):
        holder_in = sum(
            leg.amount
            for leg in payment.transaction.legs.all()
            if leg.side == "D" and leg.account.code.startswith("holder:")
        )
        assert holder_in == payment.amount_pence  # the mix-and-match split lost no penny
        assert (
            sum(line.amount_pence for line in payment.lines.all())
            == payment.amount_pence - payment.contribution_pence
        )
