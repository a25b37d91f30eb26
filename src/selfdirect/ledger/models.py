"""The ledger: accounts, balanced transactions of legs, budgets, instalments, payment runs,
period close, spending and charges. All money is integer pence.

Legs follow django-hordak: every amount is positive, with a debit or credit flag. An account's
balance is always computed from its legs (debits minus credits), never stored, so it cannot
drift from them. Posted transactions and legs never change: corrections are reversals.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from selfdirect.core import runs
from selfdirect.core.dates import format_date, month_name
from selfdirect.core.models import Authority
from selfdirect.core.money import format_pence, round_pence
from selfdirect.people.models import Person

from .constants import (
    AccountKind,
    BudgetStatus,
    ChargingMode,
    DisputeStatus,
    Frequency,
    PeriodStatus,
    Route,
    RunStatus,
    Side,
    TxnKind,
)


class Immutable(Exception):
    """A posted ledger record cannot be changed or removed; post a reversal instead."""


class Account(models.Model):
    """One account in an authority's tree: a root per kind, then one per stream, budget,
    holder (budget x route), provider or spending category."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=80, help_text="Unique in the authority, e.g. holder:12:isf")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AccountKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    budget = models.ForeignKey(
        "Budget", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authority", "code"], name="ledger_account_code")]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Period(models.Model):
    """A calendar month of an authority's books. Closing it applies the rollover and claw-back
    rules; nothing may be posted into it afterwards."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    policy_version = models.CharField(max_length=80, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authority", "start"], name="ledger_period_start")]
        ordering = ["start"]

    def __str__(self) -> str:
        return month_name(self.start)  # "May 2026"; ``label`` is its key ("2026-05") for files and addresses

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED


class ImmutableQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise Immutable("posted ledger records cannot be changed; post a reversal")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise Immutable("posted ledger records cannot be removed; post a reversal")


class Transaction(models.Model):
    """A balanced set of legs, posted once. ``reverses`` links a correction to what it undoes;
    being unique, the database itself refuses a second reversal of the same transaction."""

    # The references of transactions and legs are checked by the database once per INSERT
    # statement (ledger/dbtriggers.py, REFERS_TO), not by a foreign key per row: the same
    # rows are refused, without a lookup and row lock per row. The (authority, kind) index covers
    # lookups by authority.
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="transactions", db_constraint=False
    )
    on = models.DateField()
    kind = models.CharField(max_length=20, choices=TxnKind.choices)
    memo = models.CharField(max_length=300)
    budget = models.ForeignKey(
        "Budget", null=True, blank=True, on_delete=models.PROTECT, related_name="transactions",
        db_constraint=False,
    )  # fmt: skip
    # At most one reversal of each transaction: a unique index over the reversals alone (the
    # constraint below), so the other 99.9% of transactions add nothing to it.
    reverses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        db_constraint=False,
        db_index=False,
    )
    posted_at = models.DateTimeField(auto_now_add=True)
    # Who posted what is read per transaction, never searched by person: no index.
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    objects: ClassVar[ImmutableQuerySet] = ImmutableQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["authority", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["reverses"], condition=Q(reverses__isnull=False), name="ledger_reversed_once"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.on} {self.memo}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise Immutable("posted transactions cannot be changed; post a reversal")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise Immutable("posted transactions cannot be removed; post a reversal")


class Leg(models.Model):
    """One side of a transaction: a positive amount of pence debited or credited to an account."""

    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="legs", db_constraint=False
    )  # checked per statement (ledger/dbtriggers.py)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="legs", db_constraint=False)
    side = models.CharField(max_length=1, choices=Side.choices)
    amount = models.BigIntegerField(help_text="pence, always positive")

    objects: ClassVar[ImmutableQuerySet] = ImmutableQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_leg_amount_positive"),
            models.CheckConstraint(condition=Q(side__in=["D", "C"]), name="ledger_leg_side"),
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.amount} {self.account_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise Immutable("posted legs cannot be changed; post a reversal")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise Immutable("posted legs cannot be removed; post a reversal")


class Budget(models.Model):
    """A person's agreed budget from one funding stream for one period (usually a year).

    ``indicative_pence`` is what the RAS said; ``agreed_annual_pence`` what was agreed; when they
    differ, ``difference_reasons`` says why, and the person sees both figures and the reasons.
    ``approved_by`` points at what approved it (a support plan, later), ``source`` says in words.
    """

    # Indexed by authority alone (Meta.indexes), and no index holds the status: a status change (a
    # payment run activates every new budget) is then a heap-only (HOT) update that touches no index.
    # For that the updated row must fit on the same page, hence the table's fillfactor of 50 on
    # PostgreSQL (migration 0008): a run activating 5,000 budgets took 57 ms a batch, 28 ms so.
    # The price: a filter on status (drafts waiting to be agreed, live budgets in reports) reads all
    # of the authority's budgets. Any index naming the status, partial ones included, would make
    # every status change write every index again.
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="budgets")
    stream = models.CharField(max_length=60, help_text="Funding stream code from the policy")
    period_start = models.DateField()
    period_end = models.DateField()
    agreed_annual_pence = models.BigIntegerField()
    indicative_pence = models.BigIntegerField(null=True, blank=True)
    difference_reasons = models.TextField(blank=True)
    frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.FOUR_WEEKLY)
    starts_on = models.DateField(help_text="Move-in or start date: instalments run from here, with no gap")
    status = models.CharField(max_length=10, choices=BudgetStatus.choices, default=BudgetStatus.DRAFT)
    source = models.CharField(max_length=300, blank=True, help_text="What the figure came from, in words")
    # Neither who agreed a budget nor the kind of thing that approved it is searched on its own:
    # without indexes, a run's 100,000 status changes update four indexes instead of six. (Only
    # removing a user or a content type, which never happens in use, now reads the whole table.)
    approved_by_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    approved_by_id = models.CharField(max_length=40, blank=True)
    approved_by = GenericForeignKey("approved_by_type", "approved_by_id")
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    plan_cost_pence = models.BigIntegerField(null=True, blank=True)
    allocation_ref = models.CharField(max_length=80, blank=True, help_text="The allocation row it came from")
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    change_reason = models.TextField(
        blank=True, help_text="Why a reassessment replaced the previous budget with this one"
    )
    # The shape of the money when it is not level: phases of weekly amounts from the start date
    # (seed 002's Norfolk taper: 3 hours a week for 4 weeks, 2 for 10, 1 for 38), as the allocation
    # produced them. Instalments follow the phases; the agreed figure is their total.
    phases = models.JSONField(
        null=True, blank=True,
        help_text='Weekly amounts from the start date, e.g. [{"weeks": 4, "weekly_pence": 5400}, ...]',
    )  # fmt: skip
    # A mid-point budget (seed 001, Bath & North East Somerset): set at the outset between what the
    # person needs when things are settled and when needs are higher, to average out fluctuations.
    midpoint_low_pence = models.BigIntegerField(
        null=True, blank=True, help_text="Yearly figure for settled needs, when this is a mid-point budget"
    )
    midpoint_high_pence = models.BigIntegerField(
        null=True, blank=True, help_text="Yearly figure for higher needs, when this is a mid-point budget"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person_id", "stream", "period_start"]
        constraints = [
            models.CheckConstraint(condition=Q(agreed_annual_pence__gte=0), name="ledger_budget_nonnegative"),
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="ledger_budget_dates"
            ),
        ]
        indexes = [models.Index(fields=["authority"], name="ledger_budget_authority")]

    def __str__(self) -> str:
        return f"{self.person} {self.stream} {self.period_start:%Y}-{self.period_end:%y}"

    @property
    def is_payable(self) -> bool:
        return self.status in {BudgetStatus.AGREED, BudgetStatus.ACTIVE}

    @property
    def status_label(self) -> str:
        """The state as a reader needs it today: a budget whose period is over is not "Active",
        though late spending may still be recorded against it and its last claw-back is still to
        come (its status stays as the money rules need it)."""
        if self.is_payable and self.period_end < timezone.localdate():
            return f"Period ended {format_date(self.period_end)}"
        return str(self.get_status_display())

    @property
    def is_midpoint(self) -> bool:
        return self.midpoint_low_pence is not None and self.midpoint_high_pence is not None

    @property
    def weekly_pence(self) -> int:
        from decimal import Decimal

        return round_pence(Decimal(self.agreed_annual_pence) * 7 / 365)


class Deployment(models.Model):
    """One way the budget is held: a share of each instalment goes to this route ("mix and match"
    is several rows; the shares are weights, split by largest remainder)."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="deployments")
    route = models.CharField(max_length=20, choices=Route.choices)
    share = models.PositiveIntegerField(default=100, help_text="Weight of each instalment for this route")
    payee_name = models.CharField(max_length=200)
    payee_account = models.CharField(
        max_length=60, help_text="Sort code and account (placeholder) or the provider's reference"
    )
    fee_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, help_text="Managing agent's fee, as a percentage"
    )

    class Meta:
        ordering = ["budget_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "route"], name="ledger_deployment_route"),
            models.CheckConstraint(condition=Q(share__gt=0), name="ledger_deployment_share"),
        ]

    def __str__(self) -> str:
        return f"{self.get_route_display()} ({self.share}) to {self.payee_name}"


class Instalment(models.Model):
    """One scheduled payment of a budget, covering [covers_from, covers_to], due on ``due_on``
    (in advance: the first day it covers)."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="instalments")
    seq = models.PositiveIntegerField()
    due_on = models.DateField(db_index=True)
    covers_from = models.DateField()
    covers_to = models.DateField()
    amount_pence = models.BigIntegerField()
    cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["budget_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "seq"], name="ledger_instalment_seq"),
            models.CheckConstraint(condition=Q(amount_pence__gte=0), name="ledger_instalment_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.budget_id}#{self.seq} {self.due_on}"


class PaymentRun(models.Model):
    """All instalments due in one period for one authority. One run per period: the unique
    constraint is what stops two runs from paying the same month. A finished run may be started
    again, to pay what fell due in its month since (core.runs.AGAIN)."""

    RUN_FIELDS = runs.Fields(task_id="task_id", again=True)

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)  # when it last finished
    # While it runs: until when its worker holds it. Each batch written renews it; once it has passed
    # (the worker died), another worker may take the run over.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    due_count = models.PositiveIntegerField(default=0)
    paid_count = models.PositiveIntegerField(default=0)
    paid_pence = models.BigIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authority", "period"], name="ledger_run_per_period")]
        ordering = ["-period__start"]

    def __str__(self) -> str:
        return f"Payment run {self.period}"


class Payment(models.Model):
    """An instalment paid. One-to-one with the instalment: paid exactly once, whatever happens.
    Never changed once written; its references, like a file line's and a close line's, are checked
    by the database once per INSERT statement (ledger/dbtriggers.py), not by a foreign key per row."""

    instalment = models.OneToOneField(
        Instalment, on_delete=models.PROTECT, related_name="payment", db_constraint=False
    )
    run = models.ForeignKey(
        PaymentRun, on_delete=models.PROTECT, related_name="payments", db_constraint=False
    )
    transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, related_name="payment", db_constraint=False
    )
    amount_pence = models.BigIntegerField()
    contribution_pence = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Payment of {self.instalment}"


class PaymentLine(models.Model):
    """One line of a run's payment file: one payee for one instalment."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="lines", db_constraint=False)
    route = models.CharField(max_length=20, choices=Route.choices)
    payee_name = models.CharField(max_length=200)
    payee_account = models.CharField(max_length=60)
    amount_pence = models.BigIntegerField()
    reference = models.CharField(max_length=60)

    class Meta:
        ordering = ["payment_id", "id"]

    def __str__(self) -> str:
        return self.reference


class CloseLine(models.Model):
    """What period close decided for one budget: unspent, kept (rolled over) and clawed back,
    and the rule that decided it."""

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="close_lines", db_constraint=False, db_index=False
    )  # the unique (period, budget) index serves lookups by period
    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="close_lines", db_constraint=False
    )
    unspent_pence = models.BigIntegerField()
    kept_pence = models.BigIntegerField()
    clawed_back_pence = models.BigIntegerField()
    rule = models.CharField(max_length=300)
    transaction = models.OneToOneField(
        Transaction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="close_line",
        db_constraint=False,
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "budget"], name="ledger_close_once")]

    def __str__(self) -> str:
        return f"{self.period} {self.budget_id}"


class Spend(models.Model):
    """A purchase from the budget, recorded by the holder, from a bank statement, or a provider's
    invoice. ``flagged`` marks it for a light-touch check, never a block."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="spends")
    route = models.CharField(max_length=20, choices=Route.choices)
    on = models.DateField()
    category = models.CharField(max_length=40)
    description = models.CharField(max_length=200)
    payee = models.CharField(max_length=200, blank=True)
    amount_pence = models.BigIntegerField()
    source = models.CharField(max_length=20, default="recorded")
    flagged = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=200, blank=True)
    plan_line_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="The approved support plan's spending line this was matched to"
    )
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="spend")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on} {self.description}"


class ChargeAssessment(models.Model):
    """A person's financially assessed weekly contribution, net (deducted from payments) or gross
    (invoiced), from a date; free until ``free_until`` where the policy makes budgets free at first."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="charge_assessments")
    weekly_pence = models.BigIntegerField()
    mode = models.CharField(max_length=10, choices=ChargingMode.choices)
    starts_on = models.DateField()
    free_until = models.DateField(null=True, blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ["person_id", "-starts_on"]
        constraints = [models.CheckConstraint(condition=Q(weekly_pence__gte=0), name="ledger_charge_nonneg")]

    def __str__(self) -> str:
        return f"{self.person}: {format_pence(self.weekly_pence)} a week from {format_date(self.starts_on)}"

    def charges_on(self, day: dt.date) -> bool:
        return day >= self.starts_on and (self.free_until is None or day > self.free_until)


class Dispute(models.Model):
    """A disagreement about money (a debt, a back payment, a charge) with its status and outcome."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="money_disputes")
    budget = models.ForeignKey(
        Budget, null=True, blank=True, on_delete=models.PROTECT, related_name="disputes"
    )
    charge = models.ForeignKey(
        ChargeAssessment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
        help_text="The assessed contribution the dispute is about, if it is about one",
    )
    raised_by = models.CharField(max_length=200)
    subject = models.CharField(max_length=300)
    amount_pence = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    outcome = models.TextField(blank=True)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return self.subject
