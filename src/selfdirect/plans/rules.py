"""Permissions on plans as `rules` predicates over plans.access: one definition for web, API and CLI.

Object permissions take a SupportPlan (or a Person, for starting a plan or recording a refusal);
authority-wide ones take an Authority."""

from __future__ import annotations

import rules

from selfdirect.core.constants import Role
from selfdirect.core.models import Authority, User
from selfdirect.people.models import Person

from . import access
from .constants import PlanState
from .models import SupportPlan
from .workflow import WRITERS

EDITABLE = {PlanState.DRAFT}


@rules.predicate
def views_plan(user: User, plan: SupportPlan) -> bool:
    return access.sees_plan(access.capacities(user, plan))


@rules.predicate
def views_money(user: User, plan: SupportPlan) -> bool:
    return bool(access.capacities(user, plan))


@rules.predicate
def writes_plan(user: User, plan: SupportPlan) -> bool:
    return plan.state in EDITABLE and bool(access.capacities(user, plan) & WRITERS)


@rules.predicate
def starts_plan(user: User, person: Person) -> bool:
    return bool(access.person_capacities(user, person) & WRITERS)


@rules.predicate
def reviews_plan(user: User, plan: SupportPlan) -> bool:
    return Role.ASSESSOR.value in access.capacities(user, plan)


@rules.predicate
def records_refusal(user: User, person: Person) -> bool:
    return bool(access.person_capacities(user, person) & {Role.ASSESSOR.value, Role.PLANNER.value})


def _authority_role(*roles: str) -> rules.Predicate:
    def check(user: User, authority: Authority) -> bool:
        return bool(user.is_authenticated and authority is not None and user.roles_in(authority) & set(roles))

    return rules.predicate(check, name="plans_role_" + "_".join(roles))


rules.add_perm("plans.view_plan", views_plan)
rules.add_perm("plans.view_money", views_money)
rules.add_perm("plans.change_plan", writes_plan)
rules.add_perm("plans.add_plan", starts_plan)
rules.add_perm("plans.review_plan", reviews_plan)
rules.add_perm("plans.add_refusal", records_refusal)
# Authority-wide
rules.add_perm("plans.see_panel", _authority_role(Role.PANEL, Role.ADMIN))
rules.add_perm("plans.run_panel", _authority_role(Role.PANEL))
rules.add_perm("plans.see_refusals", _authority_role(Role.ASSESSOR, Role.PLANNER, Role.ADMIN))
rules.add_perm("plans.load_policy", _authority_role(Role.ADMIN, Role.COMMISSIONER))
