"""The ledger API: budgets and statements, agreeing budgets, spending, payment runs, period
close and the trial balance. Thin handlers over the same services and rules as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from selfdirect.core.http import AuthedRequest
from selfdirect.core.models import Authority

from . import books, services, tasks
from .constants import BudgetStatus, Frequency, RunStatus
from .models import Budget, PaymentRun
from .rules import budget_scope

router = Router(tags=["ledger"])


def _authority(request: AuthedRequest) -> Authority:
    if request.authority is None:
        raise PermissionDenied("no authority")
    return request.authority


def _require(request: AuthedRequest, perm: str, obj: Any) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _budget(request: AuthedRequest, budget_id: int) -> Budget:
    return get_object_or_404(
        budget_scope(request.user, _authority(request)).select_related("person"), pk=budget_id
    )


class LedgerStatementOut(Schema):
    id: int
    person_id: int
    stream: str
    status: BudgetStatus
    period_start: dt.date
    period_end: dt.date
    starts_on: dt.date
    frequency: Frequency
    agreed_annual_pence: int
    indicative_pence: int | None
    difference_reasons: str
    source: str
    period_pence: int
    paid_pence: int
    spent_pence: int
    held_pence: int
    contributions_pence: int
    rolled_over_pence: int
    clawed_back_pence: int
    spent_by_category: dict[str, int]


def _statement(budget: Budget) -> dict[str, Any]:
    st = services.statement(budget)
    return {
        "id": budget.pk, "person_id": budget.person_id, "stream": budget.stream, "status": budget.status,
        "period_start": budget.period_start, "period_end": budget.period_end, "starts_on": budget.starts_on,
        "frequency": budget.frequency, "agreed_annual_pence": budget.agreed_annual_pence,
        "indicative_pence": budget.indicative_pence, "difference_reasons": budget.difference_reasons,
        "source": budget.source, "period_pence": st.period_amount, "paid_pence": st.paid, "spent_pence": st.spent,
        "held_pence": st.held, "contributions_pence": st.contributions, "rolled_over_pence": st.rolled_over,
        "clawed_back_pence": st.clawed_back, "spent_by_category": st.spend_by_category,
    }  # fmt: skip


@router.get("/ledger/budgets/{budget_id}", response=LedgerStatementOut, summary="A budget and its statement")
def get_budget(request: AuthedRequest, budget_id: int) -> Any:
    return _statement(_budget(request, budget_id))


class LedgerAgreeIn(Schema):
    approved_by: str = Field(min_length=1, max_length=300)
    reason: str = Field(min_length=1, max_length=1000)


@router.post("/ledger/budgets/{budget_id}/agree", response=LedgerStatementOut, summary="Agree a draft budget")
def agree(request: AuthedRequest, budget_id: int, payload: LedgerAgreeIn) -> Any:
    budget = _budget(request, budget_id)
    _require(request, "ledger.agree_budget", budget)
    return _statement(services.agree_budget(request.user, budget, payload.approved_by, payload.reason))


class LedgerSpendIn(Schema):
    on: dt.date
    category: str
    description: str = Field(min_length=1, max_length=200)
    amount_pence: int = Field(gt=0, le=10**12)


class LedgerSpendOut(Schema):
    id: int
    on: dt.date
    category: str
    description: str
    amount_pence: int
    flagged: bool
    flag_reason: str


@router.post(
    "/ledger/budgets/{budget_id}/spending", response={201: LedgerSpendOut}, summary="Record spending"
)
def spend(request: AuthedRequest, budget_id: int, payload: LedgerSpendIn) -> Any:
    budget = _budget(request, budget_id)
    _require(request, "ledger.record_spending", budget)
    made = services.record_spend(request.user, budget, on=payload.on, category=payload.category,
                                 description=payload.description, amount_pence=payload.amount_pence)  # fmt: skip
    return Status(201, made)


class LedgerRunIn(Schema):
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-05"])


class LedgerRunOut(Schema):
    id: int
    period: str
    status: RunStatus
    due_count: int
    paid_count: int
    paid_pence: int
    attempts: int
    error: str
    not_agreed: list[str] = Field(
        description="Budgets in the month not paid because they are not agreed, and why"
    )


def _run_out(run: PaymentRun) -> dict[str, Any]:
    return {"id": run.pk, "period": run.period.label, "status": run.status, "due_count": run.due_count,
            "paid_count": run.paid_count, "paid_pence": run.paid_pence, "attempts": run.attempts, "error": run.error,
            "not_agreed": [f"budget {b.pk}: {services.NOT_AGREED_REASON}" for b in services.not_agreed(run)[:100]]}  # fmt: skip


@router.post("/ledger/runs", response={202: LedgerRunOut}, summary="Start (or resume) a month's payment run")
def start_run(request: AuthedRequest, payload: LedgerRunIn) -> Any:
    authority = _authority(request)
    _require(request, "ledger.run_payments", authority)
    run = services.start_run(request.user, authority, payload.period)
    if run.status != RunStatus.RUNNING:
        tasks.pay_run.enqueue(run.pk)
    run.refresh_from_db()
    return Status(202, _run_out(run))


@router.get("/ledger/runs/{run_id}", response=LedgerRunOut, summary="A payment run's progress")
def get_run(request: AuthedRequest, run_id: int) -> Any:
    authority = _authority(request)
    _require(request, "ledger.run_payments", authority)
    return _run_out(
        get_object_or_404(PaymentRun.objects.select_related("period"), pk=run_id, authority=authority)
    )


class LedgerCloseIn(Schema):
    reason: str = Field(min_length=1, max_length=1000)


class LedgerPeriodOut(Schema):
    period: str
    status: str
    policy_version: str


@router.post("/ledger/periods/{label}/close", response=LedgerPeriodOut, summary="Close a month")
def close(request: AuthedRequest, label: str, payload: LedgerCloseIn) -> Any:
    authority = _authority(request)
    _require(request, "ledger.close_period", authority)
    period = services.close_period(request.user, authority, label, payload.reason)
    return {"period": period.label, "status": period.status, "policy_version": period.policy_version}


class LedgerTrialBalanceRow(Schema):
    code: str
    name: str
    kind: str
    debits: int
    credits: int
    balance: int


@router.get(
    "/ledger/trial-balance",
    response=list[LedgerTrialBalanceRow],
    summary="Every account's debits and credits",
)
def trial_balance(request: AuthedRequest) -> Any:
    authority = _authority(request)
    _require(request, "ledger.view_ledger", authority)
    return books.trial_balance(authority)
