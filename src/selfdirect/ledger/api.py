"""The ledger API: budgets and statements, agreeing budgets, spending, payment runs, period
close and the trial balance. Thin handlers over the same services and rules as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.responses import Status

from selfdirect.core.api_schema import Id, Input, Reason, decimal
from selfdirect.core.errors import ServiceError
from selfdirect.core.http import AuthedRequest, current_authority, download, require
from selfdirect.people.models import Person

from . import books, services, statements
from .access import budget_scope, charge_scope, dispute_scope, money_people, run_scope, transaction_scope
from .constants import BudgetStatus, ChargingMode, DisputeStatus, Frequency, Route, RunStatus
from .models import Budget, Dispute, PaymentRun

router = Router(tags=["ledger"])

if TYPE_CHECKING:
    Percent = Decimal
else:
    Percent = decimal(5, 2, ge=0, le=100, text=r"^(100(\.0{1,2})?|(0|[1-9]\d?)(\.\d{1,2})?)$")






def _budget(request: AuthedRequest, budget_id: int) -> Budget:
    return get_object_or_404(
        budget_scope(request.user, current_authority(request)).select_related("person"), pk=budget_id
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
    replaces_id: int | None = Field(description="The budget this one replaced at a reassessment")
    replaced_by_id: int | None = Field(description="The budget that replaced this one at a reassessment")
    change_reason: str = Field(description="Why the reassessment changed the budget (shown to the person)")
    clawback_received_pence: int = Field(default=0, description="Claw-back received back from the holder")
    clawback_outstanding_pence: int = Field(default=0, description="Claw-back still owed to the council")


def _statement(budget: Budget) -> dict[str, Any]:
    st = services.statement(budget)
    replaced_by = statements.replaced_by(budget)
    return {
        "id": budget.pk, "person_id": budget.person_id, "stream": budget.stream, "status": budget.status,
        "period_start": budget.period_start, "period_end": budget.period_end, "starts_on": budget.starts_on,
        "frequency": budget.frequency, "agreed_annual_pence": budget.agreed_annual_pence,
        "indicative_pence": budget.indicative_pence, "difference_reasons": budget.difference_reasons,
        "source": budget.source, "period_pence": st.period_amount, "paid_pence": st.paid, "spent_pence": st.spent,
        "held_pence": st.held, "contributions_pence": st.contributions, "rolled_over_pence": st.rolled_over,
        "clawed_back_pence": st.clawed_back, "spent_by_category": st.spend_by_category,
        "replaces_id": budget.replaces_id, "change_reason": budget.change_reason,
        "replaced_by_id": replaced_by.pk if replaced_by else None,
        "clawback_received_pence": st.clawback.received, "clawback_outstanding_pence": st.clawback.outstanding,
    }  # fmt: skip


@router.get("/ledger/budgets/{budget_id}", response=LedgerStatementOut, summary="A budget and its statement")
def get_budget(request: AuthedRequest, budget_id: int) -> Any:
    return _statement(_budget(request, budget_id))


class LedgerAgreeIn(Input):
    approved_by: str = Field(min_length=1, max_length=300)
    reason: Reason


@router.post("/ledger/budgets/{budget_id}/agree", response=LedgerStatementOut, summary="Agree a draft budget")
def agree(request: AuthedRequest, budget_id: int, payload: LedgerAgreeIn) -> Any:
    budget = _budget(request, budget_id)
    require(request, "ledger.agree_budget", budget)
    return _statement(services.agree_budget(request.user, budget, payload.approved_by, payload.reason))


class LedgerSpendIn(Input):
    on: dt.date
    category: str
    description: str = Field(min_length=1, max_length=200)
    amount_pence: int = Field(gt=0, le=10**12)
    plan_line_id: Id | None = Field(
        default=None,
        description="The approved plan's line it pays for; matched by payee or category if left out",
    )
    confirm_overspend: bool = Field(
        default=False,
        description="Record it even though it takes what the budget holds below nothing by more than the "
        "policy's margin (it is then flagged for finance); without it such spending is refused with 422",
    )  # fmt: skip


class LedgerSpendOut(Schema):
    id: int
    on: dt.date
    category: str
    description: str
    amount_pence: int
    flagged: bool
    flag_reason: str
    plan_line_id: int | None


@router.post(
    "/ledger/budgets/{budget_id}/spending", response={201: LedgerSpendOut}, summary="Record spending"
)
def spend(request: AuthedRequest, budget_id: int, payload: LedgerSpendIn) -> Any:
    budget = _budget(request, budget_id)
    require(request, "ledger.record_spending", budget)
    made = services.record_spend(request.user, budget, on=payload.on, category=payload.category,
                                 description=payload.description, amount_pence=payload.amount_pence,
                                 plan_line=payload.plan_line_id,
                                 confirm_overspend=payload.confirm_overspend)  # fmt: skip
    return Status(201, made)


class LedgerRunIn(Input):
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
    authority = current_authority(request)
    require(request, "ledger.run_payments", authority)
    run = services.start_run(request.user, authority, payload.period, to_worker=True)
    return Status(202, _run_out(run))


@router.get("/ledger/runs/{run_id}", response=LedgerRunOut, summary="A payment run's progress")
def get_run(request: AuthedRequest, run_id: int) -> Any:
    authority = current_authority(request)
    require(request, "ledger.run_payments", authority)
    run = get_object_or_404(run_scope(request.user, authority).select_related("period"), pk=run_id)
    return _run_out(run)


class LedgerCloseIn(Input):
    reason: Reason


class LedgerPeriodOut(Schema):
    period: str
    status: str
    policy_version: str
    changed: bool = Field(
        description="False when the month was already closed: a second close changes nothing"
    )
    message: str = Field(description="What the close did, in words")
    budgets: int = Field(description="Budgets the close decided for")
    kept_pence: int = Field(description="Unspent money budget holders keep (rolled over)")
    clawed_back_pence: int = Field(description="Unspent money clawed back")


@router.post(
    "/ledger/periods/{label}/close", response=LedgerPeriodOut,
    summary="Close a month (oldest open month first; closing a closed month changes nothing)",
)  # fmt: skip
def close(request: AuthedRequest, label: str, payload: LedgerCloseIn) -> Any:
    authority = current_authority(request)
    require(request, "ledger.close_period", authority)
    result = services.close_period(request.user, authority, label, payload.reason)
    period = result.period
    return {"period": period.label, "status": period.status, "policy_version": period.policy_version,
            "changed": result.changed, "message": result.message, "budgets": result.budgets,
            "kept_pence": result.kept_pence, "clawed_back_pence": result.clawed_back_pence}  # fmt: skip


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
    authority = current_authority(request)
    require(request, "ledger.view_ledger", authority)
    return books.trial_balance(authority)


class LedgerReassessIn(Input):
    on: dt.date = Field(description="The day the new budget starts; the current one ends the day before")
    agreed_annual_pence: int = Field(ge=0, le=10**12)
    reason: Reason = Field(description="Why it changes (shown to the person)")
    approved_by: str = Field(min_length=1, max_length=300, description="The reassessment or approved plan")
    indicative_pence: int | None = Field(default=None, ge=0, le=10**12)
    difference_reasons: str = Field(default="", max_length=2000)
    frequency: Frequency | None = None


@router.post(
    "/ledger/budgets/{budget_id}/reassess",
    response={201: LedgerStatementOut},
    summary="Replace an agreed budget at a reassessment",
)
def reassess(request: AuthedRequest, budget_id: int, payload: LedgerReassessIn) -> Any:
    budget = _budget(request, budget_id)
    require(request, "ledger.reassess_budget", budget)
    new = services.reassess_budget(
        request.user, budget, on=payload.on, agreed_annual_pence=payload.agreed_annual_pence,
        reason=payload.reason, approved_by_ref=payload.approved_by, indicative_pence=payload.indicative_pence,
        difference_reasons=payload.difference_reasons, frequency=payload.frequency,
    )  # fmt: skip
    return Status(201, _statement(new))


# --- charging: contributions, arrears and disputes ------------------------------------------------


def _person(request: AuthedRequest, person_id: int) -> Person:
    """A person whose money the user may see (what ledger.view_charging allows); else a 404."""
    return get_object_or_404(money_people(request.user, current_authority(request)), pk=person_id)


class LedgerChargeOut(Schema):
    id: int
    weekly_pence: int
    mode: ChargingMode
    starts_on: dt.date
    free_until: dt.date | None
    reason: str


class LedgerDisputeOut(Schema):
    id: int
    person_id: int
    charge_id: int | None
    budget_id: int | None
    subject: str
    raised_by: str
    amount_pence: int
    status: DisputeStatus
    outcome: str
    opened_on: dt.date
    closed_on: dt.date | None


class LedgerChargingOut(Schema):
    person_id: int
    current: LedgerChargeOut | None
    assessments: list[LedgerChargeOut]
    charged_pence: int = Field(description="Contributions charged (net: kept back; gross: invoiced)")
    invoiced_pence: int
    received_pence: int
    arrears_pence: int = Field(description="Invoiced and not yet received")
    clawback_pence: int = Field(description="Unspent money to be returned after period close")
    clawback_owed_pence: int = Field(default=0, description="Clawed back at period close (less any reversed)")
    clawback_received_pence: int = Field(default=0, description="Claw-back received back")
    clawback_outstanding_pence: int = Field(default=0, description="Claw-back still to be returned")
    disputes: list[LedgerDisputeOut]


def _charging(person: Person) -> dict[str, Any]:
    s = services.charging_summary(person)
    clawback = s.clawback_position
    return {
        "person_id": person.pk, "current": s.current, "assessments": s.assessments, "charged_pence": s.charged,
        "invoiced_pence": s.invoiced, "received_pence": s.received, "arrears_pence": s.arrears,
        "clawback_pence": clawback.outstanding, "disputes": s.disputes, "clawback_owed_pence": clawback.owed,
        "clawback_received_pence": clawback.received, "clawback_outstanding_pence": clawback.outstanding,
    }  # fmt: skip


@router.get(
    "/ledger/people/{person_id}/charging",
    response=LedgerChargingOut,
    summary="A person's assessed contribution, arrears and disputes",
)
def get_charging(request: AuthedRequest, person_id: int) -> Any:
    return _charging(_person(request, person_id))


class LedgerChargeIn(Input):
    weekly_pence: int = Field(ge=0, le=10**10)
    starts_on: dt.date
    reason: Reason
    mode: ChargingMode | None = Field(default=None, description="Net or gross; the policy's if left out")


@router.post(
    "/ledger/people/{person_id}/charges",
    response={201: LedgerChargeOut},
    summary="Record a financially assessed weekly contribution",
)
def assess_charge(request: AuthedRequest, person_id: int, payload: LedgerChargeIn) -> Any:
    person = _person(request, person_id)
    require(request, "ledger.assess_charge", person.authority)
    charge = services.assess_charge(request.user, person, weekly_pence=payload.weekly_pence,
                                    starts_on=payload.starts_on, reason=payload.reason, mode=payload.mode)  # fmt: skip
    return Status(201, charge)


class LedgerReceiptIn(Input):
    amount_pence: int = Field(gt=0, le=10**12)
    on: dt.date
    reason: str = Field(default="contribution received", max_length=1000)


@router.post(
    "/ledger/people/{person_id}/receipts",
    response={201: LedgerChargingOut},
    summary="Record a contribution received",
)
def receive(request: AuthedRequest, person_id: int, payload: LedgerReceiptIn) -> Any:
    person = _person(request, person_id)
    require(request, "ledger.assess_charge", person.authority)
    services.receive_contribution(
        request.user, person, payload.amount_pence, payload.on, reason=payload.reason
    )
    return Status(201, _charging(person))


class LedgerDisputeIn(Input):
    subject: str = Field(min_length=1, max_length=300)
    amount_pence: int = Field(default=0, ge=0, le=10**12)
    charge_id: Id | None = Field(default=None, description="The contribution it is about, if any")
    budget_id: Id | None = Field(default=None, description="The budget it is about, if any")


@router.post(
    "/ledger/people/{person_id}/disputes",
    response={201: LedgerDisputeOut},
    summary="Raise a dispute about money",
)
def raise_dispute(request: AuthedRequest, person_id: int, payload: LedgerDisputeIn) -> Any:
    person = _person(request, person_id)
    require(request, "ledger.raise_dispute", person)
    authority = current_authority(request)
    charges = charge_scope(request.user, authority).filter(person=person)
    charge = get_object_or_404(charges, pk=payload.charge_id) if payload.charge_id else None
    budgets = budget_scope(request.user, authority).filter(person=person)
    budget = get_object_or_404(budgets, pk=payload.budget_id) if payload.budget_id else None
    dispute = services.open_dispute(
        request.user, person, subject=payload.subject, amount_pence=payload.amount_pence,
        raised_by=request.user.full_name or request.user.username, charge=charge, budget=budget,
    )  # fmt: skip
    return Status(201, dispute)


def _dispute(request: AuthedRequest, dispute_id: int) -> Dispute:
    return get_object_or_404(dispute_scope(request.user, current_authority(request)), pk=dispute_id)


@router.get("/ledger/disputes/{dispute_id}", response=LedgerDisputeOut, summary="A dispute and its outcome")
def get_dispute(request: AuthedRequest, dispute_id: int) -> Any:
    return _dispute(request, dispute_id)


class LedgerDecideIn(Input):
    status: DisputeStatus
    outcome: str = Field(min_length=1, max_length=2000)


@router.post(
    "/ledger/disputes/{dispute_id}/decide", response=LedgerDisputeOut, summary="Record a dispute's outcome"
)
def decide_dispute(request: AuthedRequest, dispute_id: int, payload: LedgerDecideIn) -> Any:
    dispute = _dispute(request, dispute_id)
    require(request, "ledger.decide_dispute", dispute.person.authority)
    return services.decide_dispute(request.user, dispute, payload.status, payload.outcome)


# --- drafting budgets, provider invoices, reversals, payment files and reconciliation -------------


class LedgerDeploymentIn(Input):
    route: Route
    share: int = Field(default=100, gt=0, le=10000)
    payee_name: str = Field(default="", max_length=200)
    payee_account: str = Field(default="", max_length=60)
    fee_percent: Percent = Field(
        default=Decimal(0),
        description="Managing agent's fee, a percentage to two decimal places",
    )  # fmt: skip


class LedgerPhaseIn(Input):
    weeks: int = Field(ge=1, le=260)
    weekly_pence: int = Field(ge=0, le=10**10)


class LedgerBudgetIn(Input):
    person_id: Id
    stream: str = Field(min_length=1, max_length=60)
    period_start: dt.date
    period_end: dt.date
    starts_on: dt.date = Field(description="Move-in or start date; instalments run from here")
    agreed_annual_pence: int = Field(ge=0, le=10**12)
    indicative_pence: int | None = Field(default=None, ge=0, le=10**12)
    difference_reasons: str = Field(default="", max_length=2000)
    frequency: Frequency
    deployments: list[LedgerDeploymentIn] = Field(min_length=1, description="Mix and match: several routes")
    plan_cost_pence: int | None = Field(default=None, ge=0, le=10**12)
    source: str = Field(default="", max_length=300)
    reason: Reason
    phases: list[LedgerPhaseIn] | None = Field(
        default=None, max_length=60,
        description="When the money is not level (a diminishing schedule): weekly amounts from the start date. "
        "They must add up to the agreed figure; instalments follow them",
    )  # fmt: skip
    midpoint_low_pence: int | None = Field(
        default=None, ge=0, le=10**12, description="A mid-point budget: the yearly figure for settled needs"
    )
    midpoint_high_pence: int | None = Field(
        default=None, ge=0, le=10**12, description="A mid-point budget: the yearly figure for higher needs"
    )


@router.post(
    "/ledger/budgets", response={201: LedgerStatementOut}, summary="Draft a budget (agree it to pay it)"
)
def create_budget(request: AuthedRequest, payload: LedgerBudgetIn) -> Any:
    authority = current_authority(request)
    person = _person(request, payload.person_id)
    require(request, "ledger.draft_budget", authority)
    budget = services.create_budget(
        request.user, person, stream=payload.stream, period_start=payload.period_start,
        period_end=payload.period_end, agreed_annual_pence=payload.agreed_annual_pence, starts_on=payload.starts_on,
        frequency=payload.frequency, deployments=[d.dict() for d in payload.deployments],
        indicative_pence=payload.indicative_pence, difference_reasons=payload.difference_reasons,
        source=payload.source, plan_cost_pence=payload.plan_cost_pence, reason=payload.reason,
        phases=[p.dict() for p in payload.phases] if payload.phases else None,
        midpoint=_midpoint(payload.midpoint_low_pence, payload.midpoint_high_pence),
    )  # fmt: skip
    return Status(201, _statement(budget))


def _midpoint(low: int | None, high: int | None) -> tuple[int, int] | None:
    if low is None and high is None:
        return None
    if low is None or high is None:
        raise ServiceError({"midpoint": ["A mid-point budget needs both yearly figures, settled and higher"]})
    return low, high


class LedgerInvoiceIn(Input):
    on: dt.date
    route: Route = Field(description="The managed or ISF route the provider is paid from")
    category: str
    payee: str = Field(min_length=1, max_length=200, description="The provider")
    description: str = Field(min_length=1, max_length=200)
    amount_pence: int = Field(gt=0, le=10**12)
    confirm_overspend: bool = Field(
        default=False,
        description="Record it even though it takes what the budget holds below nothing by more than the "
        "policy's margin (it is then flagged for finance); without it such spending is refused with 422",
    )  # fmt: skip


@router.post(
    "/ledger/budgets/{budget_id}/invoices",
    response={201: LedgerSpendOut},
    summary="Record a provider's invoice",
)
def invoice(request: AuthedRequest, budget_id: int, payload: LedgerInvoiceIn) -> Any:
    budget = _budget(request, budget_id)
    require(request, "ledger.agree_budget", budget)  # finance: invoices come to the council
    made = services.record_spends(
        request.user, budget, [{"on": payload.on, "category": payload.category, "route": payload.route,
                                "description": payload.description, "amount_pence": payload.amount_pence,
                                "payee": payload.payee}], source="invoice", confirm_overspend=payload.confirm_overspend,
    )  # fmt: skip
    return Status(201, made[0])


class LedgerReverseIn(Input):
    reason: Reason
    on: dt.date | None = Field(default=None, description="Date of the reversal; today if left out")


class LedgerTransactionOut(Schema):
    id: int
    on: dt.date
    kind: str
    memo: str
    reverses_id: int | None


@router.post(
    "/ledger/transactions/{transaction_id}/reverse",
    response={201: LedgerTransactionOut},
    summary="Correct a posting by reversing it",
)
def reverse(request: AuthedRequest, transaction_id: int, payload: LedgerReverseIn) -> Any:
    authority = current_authority(request)
    require(request, "ledger.view_ledger", authority)
    txn = get_object_or_404(transaction_scope(request.user, authority), pk=transaction_id)
    return Status(201, services.reverse_transaction(request.user, txn, payload.reason, payload.on))


@router.get(
    "/ledger/runs/{run_id}/payments.csv",
    summary="A payment run's bank-transfer file",
    response={200: str},
    openapi_extra={"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
)
def run_file(request: AuthedRequest, run_id: int) -> Any:
    authority = current_authority(request)
    require(request, "ledger.run_payments", authority)
    run = get_object_or_404(run_scope(request.user, authority).select_related("period"), pk=run_id)
    response = HttpResponse(services.payment_file(run), content_type="text/csv")
    return download(response, f"payments-{authority.slug}-{run.period.label}.csv")


class LedgerReconciliationRow(Schema):
    run_id: int
    period: str
    file_pence: int = Field(description="Total of the payment file")
    ledger_pence: int = Field(description="Bank credits in the ledger for the run's payments")
    difference_pence: int


@router.get(
    "/ledger/reconciliation",
    response=list[LedgerReconciliationRow],
    summary="Each payment run's file against the ledger",
)
def reconciliation(request: AuthedRequest) -> Any:
    authority = current_authority(request)
    require(request, "ledger.view_ledger", authority)
    return [
        {"run_id": r["run"].pk, "period": r["run"].period.label, "file_pence": r["file"],
         "ledger_pence": r["ledger"], "difference_pence": r["difference"]}
        for r in services.reconciliation(authority)
    ]  # fmt: skip


# --- bank statements uploaded; claw-back received back ---------------------------------------------


@router.post(
    "/ledger/budgets/{budget_id}/spending/upload",
    response={201: list[LedgerSpendOut]},
    summary="Upload a bank-statement CSV of spending (all lines or none)",
    description=(
        "multipart/form-data with `file`: a CSV (UTF-8) with the columns `date, description, amount, "
        "category` (amount in pounds, category from the authority's spending categories), at most 1 MB. "
        "The same parsing and posting as the statement page's upload. Any bad line: 422 listing every "
        "problem by its line number (`line 3: ...`), and nothing is recorded."
    ),
)
def upload_statement(
    request: AuthedRequest, budget_id: int, file: File[UploadedFile], confirm_overspend: Form[bool] = False
) -> Any:
    budget = _budget(request, budget_id)
    require(request, "ledger.record_spending", budget)
    raw = file.read(services.MAX_STATEMENT_BYTES + 1)
    return Status(
        201, services.upload_statement_file(request.user, budget, raw, confirm_overspend=confirm_overspend)
    )


class LedgerRepaymentOut(Schema):
    id: int = Field(description="The ledger transaction (Dr bank / Cr claw-back receivable)")
    on: dt.date
    amount_pence: int
    reversed_by_id: int | None


class LedgerClawbackOut(Schema):
    budget_id: int
    owed_pence: int = Field(description="Clawed back at period close, less any claw-back reversed")
    received_pence: int = Field(description="Received back, less any receipt reversed")
    outstanding_pence: int = Field(description="Still owed to the council")
    repayments: list[LedgerRepaymentOut]


def _clawback(budget: Budget) -> dict[str, Any]:
    position = services.clawback_position(budget)
    return {
        "budget_id": budget.pk, "owed_pence": position.owed, "received_pence": position.received,
        "outstanding_pence": position.outstanding,
        "repayments": [{"id": t["id"], "on": t["on"], "amount_pence": t["amount"], "reversed_by_id": t["reversed_by_id"]}
                       for t in services.clawback_repayments(budget)],
    }  # fmt: skip


@router.get(
    "/ledger/budgets/{budget_id}/clawback",
    response=LedgerClawbackOut,
    summary="A budget's claw-back: owed, received back, still owed",
)
def get_clawback(request: AuthedRequest, budget_id: int) -> Any:
    return _clawback(_budget(request, budget_id))


class LedgerClawbackReceiptIn(Input):
    amount_pence: int = Field(gt=0, le=10**12)
    on: dt.date = Field(description="The day the money was received; not in the future or a closed month")
    reason: Reason = Field(description="What was received, and from whom")


@router.post(
    "/ledger/budgets/{budget_id}/clawback/receipts",
    response={201: LedgerClawbackOut},
    summary="Record claw-back money received back",
)
def receive_clawback(request: AuthedRequest, budget_id: int, payload: LedgerClawbackReceiptIn) -> Any:
    budget = _budget(request, budget_id)
    require(request, "ledger.receive_clawback", budget)
    services.receive_clawback(request.user, budget, payload.amount_pence, payload.on, reason=payload.reason)
    return Status(201, _clawback(budget))
