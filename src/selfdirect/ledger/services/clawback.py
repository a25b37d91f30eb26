"""Money clawed back at period close: what is owed, repaid and still owed, and receiving it back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Sum

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User
from selfdirect.core.money import format_pence
from selfdirect.people.models import Person

from .. import books
from ..books import Chart, LedgerError, credit, debit
from ..constants import TxnKind
from ..models import Budget, Leg, Transaction
from .common import receipt_checked


@dataclass
class ClawbackPosition:
    """Money clawed back at period close: owed (less any claw-back reversed), repaid, still owed."""

    owed: int
    received: int
    outstanding: int


def _clawback_legs(authority_id: int, **where: Any) -> models.QuerySet[Leg]:
    return Leg.objects.filter(account__authority_id=authority_id, account__code="clawback", **where)


def _clawback_position(legs: models.QuerySet[Leg]) -> ClawbackPosition:
    """Still owed is the claw-back account's balance; repaid is what receipts credited to it (less
    reversed receipts); owed is the two together, so reversing a close's claw-back lowers it."""
    repayment = models.Q(transaction__kind=TxnKind.RECEIPT)
    repayment |= models.Q(transaction__reverses__kind=TxnKind.RECEIPT)
    sums = legs.aggregate(
        net=Sum(books.SIGNED, default=0),
        repaid=Sum("amount", filter=repayment & models.Q(side="C"), default=0)
        - Sum("amount", filter=repayment & models.Q(side="D"), default=0),
    )
    outstanding, received = int(sums["net"]), int(sums["repaid"])
    return ClawbackPosition(owed=outstanding + received, received=received, outstanding=outstanding)


def clawback_position(budget: Budget) -> ClawbackPosition:
    """One budget's claw-back: owed, repaid and still owed, each a sum of ledger legs."""
    return _clawback_position(_clawback_legs(budget.authority_id, transaction__budget_id=budget.pk))


def person_clawback_position(person: Person) -> ClawbackPosition:
    """The same for all of a person's budgets (the charging summary)."""
    return _clawback_position(_clawback_legs(person.authority_id, transaction__budget__person=person))


def clawback_repayments(budget: Budget) -> list[dict[str, Any]]:
    """The receipts of claw-back for a budget: ``id``, ``on``, ``amount`` and ``reversed_by_id``."""
    rows = (
        Transaction.objects.filter(budget=budget, kind=TxnKind.RECEIPT, legs__account__code="clawback")
        .annotate(amount=Sum("legs__amount"), reversed_by_id=models.F("reversed_by__id"))
        .order_by("on", "pk")
        .values("id", "on", "amount", "reversed_by_id")
    )
    return [dict(row) for row in rows]


def _clawback_owed_from(budget: Budget, on: dt.date) -> int:
    """The least the budget's claw-back balance stands at on ``on`` or any later day: a repayment
    dated ``on`` may not take it below zero then or later."""
    legs = _clawback_legs(budget.authority_id, transaction__budget_id=budget.pk)
    lowest = running = int(
        legs.filter(transaction__on__lte=on).aggregate(s=Sum(books.SIGNED, default=0))["s"]
    )
    later = (
        legs.filter(transaction__on__gt=on)
        .values("transaction__on")
        .annotate(s=Sum(books.SIGNED))
        .order_by("transaction__on")
    )
    for row in later:
        running += int(row["s"])
        lowest = min(lowest, running)
    return lowest


def receive_clawback(
    actor: User | None, budget: Budget, amount_pence: int, on: dt.date, *, reason: str = "claw-back repaid"
) -> Transaction:
    """Money clawed back at period close and now returned to the council: Dr bank / Cr claw-back
    receivable, posted against the budget it was clawed back from, so the statement and the
    charging summary show what is owed, repaid and still owed as sums of legs.

    Refused (nothing posted): an amount that is not whole positive pence, more than is still owed on
    that day or any later one, a date in the future or in a closed month, no reason."""
    amount, errors = receipt_checked(amount_pence, on)
    if not reason or not reason.strip():
        errors["reason"] = ["Say what was received, and from whom"]
    if errors:
        raise ServiceError(errors)
    try:
        with transaction.atomic():
            locked = Budget.objects.select_for_update().select_related("authority").get(pk=budget.pk)
            owed = _clawback_owed_from(locked, on)
            if owed <= 0:
                raise ServiceError(
                    {"amount_pence": [f"No claw-back from budget {locked.pk} is owed on {on:%d %B %Y}"]}
                )
            if amount > owed:
                raise ServiceError({"amount_pence": [
                    f"{format_pence(amount)} is more than the {format_pence(owed)} of claw-back owed on this budget"
                ]})  # fmt: skip
            chart = Chart(locked.authority)
            txn = books.post(
                locked.authority, on, TxnKind.RECEIPT, f"Claw-back repaid for budget {locked.pk}",
                [debit(chart.get("bank"), amount), credit(chart.get("clawback"), amount)],
                budget_id=locked.pk, actor=actor,
            )  # fmt: skip
            audit.record(
                actor=actor, authority=locked.authority, action=AuditAction.CREATE, obj=locked,
                reason=reason.strip(), person_id=locked.person_id, changes={"clawback_received_pence": [None, amount]},
            )  # fmt: skip
    except LedgerError as exc:
        raise ServiceError({"on": [str(exc)]}) from None
    return txn
