"""Who may do what with money, as `rules` predicates: one definition for pages, API and CLI, built
on the scopes in access.py (who may see which rows).

- finance officers and administrators: everything, including the ledger's internals;
- caseload workers (assessors, planners): their team's budgets and statements, read only;
- the person, and a representative allowed to manage their money: their own budget and
  statement, and recording their own spending;
- commissioners: authority totals only.
"""

from __future__ import annotations

import rules

from selfdirect.core.constants import CASELOAD_ROLES, Role
from selfdirect.core.models import Authority, User
from selfdirect.people.access import has_role
from selfdirect.people.models import Person

from .access import FINANCE_ROLES, money_people
from .models import Budget


def _has_person(user: User, authority_id: int, person_id: int, *, manage: bool = False) -> bool:
    return money_people(user, authority_id, manage=manage).filter(pk=person_id).exists()


@rules.predicate
def sees_budget(user: User, budget: Budget) -> bool:
    return _has_person(user, budget.authority_id, budget.person_id)


@rules.predicate
def spends_budget(user: User, budget: Budget) -> bool:
    return _has_person(user, budget.authority_id, budget.person_id, manage=True)


def _authority_role(*roles: str) -> rules.Predicate:
    def check(user: User, target: Authority | Budget) -> bool:
        authority = target.authority_id if isinstance(target, Budget) else target
        return has_role(user, authority, *roles)

    return rules.predicate(check, name="ledger_role_" + "_".join(roles))


is_finance = _authority_role(*FINANCE_ROLES)
sees_totals = _authority_role(Role.FINANCE, Role.ADMIN, Role.COMMISSIONER)

rules.add_perm("ledger.view_budget", sees_budget)
rules.add_perm("ledger.record_spending", spends_budget)
rules.add_perm("ledger.agree_budget", is_finance)
# Authority-wide: the object is the Authority.
rules.add_perm("ledger.run_payments", is_finance)
rules.add_perm("ledger.close_period", is_finance)
rules.add_perm("ledger.view_ledger", is_finance)
rules.add_perm("ledger.view_totals", sees_totals)
rules.add_perm("ledger.list_budgets", is_finance | _authority_role(*CASELOAD_ROLES))

# Reassessment replaces an agreed budget; charging is finance's to assess and to decide.
rules.add_perm("ledger.reassess_budget", is_finance)
rules.add_perm("ledger.assess_charge", is_finance)
rules.add_perm("ledger.decide_dispute", is_finance)


@rules.predicate
def sees_charging(user: User, person: Person) -> bool:
    """The person's contributions and disputes: whoever may see their budgets."""
    return _has_person(user, person.authority_id, person.pk)


@rules.predicate
def raises_dispute(user: User, person: Person) -> bool:
    """The person (or a representative managing their money) and finance may raise a dispute."""
    return _has_person(user, person.authority_id, person.pk, manage=True)


rules.add_perm("ledger.view_charging", sees_charging)
rules.add_perm("ledger.raise_dispute", raises_dispute)

# Drafting a budget (the finance page, CLI and the API's POST /budgets) and recording claw-back
# money received back are finance's, like agreeing a budget.
rules.add_perm("ledger.draft_budget", is_finance)
rules.add_perm("ledger.receive_clawback", is_finance)
