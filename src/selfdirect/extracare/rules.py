"""Who may see and change Extra Care schemes: one set of `rules` predicates for web, API and CLI.

Objects are a Scheme (or an AnalysisRun, judged by its scheme) or, for creating, an Authority.
Holding the role in the object's authority is what counts; schemes of other authorities are
never found in the first place (404), see :mod:`selfdirect.extracare.access`.
"""

from __future__ import annotations

from typing import Any

import rules

from selfdirect.core.models import Authority, User

from .constants import EDIT_ROLES, VIEW_ROLES


def _authority_id(target: Any) -> int | None:
    if isinstance(target, Authority):
        return target.pk
    return getattr(target, "authority_id", None)


def _holds(roles: frozenset[str]) -> rules.Predicate:
    def check(user: User, target: Any) -> bool:
        authority_id = _authority_id(target)
        if authority_id is None or not getattr(user, "is_authenticated", False):
            return False
        return bool(user.roles_in(authority_id) & roles)

    return rules.predicate(check, name="extracare_holds_" + "_".join(sorted(roles)))


can_view = _holds(VIEW_ROLES)
can_edit = _holds(EDIT_ROLES)

rules.add_perm("extracare.view_scheme", can_view)
rules.add_perm("extracare.add_scheme", can_edit)
rules.add_perm("extracare.change_scheme", can_edit)
rules.add_perm("extracare.delete_scheme", can_edit)
rules.add_perm("extracare.run_analysis", can_edit)
