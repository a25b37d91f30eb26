"""The plan's money in other apps, kept small and isolated: the indicative budget from the
allocation app, and the ledger's budgets a plan deploys (activation), reassesses (a review) and
stops (the plan ends). Both apps are looked up at run time, so plans run without either."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.utils import timezone

from selfdirect.allocation.services import newest_first, policy_for, version_in_force
from selfdirect.core.dates import add_months
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User
from selfdirect.core.money import format_pence, split_pence
from selfdirect.ledger import labels as ledger_labels
from selfdirect.ledger import services as ledger
from selfdirect.people.models import Person

from ..constants import Deployment
from ..models import SupportPlan
from ..workflow import TransitionRefused
from .policies import current_rules


def latest_indicative_budget(person: Person) -> tuple[int, str, Any]:
    """The person's latest indicative budget (pence a year), how it was worked out, and the
    allocation row (None when the allocation app has none: a worker then enters the figure)."""
    if apps.is_installed("selfdirect.allocation"):
        Allocation = apps.get_model("allocation", "Allocation")
        latest = Allocation.objects.filter(person=person).select_related("policy_version").first()
        if latest is not None:
            return (
                int(latest.total_annual_pence),
                (
                    f"The indicative budget of {latest.on:%-d %B %Y} under {latest.policy_version}"
                ),
                latest,
            )
    return 0, "No indicative budget yet: enter the figure the co-ordinator gave", None


def reassessed_budget_source(person: Person, pence: int, on: dt.date) -> str:
    budget, source, allocation = latest_indicative_budget(person)
    if allocation is not None and budget == pence:
        return f"Reassessed: {source}"
    return f"Reassessed at the review on {on:%-d %B %Y}: {format_pence(pence)} a year"


LEDGER_ROUTES = {
    Deployment.DIRECT_PAYMENT: ["direct_payment"], Deployment.COUNCIL_MANAGED: ["council_managed"],
    Deployment.THIRD_PARTY: ["third_party"], Deployment.ISF: ["isf"], Deployment.VIRTUAL: ["virtual"],
    Deployment.MIX: [],  # a mix's routes and shares are the authority's plan rules (money.mix_shares)
}  # fmt: skip


def _running_budgets(plan: SupportPlan, on: dt.date) -> list[Any]:
    """The ledger budgets deployed for this plan that are still paying on ``on``."""
    if not apps.is_installed("selfdirect.ledger") or not plan.ledger_budget_ref:
        return []
    Budget = apps.get_model("ledger", "Budget")
    ids = [int(pk) for pk in plan.ledger_budget_ref.split(",") if pk.strip().isdigit()]
    return list(
        Budget.objects.filter(
            pk__in=ids, status__in=["agreed", "active"], period_start__lte=on, period_end__gte=on
        ).order_by("pk")
    )


def _refused_by_ledger(budget: Any, refused: ServiceError) -> TransitionRefused:
    name = ledger_labels.budget_name(budget)
    return TransitionRefused([f"The budget of {name}: {m}" for ms in refused.errors.values() for m in ms])


def stop_money(actor: User | None, plan: SupportPlan, on: dt.date, reason: str) -> None:
    """When a plan ends (a worker ends it, or its withdrawal notice runs out), the money it deployed
    stops from ``on``: what was paid stands, nothing more is paid (leftovers go at period close)."""
    running = _running_budgets(plan, on)
    if not running:
        return

    why = f"The support plan ended: {reason}"
    for budget in running:
        try:
            ledger.end_budget(actor, budget, on=on, reason=why)
        except ServiceError as refused:
            raise _refused_by_ledger(budget, refused) from refused


def reassess_money(actor: User, plan: SupportPlan, new_annual_pence: int, on: dt.date, reason: str) -> str:
    """A review that reassessed the person changes the money from that day (seed 004 Q5: budgets
    change at reassessment, not with short-term fluctuation). Each running ledger budget deployed for
    this plan is replaced; a new total across several streams is split in proportion to their
    current figures without losing a penny. Returns the new ledger budget ids ("" if nothing ran).

    A one-off grant (an adaptation, equipment) is not ongoing support: it stands as agreed, and the
    new figure is the yearly figure of the support paid in instalments."""
    running = [b for b in _running_budgets(plan, on) if b.frequency != "once"]
    if not running:
        return ""

    current = [b.agreed_annual_pence for b in running]
    shares = split_pence(new_annual_pence, current if sum(current) else [1] * len(running))
    why = f"Review of support plan {plan.pk} on {on:%-d %B %Y}: {reason}"
    new_ids = []
    for budget, share in zip(running, shares, strict=True):
        if share == budget.agreed_annual_pence:
            new_ids.append(budget.pk)
            continue
        try:
            new = ledger.reassess_budget(
                actor, budget, on=on, agreed_annual_pence=share, reason=why, approved_by_ref=plan,
                indicative_pence=share,  # this stream's part of the new indicative figure
                plan_cost_pence=plan.annual_total_pence if len(running) == 1 else None,
            )  # fmt: skip
        except ServiceError as refused:
            raise _refused_by_ledger(budget, refused) from refused
        new_ids.append(new.pk)
    return ",".join(str(pk) for pk in new_ids)


def _plan_streams(plan: SupportPlan, start: dt.date) -> list[tuple[str, int, dict[str, Any] | None]]:
    """(stream, its share of the allocation in pence a year, how it is paid) for each funding stream of
    the plan's indicative budget that holds money; with no allocation, the first stream of the
    authority's allocation policy in force, level."""
    allocation = plan.allocation if plan.allocation_id is not None else None
    if allocation is not None:
        explained = (allocation.explanation or {}).get("streams", {})
        found = [
            (row.stream, int(row.annual_pence), (explained.get(row.stream) or {}).get("schedule"))
            for row in allocation.streams.order_by("pk") if row.annual_pence > 0
        ]  # fmt: skip
        if found:
            return found
    stream = "adult_social_care"
    if apps.is_installed("selfdirect.allocation"):
        version = version_in_force(newest_first(plan.authority), start)
        if version is not None:
            stream = next(iter(policy_for(version).model.streams), stream)
    return [(stream, 1, None)]


def _draft_from_plan(actor: User, plan: SupportPlan, start: dt.date, ledger: Any) -> list[Any]:
    """The ledger budgets an approved plan drafts when finance has drafted none (see deploy_money)."""
    rules, _ = current_rules(plan.authority)
    deployment = Deployment(plan.deployment or Deployment.COUNCIL_MANAGED)
    if deployment == Deployment.MIX:
        if rules.money is None:
            raise ServiceError({"deployment": [
                f"The plan rules ({rules.id}) do not say how a mix is split: finance must draft the budget"
            ]})  # fmt: skip
        routes: list[dict[str, Any]] = [
            {"route": route, "share": share} for route, share in rules.money.mix_shares.items()
        ]
    else:
        routes = [{"route": LEDGER_ROUTES[deployment][0]}]
    frequency = rules.money.frequency if rules.money is not None else "four_weekly"
    streams = _plan_streams(plan, start)
    amounts = split_pence(plan.indicative_budget_pence, [max(pence, 1) for _, pence, _ in streams])
    end = add_months(start, 12) - dt.timedelta(days=1)
    drafts = []
    for (stream, _, paid), pence in zip(streams, amounts, strict=True):
        paid = paid or {}
        drafts.append(ledger.create_budget(
            actor, plan.person, stream=stream, period_start=start, period_end=end, agreed_annual_pence=pence,
            starts_on=start, frequency="once" if paid.get("once") else frequency, deployments=routes,
            indicative_pence=pence, source="The support plan", allocation_ref=str(plan.allocation_id or ""),
            plan_cost_pence=plan.annual_total_pence if len(streams) == 1 else None,
            phases=paid.get("phases"), reason=f"Drafted from support plan {plan.pk}",
        ))  # fmt: skip
    return drafts


def deploy_money(actor: User, plan: SupportPlan, reason: str) -> str:
    """Money deployed: the ledger's budgets for the person are agreed against this plan (its draft
    budgets if a worker drafted them, else drafted here from the plan). Returns the ledger budget
    ids, or "" when the ledger app is not installed.

    Drafted here: a budget for each funding stream of the plan's indicative budget that holds money,
    the plan's figure split between them in proportion to the allocation, each paid the way its
    allocation says (the phases of a tapering stream, a one-off grant once), for a year from the
    plan's start; held as the plan says, a "mix" split as the authority's plan rules say."""
    if not apps.is_installed("selfdirect.ledger"):
        return ""

    Budget = apps.get_model("ledger", "Budget")
    drafts = list(Budget.objects.filter(person=plan.person, status="draft"))
    start = plan.starts_on or timezone.localdate()
    running = Budget.objects.filter(
        person=plan.person, status__in=["agreed", "active"], period_start__lte=start, period_end__gt=start
    )
    if not drafts and running.exists():  # already agreed for this period (e.g. by finance): point at it
        return ",".join(str(pk) for pk in running.values_list("pk", flat=True))
    if not drafts:
        drafts = _draft_from_plan(actor, plan, start, ledger)
    for budget in drafts:
        ledger.agree_budget(actor, budget, plan, f"The support plan was approved: {reason}")
    return ",".join(str(b.pk) for b in drafts)
