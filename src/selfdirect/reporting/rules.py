"""Who may see reports, as `rules` predicates: one definition for pages, API and CLI.

- commissioners: the authority's aggregates, never the names behind a number;
- administrators and finance officers: the authority's aggregates and the people behind them;
- caseload workers (assessors, planners): the same, limited to their team's caseload;
- people, representatives, providers and panel members: no reports;
- monthly packs (whole authority): commissioners, administrators and finance officers;
- recording a move-on from short-term support (NI 141), or a personal budget offered at a
  review: administrators and caseload workers (a decline also needs the person's assessor or
  planner, whose follow-up it is: the plans app's rule).
"""

from __future__ import annotations

import rules
from django.db.models import QuerySet

from selfdirect.core.constants import CASELOAD_ROLES, Role
from selfdirect.core.models import Authority, User
from selfdirect.people.access import has_role, people_scope
from selfdirect.people.models import Person

WHOLE_AUTHORITY = frozenset({Role.COMMISSIONER, Role.ADMIN, Role.FINANCE})
REPORT_ROLES = WHOLE_AUTHORITY | CASELOAD_ROLES
DRILL_ROLES = frozenset({Role.ADMIN, Role.FINANCE}) | CASELOAD_ROLES


def report_people(user: User, authority: Authority | int | None) -> QuerySet[Person] | None:
    """Who ``user``'s reports count: None for the whole authority, else their caseload."""
    if has_role(user, authority, *WHOLE_AUTHORITY):
        return None
    return people_scope(user, authority, "view")


@rules.predicate
def views_reports(user: User, authority: Authority | int | None) -> bool:
    return has_role(user, authority, *REPORT_ROLES)


@rules.predicate
def sees_people_behind(user: User, authority: Authority | int | None) -> bool:
    return has_role(user, authority, *DRILL_ROLES)


rules.add_perm("reporting.view_reports", views_reports)
rules.add_perm("reporting.drill_down", sees_people_behind)


@rules.predicate
def sees_packs(user: User, authority: Authority | int | None) -> bool:
    """Monthly packs count the whole authority, so only the authority-wide reporting roles."""
    return has_role(user, authority, *WHOLE_AUTHORITY)


@rules.predicate
def records_move_ons(user: User, authority: Authority | int | None) -> bool:
    return has_role(user, authority, Role.ADMIN, *CASELOAD_ROLES)


rules.add_perm("reporting.view_packs", sees_packs)
rules.add_perm("reporting.record_move_on", records_move_ons)
rules.add_perm("reporting.record_offer", records_move_ons)
