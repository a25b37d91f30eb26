"""Who may see which plans, and in which capacity someone stands to one plan. The one definition
used by pages, the API, the CLI and rules.py, built on people.access so plans and people agree."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from selfdirect.core.constants import CASELOAD_ROLES, Role
from selfdirect.core.models import Authority, User
from selfdirect.people.access import team_ids
from selfdirect.people.models import Person, Representative

from .models import SupportPlan

VIEWER = "viewer"  # a representative who may see the record but not agree the plan


def _representing(user: User, authority: Authority | int, *, agree: bool) -> QuerySet[Representative]:
    today = timezone.localdate()
    reps = Representative.objects.filter(user=user, authority=authority, starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    return reps.filter(may_agree_plan=True) if agree else reps.filter(may_view_record=True)


def person_capacities(user: User, person: Person) -> frozenset[str]:
    """How ``user`` stands to ``person`` for planning: their own record, acting for them, on caseload..."""
    if not user.is_authenticated:
        return frozenset()
    roles = user.roles_in(person.authority_id)
    found: set[str] = set()
    if Role.PERSON in roles and person.user_id == user.pk:
        found.add(Role.PERSON)
    if Role.REPRESENTATIVE in roles:
        if _representing(user, person.authority_id, agree=True).filter(person=person).exists():
            found.add(Role.REPRESENTATIVE)
        elif _representing(user, person.authority_id, agree=False).filter(person=person).exists():
            found.add(VIEWER)
    on_caseload = (
        person.team_id is not None and team_ids(user, person.authority_id).filter(pk=person.team_id).exists()
    )
    if roles & CASELOAD_ROLES and on_caseload:
        found |= set(roles & CASELOAD_ROLES)
    if Role.ADMIN in roles:
        found.add(Role.ADMIN)
    if Role.FINANCE in roles:
        found.add(Role.FINANCE)
    return frozenset(str(c) for c in found)


def capacities(user: User, plan: SupportPlan) -> frozenset[str]:
    """How ``user`` stands to ``plan``: person capacities, plus PANEL once the plan has been referred."""
    found = set(person_capacities(user, plan.person))
    if Role.PANEL in user.roles_in(plan.authority_id) and plan.referrals.exists():
        found.add(Role.PANEL.value)
    return frozenset(found)


def sees_plan(found: frozenset[str]) -> bool:
    """Everything but finance sees the whole plan; finance sees its money lines only."""
    return bool(found - {Role.FINANCE.value})


def plans_scope(user: User, authority: Authority | int | None) -> QuerySet[SupportPlan]:
    """Plans in ``authority`` that ``user`` may read in full. Empty for outsiders."""
    if authority is None or not user.is_authenticated:
        return SupportPlan.objects.none()
    roles = user.roles_in(authority)
    base = SupportPlan.objects.filter(authority=authority)
    if Role.ADMIN in roles:
        return base
    allowed = Q(pk__in=[])
    if Role.PERSON in roles:
        allowed |= Q(person__user=user)
    if Role.REPRESENTATIVE in roles:
        allowed |= Q(person__in=_representing(user, authority, agree=False).values("person"))
    if roles & CASELOAD_ROLES:
        allowed |= Q(person__team__in=team_ids(user, authority))
    if Role.PANEL in roles:
        allowed |= Q(referrals__isnull=False)
    return base.filter(allowed).distinct()


def money_scope(user: User, authority: Authority | int | None) -> QuerySet[SupportPlan]:
    """Plans whose money lines ``user`` may read: finance sees every plan's money."""
    if authority is None or not user.is_authenticated:
        return SupportPlan.objects.none()
    if Role.FINANCE in user.roles_in(authority):
        return SupportPlan.objects.filter(authority=authority)
    return plans_scope(user, authority)
