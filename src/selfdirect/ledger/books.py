"""The double-entry core: accounts, posting, reversal and balances. Every other service posts
through :func:`post` (or :func:`build` + :func:`save_built` for bulk runs), so the rules live in
one place: integer pence, positive legs, debits equal credits, open periods, never edited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.db import transaction
from django.db.models import Case, F, IntegerField, QuerySet, Sum, Value, When

from selfdirect.core.dates import month_name
from selfdirect.core.models import Authority, User

from .constants import AccountKind, PeriodStatus, Side, TxnKind
from .models import Account, Leg, Period, Transaction

ROOTS: dict[str, tuple[str, str]] = {
    "bank": (AccountKind.BANK, "Bank"),
    "funds": (AccountKind.FUND, "Funding streams"),
    "budgets": (AccountKind.BUDGET, "Budgets agreed, not yet paid"),
    "holders": (AccountKind.HOLDER, "Money with holders, not yet spent"),
    "providers": (AccountKind.PROVIDER, "Providers"),
    "spent": (AccountKind.SPENT, "Spending"),
    "contrib_due": (AccountKind.CONTRIBUTION_DUE, "Contributions receivable"),
    "contrib_income": (AccountKind.CONTRIBUTION_INCOME, "Contributions"),
    "clawback": (AccountKind.CLAWBACK, "Claw-back receivable"),
}
PREFIX_ROOT = {
    "fund": "funds",
    "budget": "budgets",
    "holder": "holders",
    "provider": "providers",
    "spent": "spent",
}


class LedgerError(Exception):
    """A posting the ledger refuses, with the reason in words."""


class LegSpec(NamedTuple):
    """One leg to post (a tuple: runs build hundreds of thousands of them)."""

    account: Account
    side: str
    amount: int


def debit(account: Account, amount: int) -> LegSpec:
    return LegSpec(account, Side.DEBIT, amount)


def credit(account: Account, amount: int) -> LegSpec:
    return LegSpec(account, Side.CREDIT, amount)


class Chart:
    """An authority's accounts, created on first use and cached for the life of this object."""

    def __init__(self, authority: Authority):
        self.authority = authority
        self._cache: dict[str, Account] = {}

    def get(self, code: str, name: str = "", budget_id: int | None = None) -> Account:
        if code in self._cache:
            return self._cache[code]
        found = Account.objects.filter(authority=self.authority, code=code).first()
        if found is None:
            if code in ROOTS:
                kind, default_name = ROOTS[code]
                found = Account.objects.create(
                    authority=self.authority, code=code, name=default_name, kind=kind
                )
            else:
                prefix = code.split(":", 1)[0]
                if prefix not in PREFIX_ROOT:
                    raise LedgerError(f"no such account {code!r}")
                parent = self.get(PREFIX_ROOT[prefix])
                found = Account.objects.create(
                    authority=self.authority, code=code, name=name or code, kind=parent.kind,
                    parent=parent, budget_id=budget_id,
                )  # fmt: skip
        self._cache[code] = found
        return found

    def ensure_budgets(self, budget_routes: dict[int, list[str]]) -> None:
        """Load (creating in bulk what is missing) the budget and holder accounts of many budgets,
        so a payment run of thousands of budgets does not look them up one by one."""
        wanted = {}
        for budget_id, routes in budget_routes.items():
            wanted[f"budget:{budget_id}"] = (f"Budget {budget_id}", budget_id, "budgets")
            for route in routes:
                wanted[f"holder:{budget_id}:{route}"] = (
                    f"Budget {budget_id} held as {route}",
                    budget_id,
                    "holders",
                )
        missing = [code for code in wanted if code not in self._cache]
        if not missing:
            return
        self.load_budget_accounts({wanted[code][1] for code in missing})
        to_make = [code for code in missing if code not in self._cache]
        if to_make:
            parents = {root: self.get(root) for root in ("budgets", "holders")}
            made = Account.objects.bulk_create(
                [Account(authority=self.authority, code=code, name=wanted[code][0], kind=parents[wanted[code][2]].kind,
                         parent=parents[wanted[code][2]], budget_id=wanted[code][1]) for code in to_make]
            )  # fmt: skip
            for account in made:
                self._cache[account.code] = account

    def load_budget_accounts(self, budget_ids: Iterable[int]) -> None:
        """Cache the accounts of ``budget_ids``, in one query (bulk.BulkChart reads them faster)."""
        for account in Account.objects.filter(authority=self.authority, budget_id__any_of=list(budget_ids)):
            self._cache[account.code] = account

    def fund(self, stream: str) -> Account:
        return self.get(f"fund:{stream}", f"Funding stream {stream}")

    def budget(self, budget_id: int) -> Account:
        return self.get(f"budget:{budget_id}", f"Budget {budget_id}", budget_id)

    def holder(self, budget_id: int, route: str) -> Account:
        return self.get(f"holder:{budget_id}:{route}", f"Budget {budget_id} held as {route}", budget_id)

    def spent(self, category: str) -> Account:
        return self.get(f"spent:{category}", f"Spent on {category}")


def period_for(authority: Authority, on: dt.date) -> Period:
    """The month containing ``on`` (created open on first use)."""
    start = on.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    period, _ = Period.objects.get_or_create(authority=authority, start=start, defaults={"end": end})
    return period


def closed_through(authority_id: int) -> dt.date | None:
    """The first day of the authority's latest closed month, or None while no month is closed.

    Months are closed in order, oldest first (services.close_period refuses any other order), so
    every month up to and including this one is closed, whether or not anything was posted in it."""
    return (
        Period.objects.filter(authority_id=authority_id, status=PeriodStatus.CLOSED)
        .order_by("-start")
        .values_list("start", flat=True)
        .first()
    )


def refusal_for_month(authority_id: int, month_start: dt.date) -> str | None:
    """Why nothing can be posted or paid in the month starting ``month_start``: it is closed, or it
    comes before a closed month. None when the month is open."""
    through = closed_through(authority_id)
    if through is None or month_start > through:
        return None
    if month_start == through:
        return f"{month_name(month_start)} is closed: nothing can be posted into it"
    return (
        f"{month_name(month_start)} is closed: the books are closed up to the end of {month_name(through)}, "
        "so nothing can be posted into it"
    )


def first_open_day(authority_id: int, day: dt.date) -> dt.date:
    """``day``, or the first day of the first open month after it when its month is closed (a
    back-dated start is committed in the first month still open)."""
    through = closed_through(authority_id)
    if through is None or day.replace(day=1) > through:
        return day
    return (through + dt.timedelta(days=32)).replace(day=1)


def check_amount(amount: object, what: str = "amount") -> int:
    """Whole, positive pence, or a LedgerError saying what is wrong."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise LedgerError(f"{what} must be whole pence (an integer), not {amount!r}")
    if amount <= 0:
        raise LedgerError(f"{what} must be more than zero pence, not {amount}")
    return amount


def check_legs(authority: Authority, legs: Sequence[LegSpec]) -> None:
    """Refuse legs that are not whole positive pence, not D or C, not this authority's, or that
    do not balance. (Payment runs call this for every posting, so the words of a refusal are
    only put together when there is one.)"""
    if len(legs) < 2:
        raise LedgerError("a transaction needs at least two legs")
    total = 0
    authority_id = authority.pk
    for account, side, amount in legs:
        if type(amount) is not int or amount <= 0:  # bool is not int here, as check_amount says
            check_amount(amount, f"leg on {account.code}")
        if account.authority_id != authority_id:
            raise LedgerError(f"account {account.code} belongs to another authority")
        if side == Side.DEBIT:
            total += amount
        elif side == Side.CREDIT:
            total -= amount
        else:
            raise LedgerError(f"leg side must be D or C, not {side!r}")
    if total != 0:
        raise LedgerError(f"debits and credits differ by {total} pence")


def build(
    authority: Authority,
    period: Period,
    on: dt.date,
    kind: str,
    memo: str,
    legs: Sequence[LegSpec],
    *,
    budget_id: int | None = None,
    actor: User | None = None,
) -> tuple[Transaction, list[Leg]]:
    """An unsaved, checked transaction and its legs, for :func:`save_built` in bulk."""
    check_legs(authority, legs)
    if period.status == PeriodStatus.CLOSED:
        raise LedgerError(f"period {period.label} is closed: nothing can be posted into it")
    if not (period.start <= on <= period.end):
        raise LedgerError(f"{on} is not in period {period.label}")
    txn = Transaction(
        authority=authority,
        period=period,
        on=on,
        kind=kind,
        memo=memo[:300],
        budget_id=budget_id,
        posted_by=actor,
    )
    return txn, [Leg(transaction=txn, account=leg.account, side=leg.side, amount=leg.amount) for leg in legs]


def save_built(built: Iterable[tuple[Transaction, list[Leg]]], batch_size: int = 2000) -> list[Transaction]:
    """Insert many built transactions with two bulk inserts. Call inside transaction.atomic()."""
    pairs = list(built)
    txns = Transaction.objects.bulk_create([t for t, _ in pairs], batch_size=batch_size)
    legs: list[Leg] = []
    for txn, txn_legs in pairs:
        for leg in txn_legs:
            leg.transaction = txn
            legs.append(leg)
    Leg.objects.bulk_create(legs, batch_size=batch_size)
    return txns


def post(
    authority: Authority,
    on: dt.date,
    kind: str,
    memo: str,
    legs: Sequence[LegSpec],
    *,
    budget_id: int | None = None,
    actor: User | None = None,
    reverses: Transaction | None = None,
) -> Transaction:
    """Post one balanced transaction dated ``on`` into its (open) month. A closed month, and any
    month before the latest closed one, refuses it."""
    with transaction.atomic():
        refused = refusal_for_month(authority.pk, on.replace(day=1))  # before a month is opened for it
        if refused:
            raise LedgerError(refused)
        period = Period.objects.select_for_update().get(pk=period_for(authority, on).pk)
        txn, built_legs = build(authority, period, on, kind, memo, legs, budget_id=budget_id, actor=actor)
        txn.reverses = reverses
        txn.save()
        for leg in built_legs:
            leg.transaction = txn
        Leg.objects.bulk_create(built_legs)
    return txn


def reverse(original: Transaction, on: dt.date, reason: str, actor: User | None = None) -> Transaction:
    """Undo ``original`` by posting the same legs on the other side. A reversal cannot itself be
    reversed (post the transaction again instead), and nothing is reversed twice."""
    if original.kind == TxnKind.REVERSAL or original.reverses_id is not None:
        raise LedgerError("a reversal cannot be reversed: post the original again instead")
    if Transaction.objects.filter(reverses=original).exists():
        raise LedgerError(f"transaction {original.pk} has already been reversed")
    if not reason.strip():
        raise LedgerError("a reversal needs a reason")
    legs = [
        LegSpec(leg.account, Side.CREDIT if leg.side == Side.DEBIT else Side.DEBIT, leg.amount)
        for leg in original.legs.select_related("account")
    ]
    return post(
        original.authority, on, TxnKind.REVERSAL, f"Reversal of #{original.pk}: {reason}", legs,
        budget_id=original.budget_id, actor=actor, reverses=original,
    )  # fmt: skip


SIGNED = Case(When(side=Side.DEBIT, then=F("amount")), default=-F("amount"), output_field=IntegerField())


def balance(account: Account | int, *, until: dt.date | None = None) -> int:
    """Debits minus credits on one account, optionally up to and including a date."""
    legs: QuerySet[Leg] = Leg.objects.filter(account=account)
    if until is not None:
        legs = legs.filter(transaction__on__lte=until)
    return int(legs.aggregate(total=Sum(SIGNED, default=Value(0)))["total"])


def balances(authority: Authority, prefix: str = "", *, until: dt.date | None = None) -> dict[str, int]:
    """Every account's balance (debits minus credits) whose code starts with ``prefix``."""
    legs = Leg.objects.filter(account__authority=authority)
    if prefix:
        legs = legs.filter(account__code__startswith=prefix)
    if until is not None:
        legs = legs.filter(transaction__on__lte=until)
    rows = legs.values("account__code").annotate(total=Sum(SIGNED)).order_by("account__code")
    return {r["account__code"]: int(r["total"]) for r in rows}


def trial_balance(authority: Authority) -> list[dict[str, object]]:
    """Each account with its debits, credits and balance; the totals of debits and credits agree."""
    rows = (
        Leg.objects.filter(account__authority=authority)
        .values("account__code", "account__name", "account__kind")
        .annotate(
            debits=Sum(Case(When(side=Side.DEBIT, then=F("amount")), default=Value(0))),
            credits=Sum(Case(When(side=Side.CREDIT, then=F("amount")), default=Value(0))),
        )
        .order_by("account__code")
    )
    return [
        {"code": r["account__code"], "name": r["account__name"], "kind": r["account__kind"],
         "debits": int(r["debits"]), "credits": int(r["credits"]), "balance": int(r["debits"] - r["credits"])}
        for r in rows
    ]  # fmt: skip
