"""Who may see which of the ledger's rows: one scope per model with an authority (core/access.py),
the one definition used by pages, the API and the CLI.

- finance officers and administrators: everything in their authority, the ledger's internals
  (accounts, months, transactions, payment runs) included;
- caseload workers (assessors, planners): their team's people's budgets, contributions and
  disputes, read only;
- the person, and a representative allowed to manage their money: their own;
- commissioners: authority totals only (``purpose="totals"``: every budget and payment run, summed).

The rules predicates (rules.py) are built on these, so a list and a permission check agree.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from selfdirect.core import access
from selfdirect.core.constants import CASELOAD_ROLES, Role
from selfdirect.core.models import Authority, User
from selfdirect.people.access import team_ids
from selfdirect.people.models import Person, Representative

from .models import Account, Budget, ChargeAssessment, Dispute, PaymentRun, Period, Transaction

FINANCE_ROLES = frozenset({Role.FINANCE, Role.ADMIN})
TOTALS_ROLES = FINANCE_ROLES | {Role.COMMISSIONER}

M = TypeVar("M", bound=Model)
Purpose = Literal["view", "totals"]
"""view: the rows themselves; totals: rows summed into authority-wide figures, which commissioners
see too."""


def _roles(user: User, authority: Authority | int | None) -> set[str]:
    if authority is None or not user.is_authenticated:
        return set()
    return set(user.roles_in(authority))


def money_people(user: User, authority: Authority | int | None, *, manage: bool = False) -> QuerySet[Person]:
    """The people whose budgets ``user`` may see (``manage``: record spending for)."""
    if authority is None or not user.is_authenticated:
        return Person.objects.none()
    roles = user.roles_in(authority)
    base = Person.objects.filter(authority=authority)
    if roles & FINANCE_ROLES:
        return base
    allowed = Q(pk__in=[])
    if roles & CASELOAD_ROLES and not manage:
        allowed |= Q(team__in=team_ids(user, authority))
    if Role.PERSON in roles:
        allowed |= Q(user=user)
    if Role.REPRESENTATIVE in roles:
        today = timezone.localdate()
        reps = Representative.objects.filter(
            user=user, authority=authority, may_manage_money=True, starts_on__lte=today
        ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        allowed |= Q(pk__in=reps.values("person"))
    return base.filter(allowed)


def _personal(model: type[M], user: User, authority: Authority | int | None) -> QuerySet[M]:
    """Rows about one person each: finance sees the authority's, anyone else those of the people
    whose money they may see."""
    roles = _roles(user, authority)
    if not roles:
        return model._default_manager.none()
    base = model._default_manager.filter(authority=authority)
    if roles & FINANCE_ROLES:
        return base
    return base.filter(person__in=money_people(user, authority))


def _authority_wide(
    model: type[M], user: User, authority: Authority | int | None, purpose: Purpose
) -> QuerySet[M]:
    """Rows of the authority's books as a whole: finance's, and for totals commissioners' too."""
    allowed = TOTALS_ROLES if purpose == "totals" else FINANCE_ROLES
    if not _roles(user, authority) & allowed:
        return model._default_manager.none()
    return model._default_manager.filter(authority=authority)


@access.scope(Budget)
def budget_scope(
    user: User, authority: Authority | int | None, purpose: Purpose = "view"
) -> QuerySet[Budget]:
    """The budgets ``user`` may see in ``authority``; for ``totals``, every budget to those who see
    the authority's totals."""
    if purpose == "totals" and _roles(user, authority) & TOTALS_ROLES:
        return Budget.objects.filter(authority=authority)
    return _personal(Budget, user, authority)


@access.scope(ChargeAssessment)
def charge_scope(user: User, authority: Authority | int | None) -> QuerySet[ChargeAssessment]:
    """Financial assessments: whoever may see the person's budgets."""
    return _personal(ChargeAssessment, user, authority)


@access.scope(Dispute)
def dispute_scope(user: User, authority: Authority | int | None) -> QuerySet[Dispute]:
    """Disputes about money: whoever may see the person's budgets."""
    return _personal(Dispute, user, authority)


@access.scope(PaymentRun)
def run_scope(
    user: User, authority: Authority | int | None, purpose: Purpose = "view"
) -> QuerySet[PaymentRun]:
    """Payment runs: finance's; their totals, commissioners' too."""
    return _authority_wide(PaymentRun, user, authority, purpose)


@access.scope(Period)
def period_scope(user: User, authority: Authority | int | None) -> QuerySet[Period]:
    """The months of the authority's books: finance's."""
    return _authority_wide(Period, user, authority, "view")


@access.scope(Account)
def account_scope(user: User, authority: Authority | int | None) -> QuerySet[Account]:
    """The ledger's accounts: finance's."""
    return _authority_wide(Account, user, authority, "view")


@access.scope(Transaction)
def transaction_scope(user: User, authority: Authority | int | None) -> QuerySet[Transaction]:
    """The ledger's transactions: finance's."""
    return _authority_wide(Transaction, user, authority, "view")
