"""Who may see which plans, and in which capacity someone stands to one plan. The one definition
used by pages, the API, the CLI and rules.py, built on people.access so plans and people agree.

One scope per model with an authority (core/access.py):

- plans: their own person and the representatives acting for them, the workers with the person on
  their team's caseload, the panel once a plan is referred, administrators; finance sees every
  plan's money (``purpose="money"``), and the panel and administrators count every plan
  (``purpose="totals"``);
- a plan's parts (outcomes, spending lines, history, reviews, visits, appeals): whoever sees the
  plan (its spending lines: whoever sees its money);
- the panel's meetings and referrals: the panel and administrators (a plan's own referrals, whoever
  sees the plan); its invitations: the panel, administrators and the person's workers, and the
  person or representative each is addressed to;
- refusals: whoever has the person on their caseload (people.access, ``case``);
- the authority's plan rules and outcome frameworks: anyone working in the authority.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from selfdirect.core import access
from selfdirect.core.constants import CASELOAD_ROLES, Role
from selfdirect.core.models import Authority, User
from selfdirect.people.access import Purpose as PeoplePurpose
from selfdirect.people.access import people_scope, team_ids
from selfdirect.people.models import Person, Representative

from .models import (
    Appeal,
    FrameworkOutcome,
    MonitoringVisit,
    OutcomeFramework,
    PanelInvitation,
    PanelMeeting,
    PanelReferral,
    PlanOutcome,
    PlanRules,
    PlanTransition,
    Refusal,
    Review,
    SpendingLine,
    SupportPlan,
)

VIEWER = "viewer"  # a representative who may see the record but not agree the plan
PANEL_ROLES = frozenset({Role.PANEL, Role.ADMIN})  # who sees the panel's work (rules: plans.see_panel)

M = TypeVar("M", bound=Model)
Purpose = Literal["plan", "money", "totals"]
"""plan: the whole plan; money: its money (finance sees every plan's); totals: every plan counted, for
the panel's figures (the panel and administrators)."""


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


@access.scope(SupportPlan)
def plans_scope(
    user: User, authority: Authority | int | None, purpose: Purpose = "plan"
) -> QuerySet[SupportPlan]:
    """Plans in ``authority`` that ``user`` may read in full (``purpose``: or whose money they may
    read, or count). Empty for outsiders."""
    if authority is None or not user.is_authenticated:
        return SupportPlan.objects.none()
    roles = user.roles_in(authority)
    base = SupportPlan.objects.filter(authority=authority)
    if Role.ADMIN in roles:
        return base
    if purpose == "money" and Role.FINANCE in roles:
        return base
    if purpose == "totals" and roles & PANEL_ROLES:
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
    return plans_scope(user, authority, "money")


def _roles(user: User, authority: Authority | int | None) -> frozenset[str]:
    if authority is None or not user.is_authenticated:
        return frozenset()
    return frozenset(user.roles_in(authority))


def _authority_wide(model: type[M], user: User, authority: Authority | int | None) -> QuerySet[M]:
    """The authority's own rows (its rules, its frameworks): anyone working in it."""
    if not _roles(user, authority):
        return model._default_manager.none()
    return model._default_manager.filter(authority=authority)


def _of_plans(
    model: type[M],
    user: User,
    authority: Authority | int | None,
    purpose: Purpose = "plan",
    everything: frozenset[str] = frozenset({Role.ADMIN}),
) -> QuerySet[M]:
    """Rows that belong to one plan each: those of the plans ``user`` sees for ``purpose``. Holders
    of a role in ``everything`` see them all (as they see every plan): a shortcut, not a wider rule."""
    roles = _roles(user, authority)
    if not roles:
        return model._default_manager.none()
    base = model._default_manager.filter(authority=authority)
    if roles & everything:
        return base
    return base.filter(plan__in=plans_scope(user, authority, purpose))


@access.scope(PlanRules)
def rules_scope(user: User, authority: Authority | int | None) -> QuerySet[PlanRules]:
    return _authority_wide(PlanRules, user, authority)


@access.scope(OutcomeFramework)
def framework_scope(user: User, authority: Authority | int | None) -> QuerySet[OutcomeFramework]:
    return _authority_wide(OutcomeFramework, user, authority)


@access.scope(FrameworkOutcome)
def framework_outcome_scope(user: User, authority: Authority | int | None) -> QuerySet[FrameworkOutcome]:
    return _authority_wide(FrameworkOutcome, user, authority)


@access.scope(PlanOutcome)
def outcome_scope(user: User, authority: Authority | int | None) -> QuerySet[PlanOutcome]:
    return _of_plans(PlanOutcome, user, authority)


@access.scope(SpendingLine)
def line_scope(user: User, authority: Authority | int | None) -> QuerySet[SpendingLine]:
    """Spending lines: whoever sees the plan's money."""
    return _of_plans(SpendingLine, user, authority, "money", frozenset({Role.ADMIN, Role.FINANCE}))


@access.scope(PlanTransition)
def transition_scope(user: User, authority: Authority | int | None) -> QuerySet[PlanTransition]:
    return _of_plans(PlanTransition, user, authority)


@access.scope(Review)
def review_scope(user: User, authority: Authority | int | None) -> QuerySet[Review]:
    return _of_plans(Review, user, authority)


@access.scope(MonitoringVisit)
def visit_scope(user: User, authority: Authority | int | None) -> QuerySet[MonitoringVisit]:
    return _of_plans(MonitoringVisit, user, authority)


@access.scope(Appeal)
def appeal_scope(user: User, authority: Authority | int | None) -> QuerySet[Appeal]:
    return _of_plans(Appeal, user, authority, everything=PANEL_ROLES)


@access.scope(PanelReferral)
def referral_scope(user: User, authority: Authority | int | None) -> QuerySet[PanelReferral]:
    """Referrals to the panel: the panel and administrators see them all, anyone else a plan's own."""
    return _of_plans(PanelReferral, user, authority, everything=PANEL_ROLES)


@access.scope(PanelMeeting)
def meeting_scope(user: User, authority: Authority | int | None) -> QuerySet[PanelMeeting]:
    """The panel's meetings: the panel and administrators."""
    if not _roles(user, authority) & PANEL_ROLES:
        return PanelMeeting.objects.none()
    return PanelMeeting.objects.filter(authority=authority)


@access.scope(PanelInvitation)
def invitation_scope(user: User, authority: Authority | int | None) -> QuerySet[PanelInvitation]:
    """Invitations to the panel: the panel, administrators and the person's workers see them all;
    the person sees the one addressed to them, a representative (acting now) the one addressed to them."""
    roles = _roles(user, authority)
    if not roles or authority is None:
        return PanelInvitation.objects.none()
    base = PanelInvitation.objects.filter(authority=authority)
    if roles & PANEL_ROLES:
        return base
    allowed = Q(pk__in=[])
    if roles & CASELOAD_ROLES:
        allowed |= Q(person__team__in=team_ids(user, authority))
    if Role.PERSON in roles:
        allowed |= Q(representative__isnull=True, person__user=user)
    if Role.REPRESENTATIVE in roles:
        acting = Q(person__in=_representing(user, authority, agree=True).values("person")) | Q(
            person__in=_representing(user, authority, agree=False).values("person")
        )
        allowed |= Q(representative__user=user) & acting
    return base.filter(allowed)


@access.scope(Refusal)
def refusal_scope(
    user: User, authority: Authority | int | None, purpose: PeoplePurpose = "case"
) -> QuerySet[Refusal]:
    """Refusals of a personal budget: whoever has the person in their scope (``case``: on their caseload)."""
    return Refusal.objects.filter(authority=authority, person__in=people_scope(user, authority, purpose))
