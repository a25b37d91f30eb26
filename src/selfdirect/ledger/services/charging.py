"""Charging: a person's financial assessment, contributions received, and what they have been
charged, paid and still owe."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User
from selfdirect.people.models import Person

from .. import books, policy
from ..books import Chart, LedgerError, credit, debit
from ..constants import BudgetStatus, TxnKind
from ..models import Budget, ChargeAssessment, Dispute, Leg, Transaction
from .clawback import ClawbackPosition, person_clawback_position
from .common import receipt_checked


def assess_charge(
    actor: User, person: Person, *, weekly_pence: int, starts_on: dt.date, reason: str,
    mode: str | None = None,
) -> ChargeAssessment:  # fmt: skip
    """Record a financial assessment. The policy sets net or gross and any free first years
    (seed 002 "Charging": free for the first 2 years and chargeable after)."""
    pol = policy.load(person.authority.slug)
    if isinstance(weekly_pence, bool) or not isinstance(weekly_pence, int) or weekly_pence < 0:
        raise ServiceError({"weekly_pence": ["The weekly contribution must be whole pence, zero or more"]})
    if not reason.strip():
        raise ServiceError({"reason": ["Say why"]})
    free_until = None
    if pol.charging.free_years:
        first = person.budgets.order_by("starts_on").values_list("starts_on", flat=True).first() or starts_on
        free_until = first.replace(year=first.year + pol.charging.free_years) - dt.timedelta(days=1)
    with transaction.atomic():
        charge = ChargeAssessment.objects.create(
            authority=person.authority, person=person, weekly_pence=weekly_pence, mode=mode or pol.charging.mode,
            starts_on=starts_on, free_until=free_until, reason=reason.strip(),
        )  # fmt: skip
        audit.record(actor=actor, authority=person.authority, action=AuditAction.CREATE, obj=charge,
                     reason=reason, person_id=person.pk)  # fmt: skip
    return charge


def receive_contribution(
    actor: User, person: Person, amount_pence: int, on: dt.date, *, budget: Budget | None = None,
    reason: str = "contribution received",
) -> Transaction:  # fmt: skip
    """Money received from the person against invoiced (gross) contributions: Dr bank / Cr receivable.

    The receipt is posted against one of the person's budgets (``budget``, else their latest), so
    each person's arrears are a sum of ledger legs like every other figure. Money cannot be
    received on a day still to come (as with claw-back receipts)."""
    amount, errors = receipt_checked(amount_pence, on)
    if errors:
        raise ServiceError(errors)
    if budget is None:
        budget = person.budgets.exclude(status=BudgetStatus.DRAFT).order_by("-starts_on", "-pk").first()
    if budget is None or budget.person_id != person.pk:
        raise ServiceError({"budget": ["The person has no agreed budget to receive a contribution against"]})
    first = person.budgets.exclude(status=BudgetStatus.DRAFT).order_by("period_start").first()
    if first is not None and on < first.period_start:
        raise ServiceError({"on": [
            f"{on:%-d %B %Y} is before the person's first budget started ({first.period_start:%-d %B %Y})"
        ]})  # fmt: skip
    chart = Chart(person.authority)
    try:
        with transaction.atomic():
            txn = books.post(
                person.authority, on, TxnKind.RECEIPT, f"Contribution received from {person.reference}",
                [debit(chart.get("bank"), amount), credit(chart.get("contrib_due"), amount)],
                budget_id=budget.pk, actor=actor,
            )  # fmt: skip
            audit.record(actor=actor, authority=person.authority, action=AuditAction.CREATE, obj=budget,
                         reason=reason or "contribution received", person_id=person.pk,
                         changes={"received_pence": [None, amount]})  # fmt: skip
    except LedgerError as exc:
        raise ServiceError({"on": [str(exc)]}) from None
    return txn


@dataclass
class ChargingSummary:
    person: Person
    assessments: list[ChargeAssessment]
    current: ChargeAssessment | None
    charged: int
    invoiced: int
    received: int
    arrears: int
    clawback_position: ClawbackPosition
    disputes: list[Dispute]

    @property
    def clawback(self) -> int:
        """Money still owed back from period close (the claw-back account's balance)."""
        return self.clawback_position.outstanding


def charging_summary(person: Person, today: dt.date | None = None) -> ChargingSummary:
    """What the person is assessed to pay, what was charged (net: kept back from payments; gross:
    invoiced), received, still owed (arrears), money owed back at period close, and disputes."""
    today = today or timezone.localdate()
    assessments = list(ChargeAssessment.objects.filter(person=person).order_by("-starts_on", "-pk"))
    current = next((a for a in assessments if a.starts_on <= today), None)
    legs = Leg.objects.filter(account__authority_id=person.authority_id, transaction__budget__person=person)
    sums = legs.aggregate(
        charged=Sum("amount", filter=models.Q(account__code="contrib_income", side="C"), default=0)
        - Sum("amount", filter=models.Q(account__code="contrib_income", side="D"), default=0),
        invoiced=Sum("amount", filter=models.Q(account__code="contrib_due", side="D"), default=0),
        received=Sum("amount", filter=models.Q(account__code="contrib_due", side="C"), default=0),
    )
    disputes = list(
        Dispute.objects.filter(person=person).select_related("charge", "budget").order_by("-opened_on", "-pk")
    )
    return ChargingSummary(
        person=person, assessments=assessments, current=current, charged=int(sums["charged"]),
        invoiced=int(sums["invoiced"]), received=int(sums["received"]),
        arrears=int(sums["invoiced"]) - int(sums["received"]), clawback_position=person_clawback_position(person),
        disputes=disputes,
    )  # fmt: skip
