"""Applying the plan workflow (workflow.py): :func:`apply_transition`, the only way a plan changes
state, checking who may make the step, the state it leaves from and its extra condition, then running
the step's effect (effects.py) and recording who, when and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User

from .. import access
from ..constants import PanelDecision, PlanState
from ..models import PlanTransition, SupportPlan
from ..workflow import SYSTEM, TRANSITIONS, Transition, TransitionForbidden, TransitionRefused, available
from .common import PLAN_FIELDS, local_day
from .effects import EFFECTS
from .panel import open_referral, waiting_appeal


def apply_transition(
    actor: User | None,
    plan: SupportPlan,
    action: str,
    reason: str = "",
    *,
    data: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> PlanTransition | None:
    """Apply one transition from the table in workflow.py. Refuses (TransitionForbidden) if ``actor``
    may not make it on this plan, and (TransitionRefused) if the plan's state or a rule does not allow
    it, with every reason. Repeating the transition just made is a no-op and returns None.
    ``actor`` None is a background job ("system"): it may make only the transitions naming SYSTEM."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionRefused(f"There is no such step as {action!r}")
    data = data or {}
    day = local_day(today)
    with transaction.atomic():
        plan = SupportPlan.objects.select_for_update().select_related("person", "authority").get(pk=plan.pk)
        found = frozenset({SYSTEM}) if actor is None else access.capacities(actor, plan)
        caps = found & transition.capacities
        if not caps:
            raise TransitionForbidden(f"Your role does not allow you to {transition.label.lower()}")
        last = plan.transitions.order_by("-at", "-pk").first()
        if plan.state == transition.target and last is not None and last.action == action:
            return None
        if plan.state not in transition.sources:
            allowed = ", ".join(PlanState(s).label.lower() for s in sorted(transition.sources))
            raise TransitionRefused(
                f"The plan is {plan.get_state_display().lower()}; you can {transition.label.lower()} only when it is {allowed}"
            )
        if transition.when and not applies(plan, transition.when):
            raise TransitionRefused(WHEN_REFUSED[transition.when])
        reason = (reason or "").strip() or transition.default_reason
        if not reason:
            raise ServiceError({"reason": ["Give a reason: it is recorded and shown to the person"]})
        before = audit.snapshot(plan, PLAN_FIELDS)
        EFFECTS[action](actor, plan, reason, data, day)
        from_state, plan.state = plan.state, transition.target
        plan.save()
        step = PlanTransition.objects.create(
            authority=plan.authority, plan=plan, action=action, from_state=from_state, to_state=plan.state,
            actor=actor, actor_label=str(actor) if actor else "system", capacity=sorted(caps)[0],
            at=timezone.now(), reason=reason,
        )  # fmt: skip
        changes = audit.diff(before, audit.snapshot(plan, PLAN_FIELDS))
        changes["state"] = [from_state, plan.state]
        audit.record(
            actor=actor, authority=plan.authority, action=AuditAction.CHANGE, obj=plan,
            reason=f"{transition.label}: {reason}", changes=changes, person_id=plan.person_id,
        )  # fmt: skip
        return step


def applies(plan: SupportPlan, when: str) -> bool:
    """Whether a transition's extra condition (workflow.Transition.when) holds for ``plan`` now."""
    if not when:
        return True
    if when == "panel_decision_appealable":
        referral = open_referral(plan)
        wanted = PanelDecision.CONDITIONS if plan.state == PlanState.APPROVED else PanelDecision.NOT_APPROVED
        return referral is not None and referral.decision == wanted
    appeal = waiting_appeal(plan)
    against = appeal.referral.decision if appeal is not None else None
    if when == "appeal_against_refusal":
        return against == PanelDecision.NOT_APPROVED
    if when == "appeal_against_conditions":
        return against == PanelDecision.CONDITIONS
    raise ValueError(f"unknown transition condition {when!r}")  # pragma: no cover - a table typo


def next_steps(plan: SupportPlan, capacities: frozenset[str]) -> list[Transition]:
    """The transitions someone in ``capacities`` may offer to make on ``plan`` now: those from its
    state whose extra condition holds (the other guards are checked when one is made)."""
    return [t for t in available(plan.state, capacities) if applies(plan, t.when)]


WHEN_REFUSED = {
    "panel_decision_appealable": "Only a panel decision can be appealed: not approved, or approved with conditions",
    "appeal_against_refusal": "The appeal is against the panel's conditions: dismissing it leaves the plan approved with them",
    "appeal_against_conditions": "The appeal is against the panel not approving the plan: dismiss it with 'Dismiss the appeal'",
}  # fmt: skip
