"""Permissions on people, as `rules` predicates over :mod:`selfdirect.people.access`.

Object permissions take a Person; authority-wide permissions take an Authority.
"""

from __future__ import annotations

import rules

from selfdirect.core.constants import CASELOAD_ROLES, Role
from selfdirect.core.models import Authority, User

from . import access
from .models import Person


@rules.predicate
def sees_person(user: User, person: Person) -> bool:
    return access.can(user, person, "view")


@rules.predicate
def sees_case_notes(user: User, person: Person) -> bool:
    return access.can(user, person, "case")


@rules.predicate
def edits_person(user: User, person: Person) -> bool:
    return access.can(user, person, "edit")


def _role_in(*roles: str) -> rules.Predicate:
    def check(user: User, target: Person | Authority) -> bool:
        authority = target.authority_id if isinstance(target, Person) else target
        return access.has_role(user, authority, *roles)

    return rules.predicate(check, name="has_role_" + "_".join(roles))


is_admin = _role_in(Role.ADMIN)
is_caseload_worker = _role_in(*CASELOAD_ROLES)

rules.add_perm("people.view_person", sees_person)
rules.add_perm("people.view_case_notes", sees_case_notes)
rules.add_perm("people.change_person", edits_person)
rules.add_perm("people.delete_person", is_admin)
rules.add_perm("people.add_contact", edits_person)
rules.add_perm("people.manage_representatives", edits_person)
rules.add_perm("people.allocate_person", is_admin)
# Authority-wide: the object is the Authority.
rules.add_perm("people.add_person", is_admin | is_caseload_worker)
rules.add_perm("people.import_people", is_admin)
rules.add_perm("people.export_people", is_admin)
rules.add_perm("people.manage_teams", is_admin)
