"""Writing a draft plan: starting it, changing its fields, its outcomes and its spending lines. Each
change is made in one transaction with its audit event, and only while the plan is a draft."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction, Role
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User
from selfdirect.people.models import Person

from .. import access
from ..constants import Deployment, Frequency, Helper, LineKind, PlanState, RiskLevel
from ..models import FrameworkOutcome, PlanOutcome, SpendingLine, SupportPlan
from ..workflow import WRITERS, TransitionForbidden, TransitionRefused
from .checks import annual_pence
from .common import PLAN_FIELDS, local_day
from .market import (
    MARKET_LINKS,
    market_entry,
    market_kind_error,
    market_links,
    market_rate_pence,
    market_unit,
    not_in_register,
)
from .money import latest_indicative_budget
from .policies import current_rules

LINE_FIELDS = [
    "kind",
    "category",
    "description",
    "supplier",
    "unit",
    "quantity",
    "frequency",
    "unit_cost_pence",
]


def _require_writer(actor: User, plan: SupportPlan) -> None:
    if plan.state != PlanState.DRAFT:
        raise TransitionRefused(f"The plan is {plan.get_state_display().lower()}: reopen it to change it")
    if not access.capacities(actor, plan) & WRITERS:
        raise TransitionForbidden("You may not change this plan")


def create_plan(
    actor: User, person: Person, reason: str = "Support plan started", *, today: dt.date | None = None
) -> SupportPlan:
    """Start a plan for ``person``, written against their latest indicative budget."""
    if not access.person_capacities(actor, person) & WRITERS:
        raise TransitionForbidden("You may not start a plan for this person")
    rules, row = current_rules(person.authority)
    if SupportPlan.objects.filter(person=person, state__in=[PlanState.DRAFT, PlanState.SUBMITTED]).exists():
        raise ServiceError(f"{person} already has a plan being written")
    budget, source, allocation = latest_indicative_budget(person)
    with transaction.atomic():
        helper = {Role.PLANNER: Helper.BROKER, Role.ASSESSOR: Helper.SOCIAL_WORKER}
        caps = access.person_capacities(actor, person)
        plan = SupportPlan.objects.create(
            authority=person.authority, person=person, indicative_budget_pence=budget, budget_source=source,
            allocation=allocation,
            duration_months=rules.default_duration_months, rules_version=row.version_id, created_by=actor,
            helper=next((helper[Role(c)] for c in caps if c in {Role.PLANNER, Role.ASSESSOR}), ""),
            broker=actor if Role.PLANNER.value in caps else None,
            starts_on=local_day(today),
        )  # fmt: skip
        audit.record(
            actor=actor, authority=plan.authority, action=AuditAction.CREATE, obj=plan, reason=reason,
            changes=audit.diff({}, audit.snapshot(plan, PLAN_FIELDS)), person_id=person.pk,
        )  # fmt: skip
        return plan


def update_plan(actor: User, plan: SupportPlan, data: Mapping[str, Any], reason: str) -> dict[str, list[Any]]:
    """Change parts of a draft plan; returns what changed."""
    with transaction.atomic():
        plan = SupportPlan.objects.select_for_update().get(pk=plan.pk)
        _require_writer(actor, plan)
        unknown = set(data) - set(PLAN_FIELDS)
        if unknown:
            raise ServiceError({k: ["cannot be changed here"] for k in sorted(unknown)})
        before = audit.snapshot(plan, PLAN_FIELDS)
        for name, value in data.items():
            if name == "market_broker" and value is not None:
                value = market_entry(plan, "Broker", value)
                if value is None:
                    raise ServiceError({"market_broker": [not_in_register("Broker")]})
            setattr(plan, name, value)
        _check_plan(plan)
        changes = audit.diff(before, audit.snapshot(plan, PLAN_FIELDS))
        if changes:
            plan.save()
            audit.record(
                actor=actor, authority=plan.authority, action=AuditAction.CHANGE, obj=plan, reason=reason,
                changes=changes, person_id=plan.person_id,
            )  # fmt: skip
        return changes


def _check_plan(plan: SupportPlan) -> None:
    errors: dict[str, list[str]] = {}
    if plan.deployment and plan.deployment not in Deployment.values:
        errors["deployment"] = ["Choose who holds the money"]
    if plan.helper and plan.helper not in Helper.values:
        errors["helper"] = ["Choose who helped write the plan"]
    if plan.risk_level not in RiskLevel.values:
        errors["risk_level"] = ["Choose low, medium or high"]
    if not 1 <= plan.duration_months <= 36:
        errors["duration_months"] = ["A plan lasts between 1 and 36 months"]
    if plan.indicative_budget_pence < 0:
        errors["indicative_budget_pence"] = ["The budget cannot be negative"]
    if errors:
        raise ServiceError(errors)


def save_outcome(
    actor: User, plan: SupportPlan, text: str, how_measured: str, framework_outcome_ids: Iterable[int],
    outcome: PlanOutcome | None = None,
) -> PlanOutcome:  # fmt: skip
    """Add or change a personal outcome and the framework outcomes it is linked to."""
    with transaction.atomic():
        _require_writer(actor, plan)
        if not text.strip():
            raise ServiceError({"text": ["Say what the person wants to achieve"]})
        ids = set(framework_outcome_ids)
        linked = list(FrameworkOutcome.objects.filter(authority=plan.authority, pk__in=ids, retired=False))
        if len(linked) != len(ids):
            raise ServiceError({"framework_outcomes": ["Choose outcomes from this authority's frameworks"]})
        creating = outcome is None
        if outcome is None:
            outcome = PlanOutcome(plan=plan, authority=plan.authority)
        before = {"text": outcome.text, "how_measured": outcome.how_measured,
                  "links": sorted(str(o) for o in outcome.framework_outcomes.all()) if outcome.pk else []}  # fmt: skip
        outcome.text, outcome.how_measured = text.strip(), how_measured.strip()
        outcome.save()
        outcome.framework_outcomes.set(linked)
        after = {
            "text": outcome.text,
            "how_measured": outcome.how_measured,
            "links": sorted(str(o) for o in linked),
        }
        audit.record(
            actor=actor, authority=plan.authority, action=AuditAction.CREATE if creating else AuditAction.CHANGE,
            obj=outcome, reason="Plan outcomes written", changes=audit.diff(before, after), person_id=plan.person_id,
        )  # fmt: skip
        return outcome


def delete_outcome(actor: User, outcome: PlanOutcome) -> None:
    with transaction.atomic():
        _require_writer(actor, outcome.plan)
        audit.record(
            actor=actor, authority=outcome.authority, action=AuditAction.DELETE, obj=outcome,
            reason="Outcome removed from the plan", changes={"text": [outcome.text, None]},
            person_id=outcome.plan.person_id,
        )  # fmt: skip
        outcome.delete()


def save_line(
    actor: User, plan: SupportPlan, data: Mapping[str, Any], line: SpendingLine | None = None
) -> SpendingLine:
    """Add or change a spending line; its yearly cost is worked out here, not taken from the caller.
    A line may name a market entry (``market_service``, ``personal_assistant`` or ``broker``, of the
    plan's authority only); then the market's rate is the unit cost unless ``unit_cost_pence`` is
    given, and the market's unit the unit unless ``unit`` is."""
    with transaction.atomic():
        _require_writer(actor, plan)
        rules, _ = current_rules(plan.authority)
        errors: dict[str, list[str]] = {}
        links, link_errors = market_links(plan, data)
        errors.update(link_errors)
        if links and not str(data.get("unit", "") or "").strip():
            data = {**data, "unit": market_unit(next(iter(links.values())))}
        if data.get("kind") not in LineKind.values:
            errors["kind"] = ["Choose what kind of spending this is"]
        else:
            for name, entry in links.items():
                kind_error = market_kind_error(name, entry, str(data["kind"]))
                if kind_error:
                    errors["kind"] = [kind_error]
        if rules.category(str(data.get("category", ""))) is None:
            errors["category"] = ["Choose one of the spending categories"]
        if data.get("frequency") not in Frequency.values:
            errors["frequency"] = ["Choose how often: per week, month, year or one-off"]
        if not str(data.get("description", "")).strip():
            errors["description"] = ["Describe what the money buys"]
        # A refused market entry is the one thing to put right: the unit and cost it would have
        # given are not asked for as well.
        if not str(data.get("unit", "")).strip() and not link_errors:
            errors["unit"] = ["Say what one unit is, for example hour"]
        quantity = data.get("quantity")
        if not isinstance(quantity, Decimal | int) or Decimal(quantity) <= 0:
            errors["quantity"] = ["Quantity must be more than 0"]
        elif Decimal(quantity) != Decimal(quantity).quantize(Decimal("0.01")) or Decimal(quantity) >= 10**7:
            errors["quantity"] = ["Quantity can have at most 2 decimal places and 7 digits"]
        cost = data.get("unit_cost_pence")
        if cost is None and links:
            cost = market_rate_pence(plan, next(iter(links.values())))
            if cost is None:
                errors["unit_cost_pence"] = [
                    "The market register has no rate for this entry: enter the cost of one unit"
                ]
        if (
            "unit_cost_pence" not in errors
            and not (cost is None and link_errors)
            and (not isinstance(cost, int) or isinstance(cost, bool) or cost < 0)
        ):
            errors["unit_cost_pence"] = ["Cost must be an amount of money, 0 or more"]
        if errors:
            raise ServiceError(errors)
        creating = line is None
        if line is None:
            line = SpendingLine(plan=plan, authority=plan.authority)
        before = audit.snapshot(line, [*LINE_FIELDS, *MARKET_LINKS]) if not creating else {}
        for name in LINE_FIELDS:
            value = data.get(name, "")
            setattr(line, name, value.strip() if isinstance(value, str) else value)
        line.unit_cost_pence = cost  # type: ignore[assignment]
        for name in MARKET_LINKS:
            setattr(line, name, links.get(name))
        if links and not line.supplier:
            line.supplier = str(next(iter(links.values())))[:200]
        line.quantity = Decimal(quantity)  # type: ignore[arg-type]
        line.annual_pence = annual_pence(
            line.unit_cost_pence, line.quantity, line.frequency, rules.weeks_per_year
        )
        line.save()
        audit.record(
            actor=actor, authority=plan.authority, action=AuditAction.CREATE if creating else AuditAction.CHANGE,
            obj=line, reason="Plan spending written",
            changes=audit.diff(before, {**audit.snapshot(line, [*LINE_FIELDS, *MARKET_LINKS]), "annual_pence": line.annual_pence}),
            person_id=plan.person_id,
        )  # fmt: skip
        return line


def delete_line(actor: User, line: SpendingLine) -> None:
    with transaction.atomic():
        _require_writer(actor, line.plan)
        audit.record(
            actor=actor, authority=line.authority, action=AuditAction.DELETE, obj=line,
            reason="Spending removed from the plan", changes={"description": [line.description, None]},
            person_id=line.plan.person_id,
        )  # fmt: skip
        line.delete()
