"""Changing an agreed budget: replaced at a reassessment, or stopped when its support ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction
from selfdirect.core.dates import format_date
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User
from selfdirect.core.money import round_pence

from .. import books
from ..books import Chart, credit, debit
from ..constants import BudgetStatus, Frequency, RunStatus, TxnKind
from ..models import Budget, Instalment, Payment, PaymentRun
from .budgets import BUDGET_AUDIT_FIELDS, agree_budget, create_budget


def _truncated(amount: int, covers_from: dt.date, covers_to: dt.date, new_to: dt.date) -> int:
    """An instalment's amount pro rata by days when it now ends on ``new_to``."""
    whole = (covers_to - covers_from).days + 1
    kept = (new_to - covers_from).days + 1
    return round_pence(Decimal(amount) * kept / whole)


def _stop_paying(
    actor: User | None, old: Budget, on: dt.date, reason: str, note: str, *, stopping: bool = False
) -> tuple[dt.date, dt.date]:
    """Stop paying the locked budget ``old`` from ``on``: instalments already paid stand (so the stop
    moves to the day after what was paid); an unpaid instalment that straddles the day is cut pro rata;
    later unpaid ones are cancelled, and the commitment they held is released (Dr fund / Cr budget).
    The budget's period then ends the day before. Returns (the day it takes effect, the period's old
    end). When ``stopping`` (no budget follows), a budget already paid to the end of its period is
    left as it is, and one stopped before anything was paid, as or before it starts, is cancelled
    whole."""
    if PaymentRun.objects.filter(
        authority_id=old.authority_id, status=RunStatus.RUNNING, finished_at__gt=timezone.now()
    ).exists():
        raise ServiceError({"on": ["A payment run is in progress: change the budget when it has finished"]})
    instalments = list(
        Instalment.objects.select_for_update().filter(budget=old, cancelled=False).order_by("seq")
    )
    paid_ids = set(Payment.objects.filter(instalment__in=instalments).values_list("instalment_id", flat=True))
    effective = on
    for inst in instalments:
        if inst.pk in paid_ids and inst.covers_to >= effective:
            effective = inst.covers_to + dt.timedelta(days=1)
    if effective != on and effective > old.period_end:
        if stopping:
            return effective, old.period_end
        raise ServiceError(
            {"on": [f"Everything to {format_date(old.period_end)} is already paid: agree next period's budget instead"]}
        )
    whole = (
        stopping
        and not paid_ids
        and (effective <= old.starts_on or effective <= old.period_start + dt.timedelta(days=1))
    )
    if whole:
        effective = old.starts_on
    elif not old.starts_on < effective <= old.period_end:
        raise ServiceError({"on": [f"The change must take effect after the budget starts ({format_date(old.starts_on)}) "
                                   f"and by the end of its period ({format_date(old.period_end)})"]})  # fmt: skip
    if not whole and effective - dt.timedelta(days=1) <= old.period_start:
        raise ServiceError({"on": ["The change must take effect at least two days into the period"]})
    released = 0
    for inst in instalments:
        if inst.pk in paid_ids or inst.covers_to < effective:
            continue
        cut = _truncated(
            inst.amount_pence, inst.covers_from, inst.covers_to, effective - dt.timedelta(days=1)
        )
        # Cancelled whole: an instalment after the change; a grant (never cut pro rata); one whose cut
        # leaves nothing to pay (a run never pays an instalment of nothing).
        if inst.covers_from >= effective or old.frequency == Frequency.ONCE or cut == 0:
            inst.cancelled = True
            released += inst.amount_pence
            inst.save(update_fields=["cancelled"])
        else:
            released += inst.amount_pence - cut
            inst.amount_pence, inst.covers_to = cut, effective - dt.timedelta(days=1)
            inst.save(update_fields=["amount_pence", "covers_to"])
    before = audit.snapshot(old, BUDGET_AUDIT_FIELDS)
    period_end = old.period_end
    if not whole:
        old.period_end = effective - dt.timedelta(days=1)
    still_due = Instalment.objects.filter(budget=old, cancelled=False, payment__isnull=True).exists()
    if not still_due:
        old.status = BudgetStatus.ENDED
    old.save(update_fields=["period_end", "status"])
    if released:
        chart = Chart(old.authority)
        books.post(
            old.authority, books.first_open_day(old.authority_id, effective), TxnKind.RELEASE,
            f"Budget {old.pk} {note.lower()} from {effective}: unpaid commitment released",
            [debit(chart.fund(old.stream), released), credit(chart.budget(old.pk), released)],
            budget_id=old.pk, actor=actor,
        )  # fmt: skip
    audit.record(
        actor=actor, authority=old.authority, action=AuditAction.CHANGE, obj=old,
        reason=f"{note}: ends {format_date(old.period_end)}; {reason.strip()}",
        changes=audit.diff(before, audit.snapshot(old, BUDGET_AUDIT_FIELDS)), person_id=old.person_id,
    )  # fmt: skip
    return effective, period_end


def reassess_budget(
    actor: User | None,
    budget: Budget,
    *,
    on: dt.date,
    agreed_annual_pence: int,
    reason: str,
    approved_by_ref: Any,
    indicative_pence: int | None = None,
    difference_reasons: str = "",
    frequency: str | None = None,
    deployments: Iterable[Mapping[str, Any]] | None = None,
    plan_cost_pence: int | None = None,
    allocation_ref: str = "",
) -> Budget:
    """Replace an agreed budget at a reassessment (seed 004 Q5: budgets change at reassessment,
    not with short-term fluctuation). The only way an agreed budget's figure changes.

    The old budget ends the day before the change and the new one starts that day, so there is no
    gap and nothing is paid twice: instalments already paid stand (a change dated inside a paid
    instalment takes effect the day after what was paid); an unpaid instalment that straddles the
    change is cut to the days before it, pro rata; later unpaid ones are cancelled; the commitment
    they held is released (Dr fund / Cr budget). The new budget is drafted from the same period with
    the new figure, starts on the change day (pro rata) and is agreed against ``approved_by_ref``
    (the approved plan or reassessment). Its ``change_reason`` says why, beside both figures.
    """
    errors: dict[str, list[str]] = {}
    if not reason or not reason.strip():
        errors["reason"] = ["Say why the budget changes at this reassessment"]
    if not approved_by_ref:
        errors["approved_by"] = ["Say what approved the new budget (the reassessment or the approved plan)"]
    if (
        isinstance(agreed_annual_pence, bool)
        or not isinstance(agreed_annual_pence, int)
        or agreed_annual_pence < 0
    ):
        errors["agreed_annual_pence"] = ["The new budget must be whole pence, zero or more"]
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        old = Budget.objects.select_for_update().select_related("authority").get(pk=budget.pk)
        if not old.is_payable:
            raise ServiceError(
                {"budget": [f"Only an agreed budget can be reassessed; this one is {old.status}"]}
            )
        if Budget.objects.filter(replaces=old).exists():
            raise ServiceError({"budget": ["This budget has already been replaced at a reassessment"]})
        if agreed_annual_pence == old.agreed_annual_pence and not deployments and not frequency:
            raise ServiceError(
                {"agreed_annual_pence": ["The new budget is the same as the current one: nothing changes"]}
            )
        effective, period_end = _stop_paying(actor, old, on, reason, "Reassessed")
        rows = list(deployments) if deployments else [
            {"route": d.route, "share": d.share, "payee_name": d.payee_name, "payee_account": d.payee_account,
             "fee_percent": d.fee_percent} for d in old.deployments.all()
        ]  # fmt: skip
        new = create_budget(
            actor, old.person, stream=old.stream, period_start=old.period_start, period_end=period_end,
            agreed_annual_pence=agreed_annual_pence, starts_on=effective, frequency=frequency or old.frequency,
            deployments=rows, indicative_pence=indicative_pence, difference_reasons=difference_reasons,
            source=f"Reassessed from {effective}", allocation_ref=allocation_ref or old.allocation_ref,
            plan_cost_pence=plan_cost_pence, reason=f"Reassessment replacing budget {old.pk}: {reason.strip()}",
        )  # fmt: skip
        Budget.objects.filter(pk=new.pk).update(replaces=old, change_reason=reason.strip())
        new.refresh_from_db()
        new = agree_budget(actor, new, approved_by_ref, f"Reassessment: {reason.strip()}")
    return new


def end_budget(actor: User | None, budget: Budget, *, on: dt.date, reason: str) -> Budget:
    """Stop an agreed budget from ``on`` because the support it pays for has ended (the plan ended, or
    funding was withdrawn after notice). Nothing already paid is undone (money left over is dealt
    with at period close, by claw-back); nothing more is paid from ``on``."""
    if not reason or not reason.strip():
        raise ServiceError({"reason": ["Say why the budget stops"]})
    with transaction.atomic():
        old = Budget.objects.select_for_update().select_related("authority").get(pk=budget.pk)
        if not old.is_payable:
            raise ServiceError(
                {"budget": [f"Only an agreed budget can be stopped; this one is {old.status}"]}
            )
        _stop_paying(actor, old, on, reason, "Stopped", stopping=True)
    return old
