"""Permissions on policies and allocations, as `rules` predicates (one definition for web, API, CLI).

Object permissions on allocations take the Person; authority-wide ones take the Authority."""

from __future__ import annotations

import rules

from selfdirect.assessment.rules import completes_self_assessment, records_assessor_answers
from selfdirect.core.constants import CASELOAD_ROLES, Role
from selfdirect.core.models import Authority, User
from selfdirect.people import access
from selfdirect.people.models import Person


def _authority_id(target: Person | Authority | int) -> int:
    if isinstance(target, Person):
        return target.authority_id
    return target if isinstance(target, int) else target.pk


def _role_in(*roles: str) -> rules.Predicate:
    def check(user: User, target: Person | Authority) -> bool:
        return access.has_role(user, _authority_id(target), *roles)

    return rules.predicate(check, name="alloc_has_role_" + "_".join(roles))


is_commissioner = _role_in(Role.COMMISSIONER)
is_admin = _role_in(Role.ADMIN)
is_member = _role_in(*Role.values)


@rules.predicate
def finance_sees(user: User, person: Person) -> bool:
    return access.has_role(user, person.authority_id, Role.FINANCE) and access.can(user, person, "view")


@rules.predicate
def caseload_sees(user: User, person: Person) -> bool:
    return bool(user.roles_in(person.authority_id) & (CASELOAD_ROLES | {Role.ADMIN})) and access.can(
        user, person, "case"
    )


# The indicative budget and how it was worked out, in the person's words.
rules.add_perm("allocation.view_budget", completes_self_assessment | caseload_sees)
# The money of allocations (finance: figures, policy version and rates, not the answers).
rules.add_perm("allocation.view_money", completes_self_assessment | caseload_sees | finance_sees)
# The full derivation for staff (it quotes answers).
rules.add_perm("allocation.view_derivation", caseload_sees)
rules.add_perm("allocation.allocate", records_assessor_answers)
# Authority-wide: the object is the Authority. Policies are readable data for every member.
rules.add_perm("allocation.view_policies", is_member)
rules.add_perm("allocation.manage_policies", is_commissioner)
rules.add_perm("allocation.run_what_if", is_commissioner)
# Pot sizing: the price per point that spends the money available over the current assessments.
rules.add_perm("allocation.size_pot", is_commissioner)
rules.add_perm("allocation.recalculate", is_commissioner | is_admin)
