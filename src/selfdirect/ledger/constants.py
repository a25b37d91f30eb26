"""Choices for the ledger: accounts, budgets, deployment routes, runs and periods."""

from django.db import models

from selfdirect.core.runs import RunStatus  # noqa: F401 - every kind of run has the same statuses


class AccountKind(models.TextChoices):
    """Where an account sits in the tree. Each authority has one root account per kind."""

    BANK = "bank", "Bank"
    FUND = "fund", "Funding streams"
    BUDGET = "budget", "Budgets (agreed, not yet paid)"
    HOLDER = "holder", "Holders (paid, not yet spent)"
    PROVIDER = "provider", "Providers"
    SPENT = "spent", "Spending"
    CONTRIBUTION_DUE = "contrib_due", "Contributions receivable"
    CONTRIBUTION_INCOME = "contrib_income", "Contributions"
    CLAWBACK = "clawback", "Claw-back receivable"


class Side(models.TextChoices):
    DEBIT = "D", "Debit"
    CREDIT = "C", "Credit"


class TxnKind(models.TextChoices):
    ALLOCATE = "allocate", "Budget allocated"
    PAYMENT = "payment", "Instalment paid"
    SPEND = "spend", "Spending recorded"
    INVOICE = "invoice", "Provider invoice"
    CLAWBACK = "clawback", "Clawed back at period close"
    CONTRIBUTION = "contribution", "Contribution charged"
    RECEIPT = "receipt", "Money received"
    REVERSAL = "reversal", "Reversal"
    RELEASE = "release", "Commitment released at reassessment"


class BudgetFrequency(models.TextChoices):
    """How often a budget is paid. (Named apart from plans' Frequency, which says how often a plan's
    line is bought: the API's OpenAPI document names each schema by its class.)"""

    WEEKLY = "weekly", "Weekly"
    FOUR_WEEKLY = "four_weekly", "Every four weeks"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    # A one-off grant (a Disabled Facilities Grant, equipment): paid once, in full, when it starts.
    ONCE = "once", "Once (a one-off payment)"


Frequency = BudgetFrequency


class BudgetStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class Route(models.TextChoices):
    """Who holds the money (seed 002 "Different funding routes"; seed 004 glossary)."""

    DIRECT_PAYMENT = "direct_payment", "Direct payment"
    COUNCIL_MANAGED = "council_managed", "Council-managed account"
    THIRD_PARTY = "third_party", "Third-party managed account"
    ISF = "isf", "Individual Service Fund (held by a provider)"
    VIRTUAL = "virtual", "Virtual budget"




class PeriodStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ChargingMode(models.TextChoices):
    NET = "net", "Net: deducted from payments"
    GROSS = "gross", "Gross: invoiced"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    UPHELD = "upheld", "Upheld"
    REJECTED = "rejected", "Rejected"
    SETTLED = "settled", "Settled"
