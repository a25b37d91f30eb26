"""Drafting and agreeing a budget: the figure, its period, how it is held, its phases and mid-point."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from selfdirect.core import audit, spreadsheet
from selfdirect.core.constants import AuditAction
from selfdirect.core.dates import add_months
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User
from selfdirect.core.money import format_pence, round_pence
from selfdirect.people.models import Person

from .. import books, policy
from ..books import Chart, credit, debit
from ..constants import BudgetStatus, Frequency, Route, TxnKind
from ..models import Budget, Deployment, Instalment
from ..schedule import phases_from, phases_total, schedule

BUDGET_AUDIT_FIELDS = [
    "stream", "period_start", "period_end", "agreed_annual_pence", "indicative_pence", "difference_reasons",
    "frequency", "starts_on", "status", "source",
]  # fmt: skip


# How far from today a budget's period may start: older budgets are a council's history brought over
# (its opening balances), later ones agreed ahead; anything further is a typing error (1900, 2099).
BUDGET_YEARS_BACK = 10


BUDGET_YEARS_AHEAD = 2


def create_budget(
    actor: User | None,
    person: Person,
    *,
    stream: str,
    period_start: dt.date,
    period_end: dt.date,
    agreed_annual_pence: int,
    starts_on: dt.date,
    frequency: str,
    deployments: Iterable[Mapping[str, Any]],
    indicative_pence: int | None = None,
    difference_reasons: str = "",
    source: str = "",
    allocation_ref: str = "",
    plan_cost_pence: int | None = None,
    reason: str = "budget drafted",
    phases: list[dict[str, int]] | None = None,
    midpoint: tuple[int, int] | None = None,
) -> Budget:
    """A draft budget with how it is held. It pays nothing until :func:`agree_budget`.

    ``frequency`` "once" pays the whole figure once, on the start date (a one-off grant); ``phases``
    (weekly amounts from the start date, as the allocation produced them) shape the instalments of a
    budget whose money is not level: the agreed figure is paid in their shape (exactly their weekly
    amounts when it is their total, in proportion when a plan agreed a different figure); ``midpoint`` (the
    yearly figures for settled and for higher needs) sets a mid-point budget where the money rules
    allow one, and the agreed figure must be the mid-point they give."""
    errors: dict[str, list[str]] = {}
    if (
        isinstance(agreed_annual_pence, bool)
        or not isinstance(agreed_annual_pence, int)
        or agreed_annual_pence < 0
    ):
        errors["agreed_annual_pence"] = ["The agreed budget must be whole pence, zero or more"]
    elif phases is not None:
        try:
            schedule_phases_total(phases)
        except ValueError as exc:
            errors["phases"] = [str(exc)]
        else:
            if frequency == Frequency.ONCE:
                errors["phases"] = ["A one-off payment has no phases"]
    if midpoint is not None and "agreed_annual_pence" not in errors:
        source = _midpoint_checked(person, midpoint, agreed_annual_pence, errors) or source
    if (
        indicative_pence is not None
        and indicative_pence != agreed_annual_pence
        and not difference_reasons.strip()
    ):
        errors["difference_reasons"] = [
            "The agreed budget differs from the indicative budget: record the reasons the person will be given"
        ]
    allowed = policy.payment_frequencies(person.authority.slug)
    if (
        frequency not in allowed and frequency != Frequency.ONCE
    ):  # a one-off is never refused for its frequency
        errors["frequency"] = [
            f"{frequency!r} is not a payment frequency the policy allows: {', '.join(allowed)}"
        ]
    today = timezone.localdate()
    if not period_start < period_end:
        errors["period_end"] = ["The period must end after it starts"]
    elif period_end > add_months(period_start, 12) - dt.timedelta(days=1):
        errors["period_end"] = [
            f"A budget runs for a year at most: this one would end after {add_months(period_start, 12) - dt.timedelta(days=1):%-d %B %Y}"
        ]
    elif (
        not add_months(today, -12 * BUDGET_YEARS_BACK)
        <= period_start
        <= add_months(today, 12 * BUDGET_YEARS_AHEAD)
    ):
        errors["period_start"] = [
            f"A budget's period must start within {BUDGET_YEARS_BACK} years before today and "
            f"{BUDGET_YEARS_AHEAD} years after it, not on {period_start:%-d %B %Y}"
        ]
    elif not period_start <= starts_on <= period_end:
        errors["starts_on"] = ["The start date must fall within the budget's period"]
    rows = list(deployments)
    if not rows:
        errors["deployments"] = ["Say how the budget is held: at least one route"]
    routes = [r.get("route") for r in rows]
    if any(r not in Route.values for r in routes):
        errors["deployments"] = [f"Unknown route; choose from {', '.join(Route.values)}"]
    elif len(set(routes)) != len(routes):
        errors["deployments"] = ["Each route may appear once; give it a bigger share instead"]
    for row in rows:  # they go into the payment file, which the bank opens as a spreadsheet
        for key, what in (("payee_name", "payee's name"), ("payee_account", "payee's account")):
            if spreadsheet.formula_like(str(row.get(key) or "")):
                route = Route(row["route"]).label if row.get("route") in Route.values else row.get("route")
                errors.setdefault(key, []).append(f"{route}: the {what} {spreadsheet.FORMULA_MESSAGE}")
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        budget = Budget.objects.create(
            authority_id=person.authority_id, person=person, stream=stream, period_start=period_start,
            period_end=period_end, agreed_annual_pence=agreed_annual_pence, indicative_pence=indicative_pence,
            difference_reasons=difference_reasons.strip(), frequency=frequency, starts_on=starts_on,
            source=source[:300], allocation_ref=allocation_ref, plan_cost_pence=plan_cost_pence, phases=phases,
            midpoint_low_pence=midpoint[0] if midpoint else None, midpoint_high_pence=midpoint[1] if midpoint else None,
        )  # fmt: skip
        for row in rows:
            Deployment.objects.create(
                budget=budget, route=row["route"], share=int(row.get("share", 100)),
                payee_name=row.get("payee_name") or str(person),
                payee_account=row.get("payee_account") or "00-00-00 00000000",
                fee_percent=Decimal(str(row.get("fee_percent", 0))),
            )  # fmt: skip
        audit.record(
            actor=actor, authority=person.authority, action=AuditAction.CREATE, obj=budget, reason=reason,
            changes=audit.diff({}, audit.snapshot(budget, BUDGET_AUDIT_FIELDS)), person_id=person.pk,
        )  # fmt: skip
    return budget


def agree_budget(actor: User | None, budget: Budget, approved_by_ref: Any, reason: str) -> Budget:
    """Agree a draft budget: what makes it payable. Support plans call this on approval
    (``approved_by_ref`` is the approving record, or a string saying what approved it).

    Generates the instalments from the start date (move-in) to the period's end and posts the
    period's commitment (Dr budget, Cr funding stream). Agreeing an agreed budget changes nothing.
    """
    if not reason or not reason.strip():
        raise ServiceError({"reason": ["Say why the budget is agreed"]})
    with transaction.atomic():
        budget = Budget.objects.select_for_update().get(pk=budget.pk)
        if budget.status != BudgetStatus.DRAFT:
            return budget
        before = audit.snapshot(budget, BUDGET_AUDIT_FIELDS)
        slots = schedule(
            budget.agreed_annual_pence,
            budget.period_start,
            budget.period_end,
            budget.starts_on,
            budget.frequency,
            phases_from(budget.phases) if budget.phases else None,
        )
        Instalment.objects.bulk_create(
            [Instalment(budget=budget, seq=s.seq, due_on=s.due_on, covers_from=s.covers_from,
                        covers_to=s.covers_to, amount_pence=s.amount_pence) for s in slots if s.amount_pence]
        )  # fmt: skip
        if isinstance(approved_by_ref, models.Model):
            budget.approved_by_type = ContentType.objects.get_for_model(approved_by_ref)
            budget.approved_by_id = str(approved_by_ref.pk)
            budget.source = budget.source or f"Approved by {approved_by_ref}"
        elif approved_by_ref:
            approved = f"approved by {approved_by_ref}"
            budget.source = (f"{budget.source}; {approved}" if budget.source else approved.capitalize())[:300]
        budget.status = BudgetStatus.AGREED
        budget.agreed_at = timezone.now()
        budget.agreed_by = actor
        budget.save()
        total = sum(s.amount_pence for s in slots)
        if total:
            chart = Chart(budget.person.authority)
            on = books.first_open_day(budget.authority_id, budget.starts_on)
            books.post(
                budget.person.authority, on, TxnKind.ALLOCATE, f"Budget {budget.pk} agreed for the period",
                [debit(chart.budget(budget.pk), total), credit(chart.fund(budget.stream), total)],
                budget_id=budget.pk, actor=actor,
            )  # fmt: skip
        audit.record(
            actor=actor, authority=budget.person.authority, action=AuditAction.CHANGE, obj=budget,
            reason=reason, changes=audit.diff(before, audit.snapshot(budget, BUDGET_AUDIT_FIELDS)),
            person_id=budget.person_id,
        )  # fmt: skip
    return budget


def schedule_phases_total(phases: list[dict[str, int]]) -> int:
    """The total of phases given as data (ValueError says what is wrong with them)."""
    return phases_total(phases_from(phases))


def phases_as_paid(budget: Budget) -> list[dict[str, Any]]:
    """The budget's phases with each week's money as paid from its agreed figure: the phases' own
    amounts when they add up to it, else in proportion (``about`` is then true)."""
    if not budget.phases:
        return []
    whole = schedule_phases_total(budget.phases)
    scaled = whole != budget.agreed_annual_pence
    return [
        {"weeks": p["weeks"], "about": scaled,
         "weekly_pence": round_pence(Decimal(p["weekly_pence"]) * budget.agreed_annual_pence / whole) if scaled and whole
         else p["weekly_pence"]}
        for p in budget.phases
    ]  # fmt: skip


def _midpoint_checked(
    person: Person, midpoint: tuple[int, int], agreed_annual_pence: int, errors: dict[str, list[str]]
) -> str:
    """Check a mid-point budget against the money rules; the words saying how it was set, or ""
    with the problems added to ``errors``."""
    pol = policy.load(person.authority.slug)
    rules = pol.midpoint
    if rules is None or not rules.allowed:
        errors["midpoint"] = [f"{pol.label[0].upper()}{pol.label[1:]} do not allow mid-point budgets"]
        return ""
    low, high = midpoint
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in (low, high)):
        errors["midpoint"] = ["Give both yearly figures as whole pence, zero or more"]
        return ""
    if not low < high:
        errors["midpoint"] = ["The figure for higher needs must be more than the one for settled needs"]
        return ""
    mid = policy.midpoint_pence(rules, low, high)
    if agreed_annual_pence != mid:
        errors["agreed_annual_pence"] = [
            f"A mid-point budget between {format_pence(low)} and {format_pence(high)} is {format_pence(mid)} a year"
        ]
        return ""
    return (
        f"Mid-point budget: {format_pence(mid)} a year, {rules.position_percent}% of the way from "
        f"{format_pence(low)} (settled needs) to {format_pence(high)} (higher needs), under {pol.label}"
    )


def check_plan_cost(budget: Budget, plan_cost_pence: int) -> tuple[bool, str]:
    """Whether a plan's cost is within the authority's tolerance of the budget, and why."""
    pol = policy.load(budget.person.authority.slug)
    ok = policy.within_tolerance(pol, budget.agreed_annual_pence, plan_cost_pence)
    words = "within" if ok else "outside"
    return ok, f"The plan is {words} the {pol.plan_tolerance_percent}% tolerance of {pol.label}"
