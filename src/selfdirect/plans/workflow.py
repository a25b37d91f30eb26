"""The plan workflow as data: every permitted transition, which states it leaves from, where it goes
and in which capacity someone may make it. services.apply_transition is the one function that
applies a transition; nothing else changes a plan's state. What a transition checks and does besides
moving the state (its effect) is registered against its action in services/effects.py, and
:func:`check_effects` refuses to start with a transition that has no effect or an effect that names
no transition.

Capacities are relationships to one plan, not bare roles: a PERSON is the plan's own person; a
REPRESENTATIVE acts for them with "may agree the support plan"; ASSESSOR (the care co-ordinator) and
PLANNER (broker) have the person on their team's caseload; PANEL and ADMIN are authority-wide. SYSTEM is a background job (no user).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from selfdirect.core.constants import Role

from .constants import PlanState as S

PERSON, REP, ASSESSOR, PLANNER, PANEL, ADMIN, FINANCE = (
    Role.PERSON.value, Role.REPRESENTATIVE.value, Role.ASSESSOR.value, Role.PLANNER.value,
    Role.PANEL.value, Role.ADMIN.value, Role.FINANCE.value,
)  # fmt: skip

WRITERS = frozenset({PERSON, REP, ASSESSOR, PLANNER})
# Background jobs act with no user (actor None, recorded as "system"): only the transitions that
# name SYSTEM, and only under the guard in services (a withdrawal notice that has run out).
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str  # the button
    sources: frozenset[str]
    target: str
    capacities: frozenset[str]
    default_reason: str
    # A condition on the plan beyond its state, named here and checked by services.applies(): which
    # kind of panel decision an appeal is against decides how it can be dismissed.
    when: str = ""


def _t(
    action: str,
    label: str,
    sources: set[str],
    target: str,
    capacities: set[str] | frozenset[str],
    reason: str,
    when: str = "",
) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(capacities), reason, when)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("submit", "Submit the plan for sign-off", {S.DRAFT}, S.SUBMITTED, {PERSON, REP, ASSESSOR},
           "The plan is ready to be signed off"),
        _t("return", "Return the plan for changes", {S.SUBMITTED}, S.RETURNED, {ASSESSOR}, ""),
        _t("redraft", "Reopen the plan to change it", {S.RETURNED, S.NOT_APPROVED}, S.DRAFT, WRITERS,
           "Changing the plan"),
        _t("approve", "Sign off the plan", {S.SUBMITTED}, S.APPROVED, {ASSESSOR},
           "The plan meets the person's needs and outcomes"),
        _t("refer", "Refer the plan to the risk enablement panel", {S.SUBMITTED}, S.REFERRED, {ASSESSOR}, ""),
        _t("panel_approve", "Approve", {S.REFERRED}, S.APPROVED, {PANEL}, "The panel approved the plan"),
        _t("panel_conditions", "Approve with conditions", {S.REFERRED}, S.APPROVED, {PANEL},
           "The panel approved the plan with conditions"),
        _t("panel_decline", "Do not approve", {S.REFERRED}, S.NOT_APPROVED, {PANEL}, ""),
        # The person may appeal a refusal, or a condition the panel set (approved with conditions).
        _t("appeal", "Appeal against the panel's decision", {S.NOT_APPROVED, S.APPROVED}, S.APPEALED,
           {PERSON, REP, ASSESSOR}, "", "panel_decision_appealable"),
        _t("uphold_appeal", "Uphold the appeal", {S.APPEALED}, S.APPROVED, {PANEL, ADMIN}, ""),
        _t("dismiss_appeal", "Dismiss the appeal", {S.APPEALED}, S.NOT_APPROVED, {PANEL, ADMIN}, "",
           "appeal_against_refusal"),
        _t("dismiss_condition_appeal", "Dismiss the appeal: the conditions stand", {S.APPEALED}, S.APPROVED,
           {PANEL, ADMIN}, "", "appeal_against_conditions"),
        _t("activate", "Deploy the money and start the plan", {S.APPROVED}, S.ACTIVE, {ASSESSOR, ADMIN, FINANCE},
           "Money deployed; the plan starts"),
        _t("start_review", "Start a review", {S.ACTIVE}, S.UNDER_REVIEW, {ASSESSOR}, "The review is due"),
        _t("complete_review", "Finish the review", {S.UNDER_REVIEW}, S.ACTIVE, {ASSESSOR},
           "Review recorded; the plan continues"),
        _t("give_notice", "Give notice that funding will be withdrawn", {S.ACTIVE, S.UNDER_REVIEW},
           S.WITHDRAWAL_NOTICE, {ASSESSOR}, ""),
        _t("rescind_notice", "Withdraw the notice", {S.WITHDRAWAL_NOTICE}, S.ACTIVE, {ASSESSOR, ADMIN}, ""),
        _t("end", "End the plan", {S.ACTIVE, S.UNDER_REVIEW, S.WITHDRAWAL_NOTICE}, S.ENDED, {ASSESSOR, ADMIN, SYSTEM}, ""),
    ]
}  # fmt: skip


def available(state: str, capacities: frozenset[str]) -> list[Transition]:
    """The transitions someone in ``capacities`` could try from ``state`` (guards are checked later)."""
    return [t for t in TRANSITIONS.values() if state in t.sources and t.capacities & capacities]


def permission_for(action: str) -> str:
    """The permission to find a plan for making step ``action``: finance, whose steps are about the
    money (deploying it), sees a plan's money, not all of it; everyone else needs the whole plan."""
    transition = TRANSITIONS.get(action)
    return "plans.view_money" if transition and FINANCE in transition.capacities else "plans.view_plan"


def unmatched_effects(effects: Iterable[str], transitions: Iterable[str] = TRANSITIONS) -> list[str]:
    """What does not match between the transitions and the actions that have an effect: each
    transition with no effect, and each effect for an action that is no transition."""
    have, table = set(effects), set(transitions)
    return [f"transition {a!r} has no effect" for a in sorted(table - have)] + [
        f"an effect names {a!r}, which is no transition" for a in sorted(have - table)
    ]


def check_effects(effects: Iterable[str], transitions: Iterable[str] = TRANSITIONS) -> None:
    """Refuse (ImproperlyConfigured) a table and effects that do not match one for one. A plain
    check, not an ``assert``, so ``python -O`` keeps it."""
    problems = unmatched_effects(effects, transitions)
    if problems:
        raise ImproperlyConfigured("The plan workflow and its effects differ: " + "; ".join(problems))


class TransitionRefused(Exception):
    """The transition cannot be made now (wrong state, or a rule says no). API 409, web 400."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


class TransitionForbidden(TransitionRefused):
    """The user may not make this transition on this plan (API and web 403)."""
