"""What can be done with budgets and money. Views, the API, the CLI and other apps (support
plans call :func:`agree_budget`) call these; each runs in a database transaction with its audit
event, and posts to the ledger only through :mod:`selfdirect.ledger.books`."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Sum
from django.utils import timezone

from selfdirect.core import audit, spreadsheet
from selfdirect.core.constants import AuditAction
from selfdirect.core.dates import add_months
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User
from selfdirect.core.money import format_pence, parse_pounds, round_pence, split_pence
from selfdirect.people.models import Person

from .. import books, bulk, policy
from ..books import Chart, LedgerError, credit, debit
from ..constants import (
    BudgetStatus,
    ChargingMode,
    DisputeStatus,
    Frequency,
    PeriodStatus,
    Route,
    RunStatus,
    TxnKind,
)
from ..models import (
    Account,
    Budget,
    ChargeAssessment,
    CloseLine,
    Deployment,
    Dispute,
    Instalment,
    Leg,
    Payment,
    PaymentLine,
    PaymentRun,
    Period,
    Spend,
    Transaction,
)
from ..schedule import phases_from, phases_total, schedule

BUDGET_AUDIT_FIELDS = [
    "stream", "period_start", "period_end", "agreed_annual_pence", "indicative_pence", "difference_reasons",
    "frequency", "starts_on", "status", "source",
]  # fmt: skip
RUN_LEASE = dt.timedelta(minutes=2)
# How far from today a budget's period may start: older budgets are a council's history brought over
# (its opening balances), later ones agreed ahead; anything further is a typing error (1900, 2099).
BUDGET_YEARS_BACK = 10
BUDGET_YEARS_AHEAD = 2
# A period close writes its claw-backs this many budgets at a time, building the next batch meanwhile.
CLOSE_BATCH = 5000
CLOSE_LINE_COLUMNS = [
    "period_id",
    "budget_id",
    "unspent_pence",
    "kept_pence",
    "clawed_back_pence",
    "rule",
    "transaction_id",
]


class RunBusy(Exception):
    """Another worker is paying this run right now."""


# --- budgets -----------------------------------------------------------------------------------


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
        errors["midpoint"] = [f"The money rules ({pol.version}) do not allow mid-point budgets"]
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
        f"{format_pence(low)} (settled needs) to {format_pence(high)} (higher needs), policy {pol.version}"
    )


def check_plan_cost(budget: Budget, plan_cost_pence: int) -> tuple[bool, str]:
    """Whether a plan's cost is within the authority's tolerance of the budget, and why."""
    pol = policy.load(budget.person.authority.slug)
    ok = policy.within_tolerance(pol, budget.agreed_annual_pence, plan_cost_pence)
    words = "within" if ok else "outside"
    return ok, f"The plan is {words} the {pol.plan_tolerance_percent}% tolerance of policy {pol.version}"


# --- payment runs ------------------------------------------------------------------------------


def parse_period(label: str) -> dt.date:
    try:
        return dt.datetime.strptime(label, "%Y-%m").date()
    except ValueError:
        raise ServiceError({"period": [f"{label!r} is not a month like 2026-05"]}) from None


def start_run(actor: User, authority: Authority, label: str) -> PaymentRun:
    """The payment run for a month, created once (a second start finds the same run)."""
    start = parse_period(label)
    with transaction.atomic():
        refused = books.refusal_for_month(authority.pk, start)
        if refused:
            raise ServiceError({"period": [f"{refused}: no payment run can be made in it"]})
        period = books.period_for(authority, start)
        run, created = PaymentRun.objects.get_or_create(
            authority=authority, period=period, defaults={"started_by": actor}
        )
        if created:
            audit.record(
                actor=actor, authority=authority, action=AuditAction.CREATE, obj=run,
                reason=f"payment run for {period.label} started",
            )  # fmt: skip
    return run


def due_instalments(run: PaymentRun) -> models.QuerySet[Instalment]:
    """What the run pays: the instalments due in its month, and any due earlier that nothing has paid
    (a budget agreed, back-dated, after its first month's run; a month whose run was never made).
    Those are paid with this month's, dated in it: paid late rather than not at all. Arrears this
    run has paid stay counted, so a run resumed after a crash counts the same."""
    period = run.period
    arrears = models.Q(due_on__lt=period.start) & (
        models.Q(payment__isnull=True) | models.Q(payment__run=run)
    )
    return Instalment.objects.filter(
        models.Q(due_on__gte=period.start) | arrears,
        budget__authority_id=run.authority_id, due_on__lte=period.end, cancelled=False,
    )  # fmt: skip


def not_agreed(run: PaymentRun) -> models.QuerySet[Budget]:
    """Budgets covering the run's month that are not paid because they are not agreed yet."""
    return Budget.objects.filter(
        authority_id=run.authority_id, status=BudgetStatus.DRAFT,
        starts_on__lte=run.period.end, period_end__gte=run.period.start,
    )  # fmt: skip


NOT_AGREED_REASON = "not paid: the budget is not agreed (no approved support plan yet)"


class RunRefused(ServiceError):
    """The run's month was closed after the run was started: nothing can be paid in it now."""


def _claim(run_id: int) -> PaymentRun:
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().select_related("period", "authority").get(pk=run_id)
        now = timezone.now()
        if run.status == RunStatus.RUNNING and run.finished_at and run.finished_at > now:
            raise RunBusy(f"payment run {run.period} is being paid by another worker")
        # The page, the API and the CLI refuse to start a run in a closed month; a run queued before its
        # month was closed is refused here, by whatever executes it (the worker's task included).
        refused = books.refusal_for_month(run.authority_id, run.period.start)
        if refused:
            run.status = RunStatus.FAILED
            run.error = f"{refused}: this run can no longer pay anything"
            run.finished_at = None
        else:
            run.status = RunStatus.RUNNING
            run.finished_at = now + RUN_LEASE  # while running, finished_at holds the lease's expiry
            run.attempts += 1
            run.error = ""
            run.due_count = due_instalments(run).count()
        run.save()
    if refused:
        raise RunRefused({"period": [run.error]})
    return run


def _charge_for(assessments: list[ChargeAssessment], inst: _Due) -> tuple[int, str]:
    """The contribution for one instalment's days, and its mode. A one-off grant pays for something
    once (an adaptation, equipment): no weekly contribution is taken from it."""
    if inst.one_off:
        return 0, ""
    for a in assessments:
        if a.charges_on(inst.covers_from):
            days = (inst.covers_to - inst.covers_from).days + 1
            return min(round_pence(Decimal(a.weekly_pence) * days / 7), inst.amount_pence), a.mode
    return 0, ""


@bulk.bulk_job()
def execute_run(
    run_id: int,
    *,
    batch_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
    crash_after: int | None = None,
) -> PaymentRun:
    """Pay every unpaid instalment due in the run's month, in batches committed one at a time.

    Safe to start again after a crash: each batch picks instalments with no payment yet, and the
    one-to-one Payment.instalment means the database refuses to pay one twice. A second worker
    starting while the first holds the lease is refused (RunBusy). ``crash_after`` is for tests.
    On PostgreSQL each batch is written while the next is read and built (bulk.BatchWriter).
    """
    run = _claim(run_id)
    authority = run.authority
    chart = Chart(authority)
    # The unpaid instalments' ids, once; each batch takes a range of them and re-reads them, so
    # the plan stays an index range scan however large the month is.
    payable = due_instalments(run).filter(
        payment__isnull=True, budget__status__in=[BudgetStatus.AGREED, BudgetStatus.ACTIVE]
    )
    todo = list(payable.order_by("id").values_list("id", flat=True))
    built = 0

    def written(batch: _Built) -> None:
        if progress:
            progress(batch.done, run.due_count)

    try:
        with bulk.BatchWriter(functools.partial(_write_batch, run), written) as writer:
            for offset in range(0, len(todo), batch_size):
                ids = todo[offset : offset + batch_size]
                batch = _build_batch(
                    run, chart, payable.filter(id__gte=ids[0], id__lte=ids[-1]), built, crash_after
                )
                if batch is not None:
                    built = batch.done
                    writer.put(batch)
    except Exception as exc:
        PaymentRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=str(exc)[:2000], finished_at=None
        )
        raise
    paid = Payment.objects.filter(run=run)
    totals = paid.aggregate(n=models.Count("id"), p=Sum("amount_pence"))
    PaymentRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, finished_at=timezone.now(), paid_count=totals["n"], paid_pence=totals["p"] or 0
    )
    run.refresh_from_db()
    return run


class _Built(NamedTuple):
    """One batch of a run, checked and ready to write (its ids reserved)."""

    transactions: bulk.Rows
    legs: bulk.Rows
    payments: bulk.Rows
    lines: bulk.Rows
    paid_pence: int
    activate: list[int]  # agreed budgets this batch pays for the first time
    replaced: set[int]  # budgets replaced at a reassessment, which may now be paid out
    done: int  # instalments built so far in this run, this batch included


def _build_batch(
    run: PaymentRun, chart: Chart, in_batch: models.QuerySet[Instalment], done: int, crash_after: int | None
) -> _Built | None:
    """Read one batch's instalments, routes and charges, build and check every posting, and make
    every row ready to write."""
    period = run.period
    batch, deployments = _batch_instalments(in_batch)
    if not batch:
        return None
    chart.ensure_budgets({b: [d.route for d in deployments[b]] for b in {i.budget_id for i in batch}})
    charges: dict[int, list[ChargeAssessment]] = defaultdict(list)
    for c in ChargeAssessment.objects.filter(person_id__any_of=list({i.person_id for i in batch})):
        charges[c.person_id].append(c)
    postings: list[bulk.Posting] = []
    payments: list[tuple[int, int, int]] = []
    lines: list[list[tuple[str, str, str, int, str]]] = []
    for inst in batch:
        if crash_after is not None and done >= crash_after:
            raise RuntimeError(f"simulated crash after {done} instalments")
        legs, file_lines, contribution = _instalment_legs(
            chart, inst, deployments[inst.budget_id], charges[inst.person_id]
        )
        postings.append(
            bulk.Posting(
                min(max(inst.due_on, period.start), period.end), TxnKind.PAYMENT,
                f"Instalment {inst.seq} of budget {inst.budget_id}", legs, inst.budget_id,
            )
        )  # fmt: skip
        payments.append((inst.id, inst.amount_pence, contribution))
        lines.append(file_lines)
        done += 1
    txns, leg_rows = bulk.prepare_postings(run.authority, period, postings, actor_id=run.started_by_id)
    payment_rows = bulk.prepare_rows(
        Payment,
        ["instalment_id", "run_id", "transaction_id", "amount_pence", "contribution_pence"],
        [(inst_id, run.pk, txn_id, amount, contribution)
         for (inst_id, amount, contribution), txn_id in zip(payments, txns.ids, strict=True)],
    )  # fmt: skip
    line_rows = bulk.prepare_rows(
        PaymentLine,
        ["payment_id", "route", "payee_name", "payee_account", "amount_pence", "reference"],
        [(payment_id, *line)
         for payment_id, payment_lines in zip(payment_rows.ids, lines, strict=True) for line in payment_lines],
        ids=False,
    )  # fmt: skip
    return _Built(
        txns, leg_rows, payment_rows, line_rows, sum(amount for _, amount, _ in payments),
        [i.budget_id for i in batch if i.agreed], {i.budget_id for i in batch if i.replaced}, done,
    )  # fmt: skip


def _write_batch(run: PaymentRun, batch: _Built) -> None:
    """Write one batch in one transaction: one insert per table (COPY on PostgreSQL). The
    one-to-one Payment.instalment refuses a second payment of any instalment, so a batch that
    overlaps one already written by another attempt fails whole and pays nothing twice."""
    with transaction.atomic():
        bulk.write_postings((batch.transactions, batch.legs))
        bulk.write_rows(batch.payments)
        bulk.write_rows(batch.lines)
        _activate(batch.activate)
        _end_replaced(run, batch.replaced)
        PaymentRun.objects.filter(pk=run.pk).update(
            paid_count=models.F("paid_count") + len(batch.payments.ids),
            paid_pence=models.F("paid_pence") + batch.paid_pence,
            finished_at=timezone.now() + RUN_LEASE,
        )


class _Due(NamedTuple):
    """What paying one instalment needs of it and its budget (plain tuples: a run reads 100,000)."""

    id: int
    budget_id: int
    seq: int
    due_on: dt.date
    covers_from: dt.date
    covers_to: dt.date
    amount_pence: int
    stream: str
    person_id: int
    agreed: bool  # agreed and not yet paid: this payment makes it active
    replaced: bool  # another budget replaces this one (a reassessment)
    one_off: bool  # a one-off grant: no weekly contribution is taken from it


class _Route(NamedTuple):
    """One of a budget's deployments, as a run pays it."""

    route: str
    share: int
    payee_name: str
    payee_account: str
    fee_percent: Decimal


def _batch_instalments(
    instalments: models.QuerySet[Instalment],
) -> tuple[list[_Due], dict[int, list[_Route]]]:
    """The batch's instalments with what a payment needs of their budgets, and each budget's
    routes in order, read in one query: a row per instalment and route, so a budget with several
    instalments in the batch (weekly ones have four or five a month) repeats its routes, and each
    route is kept once, by its id."""
    rows: Iterable[Any] = instalments.order_by("id", "budget__deployments__id").values_list(
        "id", "budget_id", "seq", "due_on", "covers_from", "covers_to", "amount_pence",
        "budget__stream", "budget__person_id", "budget__status", "budget__replaced_by__id", "budget__frequency",
        "budget__deployments__id", "budget__deployments__route", "budget__deployments__share",
        "budget__deployments__payee_name", "budget__deployments__payee_account", "budget__deployments__fee_percent",
    )  # fmt: skip
    due: list[_Due] = []
    routes: dict[int, dict[int, _Route]] = defaultdict(dict)
    for row in rows:
        if not due or due[-1].id != row[0]:
            due.append(
                _Due._make(
                    (*row[:9], row[9] == BudgetStatus.AGREED, row[10] is not None, row[11] == Frequency.ONCE)
                )
            )
        if row[12] is not None:  # a budget with no route is refused when its legs are built
            routes[row[1]].setdefault(row[12], _Route._make(row[13:]))
    return due, defaultdict(list, {budget_id: list(found.values()) for budget_id, found in routes.items()})


def _activate(budget_ids: list[int]) -> None:
    """The first payment makes an agreed budget active."""
    if budget_ids:
        Budget.objects.filter(pk__any_of=budget_ids, status=BudgetStatus.AGREED).update(
            status=BudgetStatus.ACTIVE
        )


def _end_replaced(run: PaymentRun, replaced: set[int]) -> None:
    """A budget replaced at a reassessment (another budget ``replaces`` it) ends once the run has
    paid its last instalment: nothing of it is left to pay."""
    if not replaced:
        return
    unpaid = Instalment.objects.filter(budget=models.OuterRef("pk"), cancelled=False, payment__isnull=True)
    ending = list(
        Budget.objects.filter(pk__in=replaced, status__in=[BudgetStatus.AGREED, BudgetStatus.ACTIVE])
        .exclude(models.Exists(unpaid))
        .select_related("authority")
    )
    for budget in ending:
        before = budget.status
        budget.status = BudgetStatus.ENDED
        budget.save(update_fields=["status"])
        audit.record(
            actor=run.started_by, authority=budget.authority, action=AuditAction.CHANGE, obj=budget,
            reason=f"Replaced at a reassessment; its last instalment was paid in the {run.period.label} run",
            changes={"status": [before, BudgetStatus.ENDED]}, person_id=budget.person_id,
        )  # fmt: skip


def _split(total: int, weights: list[int]) -> list[int]:
    """split_pence, without the arithmetic when there is one part (most budgets, one route)."""
    return [total] if len(weights) == 1 else split_pence(total, weights)


def _instalment_legs(
    chart: Chart, inst: _Due, routes: list[_Route], assessments: list[ChargeAssessment]
) -> tuple[list[books.LegSpec], list[tuple[str, str, str, int, str]], int]:
    """The legs of one instalment's payment and its payment-file lines (route, payee name, payee
    account, amount, reference).

    Dr funding stream / Cr budget releases the commitment; Dr each holder / Cr bank pays the cash,
    split by the routes' shares. A net contribution is kept back from the cash (Cr contributions);
    a gross one is invoiced (Dr contributions receivable / Cr contributions). A managing agent's
    fee is spent from that route's holder account as it is paid.
    """
    budget_id, amount = inst.budget_id, inst.amount_pence
    if not routes:
        raise LedgerError(f"budget {budget_id} has no route to pay")
    legs = [debit(chart.fund(inst.stream), amount), credit(chart.budget(budget_id), amount)]
    contribution, mode = _charge_for(assessments, inst) if assessments else (0, "")
    shares = _split(amount, [d.share for d in routes])
    kept_back = (
        _split(contribution, [d.share for d in routes]) if mode == ChargingMode.NET else [0] * len(routes)
    )
    lines = []
    for d, share, back in zip(routes, shares, kept_back, strict=True):
        if share:
            legs.append(debit(chart.holder(budget_id, d.route), share))
        if share - back:
            legs.append(credit(chart.get("bank"), share - back))
            lines.append(
                (d.route, d.payee_name, d.payee_account, share - back, f"SD{budget_id}-{inst.seq}-{d.route[:3].upper()}")
            )  # fmt: skip
        fee = round_pence(Decimal(share) * d.fee_percent / 100) if d.fee_percent else 0
        if fee:
            legs += [debit(chart.spent("management_fee"), fee), credit(chart.holder(budget_id, d.route), fee)]
    if contribution:
        if mode == ChargingMode.NET:
            legs.append(credit(chart.get("contrib_income"), contribution))
        else:
            legs += [
                debit(chart.get("contrib_due"), contribution),
                credit(chart.get("contrib_income"), contribution),
            ]
    return [leg for leg in legs if leg.amount], lines, contribution


def payment_file(run: PaymentRun) -> str:
    """The bank-transfer file: one line per payee per instalment."""
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow(["payee", "account", "amount", "reference", "route"])
    for line in PaymentLine.objects.filter(payment__run=run).order_by("id"):
        writer.writerow(
            [line.payee_name, line.payee_account, format_pence(line.amount_pence, symbol=False, grouping=False), line.reference, line.route]
        )
    return out.getvalue()


def remittances(run: PaymentRun) -> list[dict[str, Any]]:
    """What each payee was paid in the run, line by line (sent to providers with the money)."""
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for line in (
        PaymentLine.objects.filter(payment__run=run).select_related("payment__instalment").order_by("id")
    ):
        key = (line.payee_name, line.payee_account)
        entry = grouped.setdefault(
            key, {"payee": line.payee_name, "account": line.payee_account, "lines": [], "total": 0}
        )
        entry["lines"].append(line)
        entry["total"] += line.amount_pence
    return list(grouped.values())


# --- period close ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CloseResult:
    """What closing a month did: ``changed`` is False when the month was already closed (a second
    close changes nothing). The totals are the month's close lines, however it was closed."""

    period: Period
    changed: bool
    budgets: int
    kept_pence: int
    clawed_back_pence: int

    @property
    def message(self) -> str:
        month = books.month_name(self.period.start)
        if not self.changed:
            when = (
                f" on {timezone.localtime(self.period.closed_at):%-d %B %Y}" if self.period.closed_at else ""
            )
            return f"{month} was already closed{when}: nothing has changed"
        return (
            f"{month} is closed: {self.budgets} budget(s), {format_pence(self.kept_pence)} kept by budget "
            f"holders, {format_pence(self.clawed_back_pence)} clawed back"
        )


def _close_result(period: Period, changed: bool) -> CloseResult:
    sums = CloseLine.objects.filter(period=period).aggregate(
        n=models.Count("id"), kept=Sum("kept_pence", default=0), clawed=Sum("clawed_back_pence", default=0)
    )
    return CloseResult(period, changed, sums["n"], int(sums["kept"]), int(sums["clawed"]))


def close_refusal(authority: Authority, period: Period) -> str | None:
    """Why the month cannot be closed now, in words (None when it can): an earlier month is still
    open (months close in order, oldest first), or its payment run has not finished."""
    earlier = (
        Period.objects.filter(authority=authority, start__lt=period.start, status=PeriodStatus.OPEN)
        .order_by("start")
        .first()
    )
    if earlier is not None:
        return (
            f"Close {books.month_name(earlier.start)} first: months are closed in order, oldest first, "
            f"and {books.month_name(earlier.start)} is still open"
        )
    run = PaymentRun.objects.filter(period=period, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).first()
    if run is not None:
        return (
            f"The payment run for {books.month_name(period.start)} has not finished "
            f"({run.get_status_display().lower()}): let it finish before closing the month"
        )
    return None


@bulk.bulk_job()
def close_period(
    actor: User,
    authority: Authority,
    label: str,
    reason: str = "month end",
    *,
    closed_at: dt.datetime | None = None,
) -> CloseResult:
    """Apply the authority's rollover and claw-back rules to every budget's unspent money, post the
    claw-backs (Dr claw-back receivable / Cr holder), and close the month for good.

    Months close in order, oldest first; closing a month that is already closed changes nothing
    (``changed`` is False). The pages, the API and the CLI all call this, so the rules are the same
    everywhere. ``closed_at`` records when, for history brought in or made up (the demo); by
    default now. A closed month's record never changes afterwards, in the database too."""
    start = parse_period(label)
    pol = policy.load(authority.slug)
    with transaction.atomic():
        period = Period.objects.select_for_update().filter(authority=authority, start=start).first()
        if period is None:
            raise ServiceError(
                {
                    "period": [
                        f"Nothing has been posted in {books.month_name(start)}: there is nothing to close"
                    ]
                }
            )
        if period.is_closed:
            return _close_result(period, changed=False)
        refused = close_refusal(authority, period)
        if refused:
            raise ServiceError({"period": [refused]})
        chart = Chart(authority)
        clawback = chart.get("clawback")  # read now: the rows are built on another thread
        # Each holder account's balance at the month end, and now: money spent after the month end
        # but before the close counts as spent, so a claw-back never takes a holder below nothing.
        holder_rows = list(
            Leg.objects.filter(account__authority=authority, account__code__startswith="holder:")
            .values("account_id", "account__code", "account__budget_id")
            .annotate(
                total=Sum(books.SIGNED, filter=models.Q(transaction__on__lte=period.end), default=0),
                now=Sum(books.SIGNED),
            )
            .values_list("account__budget_id", "account_id", "account__code", "total", "now")
        )  # fmt: skip
        paid = dict(
            Payment.objects.filter(run__period=period).values_list("instalment__budget_id")
            .annotate(s=Sum("amount_pence")).values_list("instalment__budget_id", "s")
        )  # fmt: skip
        carried: dict[int, int] = dict(
            CloseLine.objects.filter(period__authority=authority, period__start__lt=period.start)
            .order_by("period__start")
            .values_list("budget_id", "kept_pence")
        )  # the latest earlier close of each budget wins
        annual = dict(
            Budget.objects.filter(authority=authority).order_by().values_list("pk", "agreed_annual_pence")
        )

        actor_id = actor.pk if actor else None

        def batches() -> Iterator[tuple[bulk.Rows, bulk.Rows, bulk.Rows]]:
            """Each budget's decision and claw-back, CLOSE_BATCH budgets at a time, checked and
            made ready to write. Plain Python over what was read above: on PostgreSQL it runs on
            a second thread while the batch before is written (bulk.built_ahead)."""
            holders: dict[int, list[tuple[Account, int, int]]] = defaultdict(list)
            for budget_id, account_id, code, total, now in holder_rows:
                # Enough of the account to post to, without loading each one.
                account = bulk.light(Account, id=account_id, authority_id=authority.pk, code=code)
                holders[budget_id].append((account, int(total), int(now)))
            ordered = sorted(holders.items())
            for first in range(0, len(ordered), CLOSE_BATCH):
                postings: list[bulk.Posting] = []
                close_rows: list[list[Any]] = []
                for budget_id, accounts in ordered[first : first + CLOSE_BATCH]:
                    row, posting = _close_budget(
                        pol, period, clawback, budget_id, accounts, annual_pence=annual[budget_id],
                        paid_pence=paid.get(budget_id, 0), carried_pence=carried.get(budget_id, 0),
                    )  # fmt: skip
                    if posting is not None:
                        row[-1] = len(postings)  # the posting's place, its transaction's id below
                        postings.append(posting)
                    close_rows.append(row)
                txns, leg_rows = bulk.prepare_postings(authority, period, postings, actor_id=actor_id)
                for row in close_rows:
                    if row[-1] is not None:
                        row[-1] = txns.ids[row[-1]]
                lines = bulk.prepare_rows(CloseLine, CLOSE_LINE_COLUMNS, close_rows, ids=False)
                yield txns, leg_rows, lines

        for txns, leg_rows, lines in bulk.built_ahead(batches()):
            bulk.write_postings((txns, leg_rows))
            bulk.write_rows(lines)
        period.status = PeriodStatus.CLOSED
        period.closed_at = closed_at or timezone.now()
        period.closed_by = actor
        period.policy_version = pol.version
        period.save()
        audit.record(actor=actor, authority=authority, action=AuditAction.CHANGE, obj=period, reason=reason,
                     changes={"status": ["open", "closed"]})  # fmt: skip
    return _close_result(period, changed=True)


def _close_budget(
    pol: policy.LedgerPolicy, period: Period, clawback: Account, budget_id: int,
    accounts: list[tuple[Account, int, int]], *, annual_pence: int, paid_pence: int, carried_pence: int,
) -> tuple[list[Any], bulk.Posting | None]:  # fmt: skip
    """One budget at a period close: its close line (CLOSE_LINE_COLUMNS, the transaction left for
    the caller to fill in) and the claw-back to post, if the policy claws any back.

    ``accounts`` are the budget's holder accounts with their balances at the month end and now.
    What counts as unspent is what the holders had left at the month end and still have: money
    spent since counts as spent. The claw-back is taken from those accounts in proportion to what
    each still holds of it, so no account is taken below nothing."""
    at_end = sum(end for _, end, _ in accounts)
    still_held = [max(0, min(end, now)) for _, end, now in accounts]
    # Overspent at the month end: shown as such (negative), and nothing is kept or clawed back.
    unspent = at_end if at_end <= 0 else min(at_end, sum(still_held))
    kept, clawed, why = policy.close_decision(
        pol.period_close, annual_pence=annual_pence, month_allocation_pence=paid_pence,
        carried_in_pence=carried_pence, unspent_pence=unspent,
    )  # fmt: skip
    if 0 <= unspent < at_end:
        why += f"; {format_pence(at_end - unspent)} spent since the month end counts as spent"
    row: list[Any] = [period.pk, budget_id, unspent, kept, clawed, f"{why} (policy {pol.version})", None]
    if not clawed:
        return row, None
    held = [
        (account, amount) for (account, _, _), amount in zip(accounts, still_held, strict=True) if amount > 0
    ]
    parts = _split(clawed, [amount for _, amount in held])
    legs = [debit(clawback, clawed)] + [
        credit(account, part) for (account, _), part in zip(held, parts, strict=True) if part
    ]
    memo = f"Claw-back at close of {period.label}, budget {budget_id}"
    return row, bulk.Posting(period.end, TxnKind.CLAWBACK, memo, legs, budget_id)


# --- spending ----------------------------------------------------------------------------------


def _flag(pol: policy.LedgerPolicy, category: str, amount: int) -> str:
    if category in pol.spending.check_categories:
        return f"{pol.spending.categories[category]} is checked lightly under policy {pol.version}"
    if amount > pol.spending.unusual_single_pence:
        return f"Larger than the usual single purchase under policy {pol.version}"
    return ""


def _holder_route(budget: Budget, route: str | None) -> str:
    routes = list(budget.deployments.values_list("route", flat=True))
    if route:
        if route not in routes:
            raise ServiceError({"route": [f"This budget is not held as {route}"]})
        return route
    return routes[0]


def record_spend(
    actor: User,
    budget: Budget,
    *,
    on: dt.date,
    category: str,
    description: str,
    amount_pence: int,
    payee: str = "",
    route: str | None = None,
    plan_line: int | None = None,
    source: str = "recorded",
    confirm_overspend: bool = False,
) -> Spend:
    """Record one purchase from the budget (Dr spending category / Cr the holder's account);
    ``plan_line`` names the plan line it pays for, else it is matched (:func:`match_plan_line`)."""
    return record_spends(actor, budget, [{"on": on, "category": category, "description": description,
                                          "amount_pence": amount_pence, "payee": payee, "route": route,
                                          "plan_line": plan_line}], source,
                         confirm_overspend=confirm_overspend)[0]  # fmt: skip


class NeedsConfirmation(ServiceError):
    """The spending would take the budget below what it holds by more than the policy's margin: it is
    recorded only when the person recording it confirms it (and is then flagged for finance)."""


def _largest_purchase(pol: policy.LedgerPolicy, budget: Budget) -> int:
    return round_pence(
        Decimal(budget.agreed_annual_pence) * pol.spending.largest_purchase_percent_of_year / 100
    )


def record_spends(
    actor: User, budget: Budget, rows: list[dict[str, Any]], source: str = "recorded", *,
    confirm_overspend: bool = False,
) -> list[Spend]:  # fmt: skip
    """Record several purchases all together or not at all.

    Spending that cannot be right is not taken silently: a single purchase above the policy's share
    of the budget's year is refused as a mistake; one that takes what the route holds below nothing
    by more than the policy's margin needs ``confirm_overspend`` (NeedsConfirmation otherwise) and
    is then flagged for finance to check."""
    pol = policy.load(budget.person.authority.slug)
    chart = Chart(budget.person.authority)
    if not budget.is_payable:
        raise ServiceError({"budget": ["Spending can only be recorded against an agreed budget"]})
    made = []
    lines = plan_lines(budget)
    largest = _largest_purchase(pol, budget)
    today = timezone.localdate()
    with transaction.atomic():
        for i, row in enumerate(rows, start=1):
            where = f"line {row['line']}: " if "line" in row else ("" if len(rows) == 1 else f"row {i}: ")
            if row["category"] not in pol.spending.categories:
                raise ServiceError(
                    {"category": [f"{where}choose a category from {', '.join(pol.spending.categories)}"]}
                )
            try:
                amount = books.check_amount(row["amount_pence"])
            except LedgerError as exc:
                raise ServiceError({"amount": [f"{where}{exc}"]}) from None
            if amount > largest:
                raise ServiceError({"amount": [
                    f"{where}{format_pence(amount)} is more than this budget can pay for one purchase "
                    f"({format_pence(largest)}, {pol.spending.largest_purchase_percent_of_year}% of "
                    f"{format_pence(budget.agreed_annual_pence)} a year): check the amount"
                ]})  # fmt: skip
            on = row["on"]
            if not isinstance(on, dt.date):
                raise ServiceError({"on": [f"{where}{on!r} is not a date"]})
            if not budget.period_start <= on <= budget.period_end:
                raise ServiceError({"on": [
                    f"{where}{on:%-d %B %Y} is outside this budget's period, {budget.period_start:%-d %B %Y} "
                    f"to {budget.period_end:%-d %B %Y}"
                ]})  # fmt: skip
            if on > today:
                raise ServiceError(
                    {"on": [f"{where}{on:%-d %B %Y} is still to come: record spending once it is made"]}
                )
            route = _holder_route(budget, row.get("route"))
            held = books.balance(chart.holder(budget.pk, route))
            short = amount - max(held, 0)
            over = ""
            if held - amount < 0:  # overspending is always flagged; beyond the margin it must be confirmed
                if held - amount < -pol.spending.overspend_margin_pence:
                    if not confirm_overspend:
                        raise NeedsConfirmation({"amount": [
                            f"{where}{format_pence(amount)} is {format_pence(short)} more than the "
                            f"{format_pence(max(held, 0))} this budget holds now: check the amount, and confirm "
                            "it if it is right (finance will be told)"
                        ]})  # fmt: skip
                    over = f"Takes the budget {format_pence(short)} below what it held: confirmed, for finance to check"
                else:
                    over = f"Takes the budget {format_pence(short)} below what it held: for finance to check"
            try:
                txn = books.post(
                    budget.person.authority, row["on"], TxnKind.INVOICE if source == "invoice" else TxnKind.SPEND,
                    f"{row['description'][:200]}", [debit(chart.spent(row["category"]), amount),
                                                     credit(chart.holder(budget.pk, route), amount)],
                    budget_id=budget.pk, actor=actor,
                )  # fmt: skip
            except LedgerError as exc:
                raise ServiceError({"on": [f"{where}{exc}"]}) from None
            reason = "; ".join(r for r in (over, _flag(pol, row["category"], amount)) if r)[:200]
            line_id = match_plan_line(pol, lines, row, where)
            made.append(
                Spend.objects.create(
                    budget=budget, route=route, on=row["on"], category=row["category"],
                    description=row["description"][:200], payee=row.get("payee", "")[:200], amount_pence=amount,
                    source=source, flagged=bool(reason), flag_reason=reason, transaction=txn, recorded_by=actor,
                    plan_line_id=line_id,
                )
            )  # fmt: skip
        audit.record(actor=actor, authority=budget.person.authority, action=AuditAction.CREATE, obj=budget,
                     reason=f"{len(made)} {source} spending line(s) recorded", person_id=budget.person_id)  # fmt: skip
    return made


def plan_lines(budget: Budget) -> list[Any]:
    """The spending lines of the support plan that approved the budget (none if it was approved
    some other way, e.g. by a finance officer in words)."""
    plan = budget.approved_by if budget.approved_by_type_id else None
    lines = getattr(plan, "lines", None)
    return list(lines.order_by("pk")) if lines is not None else []


def match_plan_line(
    pol: policy.LedgerPolicy, lines: list[Any], row: Mapping[str, Any], where: str = ""
) -> int | None:
    """Which plan line a purchase pays for: the one named (``plan_line``), else the line whose
    supplier is the payee, else the only line whose plan category the policy maps the spending
    category to. Anything else stays unmatched (shown as such on the statement), never guessed."""
    ids = {line.pk for line in lines}
    named = row.get("plan_line")
    if named is not None:
        if named not in ids:
            raise ServiceError({"plan_line": [f"{where}{named} is not a line of the approved support plan"]})
        return int(named)
    payee = (row.get("payee") or "").strip().casefold()
    by_supplier = [line.pk for line in lines if payee and (line.supplier or "").strip().casefold() == payee]
    if len(by_supplier) == 1:
        return by_supplier[0]
    plan_categories = set(pol.spending.plan_categories.get(row["category"], [row["category"]]))
    by_category = [line.pk for line in lines if line.category in plan_categories]
    return by_category[0] if len(by_category) == 1 else None


def plan_match(budget: Budget) -> dict[str, Any]:
    """Each plan line's cost for the budget's time against the spending matched to it, and what
    spending matched no line (issue 6: spending matched to plan lines)."""
    lines = plan_lines(budget)
    spent: dict[int | None, int] = defaultdict(int)
    for line_id, amount in Spend.objects.filter(
        budget=budget, transaction__reversed_by__isnull=True
    ).values_list("plan_line_id", "amount_pence"):
        spent[line_id] += amount
    rows = [{"id": line.pk, "description": line.description, "category": line.category,
             "supplier": line.supplier, "annual": line.annual_pence, "spent": spent.pop(line.pk, 0)}
            for line in lines]  # fmt: skip
    return {"rows": rows, "unmatched": sum(spent.values())}


STATEMENT_COLUMNS = ["date", "description", "amount", "category"]


def parse_statement_csv(text: str, categories: Mapping[str, str]) -> list[dict[str, Any]]:
    """Rows of a bank-statement CSV (date, description, amount, category). Every problem is
    reported with its line number, and nothing is recorded unless every line is good."""
    problems: list[str] = []
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or [f.strip().lower() for f in reader.fieldnames] != STATEMENT_COLUMNS:
        raise ServiceError({"file": [f"line 1: the columns must be {', '.join(STATEMENT_COLUMNS)}"]})
    rows = []
    for row in reader:
        line = reader.line_num
        clean = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        try:
            on = dt.date.fromisoformat(clean["date"])
        except ValueError:
            problems.append(f"line {line}: date {clean['date']!r} is not a date like 2026-05-14")
            continue
        try:
            amount = parse_pounds(clean["amount"])
        except ValueError as exc:
            problems.append(f"line {line}: amount: {exc}")
            continue
        if amount <= 0:
            problems.append(f"line {line}: amount must be more than zero")
            continue
        if clean["category"] not in categories:
            problems.append(
                f"line {line}: category {clean['category']!r} is not one of {', '.join(categories)}"
            )
            continue
        if not clean["description"]:
            problems.append(f"line {line}: description is empty")
            continue
        rows.append({"line": line, "on": on, "description": clean["description"], "amount_pence": amount,
                     "category": clean["category"], "payee": clean["description"]})  # fmt: skip
    if problems:
        raise ServiceError({"file": problems})
    if not rows:
        raise ServiceError({"file": ["The file has no spending lines"]})
    return rows


def upload_statement(
    actor: User, budget: Budget, text: str, *, confirm_overspend: bool = False
) -> list[Spend]:
    pol = policy.load(budget.person.authority.slug)
    rows = parse_statement_csv(text, pol.spending.categories)
    return record_spends(actor, budget, rows, source="statement", confirm_overspend=confirm_overspend)


# --- charging and disputes ---------------------------------------------------------------------


def assess_charge(
    actor: User, person: Person, *, weekly_pence: int, starts_on: dt.date, reason: str,
    mode: str | None = None,
) -> ChargeAssessment:  # fmt: skip
    """Record a financial assessment. The policy sets net or gross and any free first years
    (seed 002 "Charging": free for the first 2 years and chargeable after)."""
    pol = policy.load(person.authority.slug)
    if isinstance(weekly_pence, bool) or not isinstance(weekly_pence, int) or weekly_pence < 0:
        raise ServiceError({"weekly_pence": ["The weekly contribution must be whole pence, zero or more"]})
    if not reason.strip():
        raise ServiceError({"reason": ["Say why"]})
    free_until = None
    if pol.charging.free_years:
        first = person.budgets.order_by("starts_on").values_list("starts_on", flat=True).first() or starts_on
        free_until = first.replace(year=first.year + pol.charging.free_years) - dt.timedelta(days=1)
    with transaction.atomic():
        charge = ChargeAssessment.objects.create(
            authority=person.authority, person=person, weekly_pence=weekly_pence, mode=mode or pol.charging.mode,
            starts_on=starts_on, free_until=free_until, reason=reason.strip(),
        )  # fmt: skip
        audit.record(actor=actor, authority=person.authority, action=AuditAction.CREATE, obj=charge,
                     reason=reason, person_id=person.pk)  # fmt: skip
    return charge


def _receipt_checked(amount_pence: Any, on: Any) -> tuple[int, dict[str, list[str]]]:
    """Money received: the amount as whole positive pence, and what is wrong with the amount or
    the day (not a date, or a day still to come), by field; no errors means both are fine."""
    errors: dict[str, list[str]] = {}
    amount = 0
    try:
        amount = books.check_amount(amount_pence)
    except LedgerError as exc:
        errors["amount_pence"] = [str(exc)]
    if not isinstance(on, dt.date):
        errors["on"] = [f"{on!r} is not a date"]
    elif on > timezone.localdate():
        errors["on"] = ["The date the money was received cannot be in the future"]
    return amount, errors


def receive_contribution(
    actor: User, person: Person, amount_pence: int, on: dt.date, *, budget: Budget | None = None,
    reason: str = "contribution received",
) -> Transaction:  # fmt: skip
    """Money received from the person against invoiced (gross) contributions: Dr bank / Cr receivable.

    The receipt is posted against one of the person's budgets (``budget``, else their latest), so
    each person's arrears are a sum of ledger legs like every other figure. Money cannot be
    received on a day still to come (as with claw-back receipts)."""
    amount, errors = _receipt_checked(amount_pence, on)
    if errors:
        raise ServiceError(errors)
    if budget is None:
        budget = person.budgets.exclude(status=BudgetStatus.DRAFT).order_by("-starts_on", "-pk").first()
    if budget is None or budget.person_id != person.pk:
        raise ServiceError({"budget": ["The person has no agreed budget to receive a contribution against"]})
    first = person.budgets.exclude(status=BudgetStatus.DRAFT).order_by("period_start").first()
    if first is not None and on < first.period_start:
        raise ServiceError({"on": [
            f"{on:%-d %B %Y} is before the person's first budget started ({first.period_start:%-d %B %Y})"
        ]})  # fmt: skip
    chart = Chart(person.authority)
    try:
        with transaction.atomic():
            txn = books.post(
                person.authority, on, TxnKind.RECEIPT, f"Contribution received from {person.reference}",
                [debit(chart.get("bank"), amount), credit(chart.get("contrib_due"), amount)],
                budget_id=budget.pk, actor=actor,
            )  # fmt: skip
            audit.record(actor=actor, authority=person.authority, action=AuditAction.CREATE, obj=budget,
                         reason=reason or "contribution received", person_id=person.pk,
                         changes={"received_pence": [None, amount]})  # fmt: skip
    except LedgerError as exc:
        raise ServiceError({"on": [str(exc)]}) from None
    return txn


DISPUTE_TRANSITIONS = {
    DisputeStatus.OPEN: {DisputeStatus.UPHELD, DisputeStatus.REJECTED, DisputeStatus.SETTLED},
}


def open_dispute(actor: User, person: Person, *, subject: str, raised_by: str, amount_pence: int = 0,
                 budget: Budget | None = None, charge: ChargeAssessment | None = None,
                 on: dt.date | None = None) -> Dispute:  # fmt: skip
    """Record a disagreement about money (seed 004 Q8): about a budget, a contribution, a debt."""
    errors: dict[str, list[str]] = {}
    if not subject.strip():
        errors["subject"] = ["Say what the dispute is about"]
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int) or amount_pence < 0:
        errors["amount_pence"] = ["The amount in dispute must be whole pence, zero or more"]
    if budget is not None and budget.person_id != person.pk:
        errors["budget"] = ["That budget is not this person's"]
    if charge is not None and charge.person_id != person.pk:
        errors["charge"] = ["That contribution is not this person's"]
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        dispute = Dispute.objects.create(
            authority=person.authority, person=person, budget=budget, charge=charge, subject=subject.strip(),
            raised_by=raised_by[:200], amount_pence=amount_pence, opened_on=on or timezone.localdate(),
        )  # fmt: skip
        audit.record(actor=actor, authority=person.authority, action=AuditAction.CREATE, obj=dispute,
                     reason=subject, person_id=person.pk)  # fmt: skip
    return dispute


def decide_dispute(
    actor: User, dispute: Dispute, status: str, outcome: str, on: dt.date | None = None
) -> Dispute:
    """Move a dispute to its outcome; only an open dispute can be decided, and it says why."""
    if status not in DISPUTE_TRANSITIONS.get(DisputeStatus(dispute.status), set()):
        raise ServiceError({"status": [f"A {dispute.status} dispute cannot become {status}"]})
    if not outcome.strip():
        raise ServiceError({"outcome": ["Record the outcome"]})
    with transaction.atomic():
        before = {"status": dispute.status}
        dispute.status = status
        dispute.outcome = outcome.strip()
        dispute.closed_on = on or timezone.localdate()
        dispute.save()
        audit.record(actor=actor, authority=dispute.authority, action=AuditAction.CHANGE, obj=dispute,
                     reason=outcome, changes={"status": [before["status"], status]}, person_id=dispute.person_id)  # fmt: skip
    return dispute


# --- statements and finance views --------------------------------------------------------------


@dataclass
class BudgetStatement:
    budget: Budget
    agreed_annual: int
    indicative: int | None
    period_amount: int
    paid: int
    spent: int
    held: int
    contributions: int
    rolled_over: int
    clawed_back: int
    spend_by_category: dict[str, int]
    routes: list[dict[str, Any]]
    clawback: ClawbackPosition


def statement(budget: Budget) -> BudgetStatement:
    """A budget's figures, each from the ledger, for the person and staff alike."""
    held = sum(
        v
        for k, v in books.balances(budget.person.authority, f"holder:{budget.pk}:").items()
        if k.startswith(f"holder:{budget.pk}:")
    )
    payments = Payment.objects.filter(instalment__budget=budget)
    paid = payments.aggregate(s=Sum("amount_pence"))["s"] or 0
    contributions = payments.aggregate(s=Sum("contribution_pence"))["s"] or 0
    spends = Spend.objects.filter(budget=budget).exclude(transaction__reversed_by__isnull=False)
    by_cat: dict[str, int] = defaultdict(int)
    for s in spends:
        by_cat[s.category] += s.amount_pence
    last_close = CloseLine.objects.filter(budget=budget).order_by("-period__start").first()
    clawed = CloseLine.objects.filter(budget=budget).aggregate(s=Sum("clawed_back_pence"))["s"] or 0
    instalments_total = Instalment.objects.filter(budget=budget, cancelled=False).aggregate(
        s=Sum("amount_pence")
    )["s"]
    deployments = list(budget.deployments.all())
    weekly = split_pence(budget.weekly_pence, [d.share for d in deployments]) if deployments else []
    routes = [{"route": d.get_route_display(), "payee": d.payee_name, "weekly": w, "share": d.share}
              for d, w in zip(deployments, weekly, strict=True)]  # fmt: skip
    return BudgetStatement(
        budget=budget, agreed_annual=budget.agreed_annual_pence, indicative=budget.indicative_pence,
        period_amount=instalments_total or 0, paid=paid, spent=sum(by_cat.values()), held=held,
        contributions=contributions, rolled_over=last_close.kept_pence if last_close else 0, clawed_back=clawed,
        spend_by_category=dict(by_cat), routes=routes, clawback=clawback_position(budget),
    )  # fmt: skip


def reconciliation(authority: Authority) -> list[dict[str, Any]]:
    """Each payment run's file total against the ledger's bank credits for the same payments."""
    rows = []
    for run in PaymentRun.objects.filter(authority=authority).select_related("period"):
        file_total = PaymentLine.objects.filter(payment__run=run).aggregate(s=Sum("amount_pence"))["s"] or 0
        bank = (
            Leg.objects.filter(transaction__payment__run=run, account__code="bank", side="C")
            .aggregate(s=Sum("amount"))["s"] or 0
        )  # fmt: skip
        rows.append({"run": run, "file": file_total, "ledger": bank, "difference": bank - file_total})
    return rows


def reverse_transaction(actor: User, txn: Transaction, reason: str, on: dt.date | None = None) -> Transaction:
    """Correct a posting by reversing it (the original stays, as does the reason), dated today or on
    a day between the original's date and today."""
    on = on or timezone.localdate()
    if not txn.on <= on <= timezone.localdate():
        raise ServiceError({"on": [
            f"A reversal is dated between the original's date ({txn.on:%-d %B %Y}) and today, not {on:%-d %B %Y}"
        ]})  # fmt: skip
    try:
        with transaction.atomic():
            rev = books.reverse(txn, on, reason, actor)
            audit.record(actor=actor, authority=txn.authority, action=AuditAction.CHANGE, obj=txn,
                         reason=reason, changes={"reversed_by": [None, rev.pk]})  # fmt: skip
    except LedgerError as exc:
        raise ServiceError({"transaction": [str(exc)]}) from None
    except IntegrityError:
        raise ServiceError({"transaction": [f"transaction {txn.pk} has already been reversed"]}) from None
    return rev


# --- reassessment --------------------------------------------------------------------------------


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
            {"on": [f"Everything to {old.period_end} is already paid: agree next period's budget instead"]}
        )
    whole = (
        stopping
        and not paid_ids
        and (effective <= old.starts_on or effective <= old.period_start + dt.timedelta(days=1))
    )
    if whole:
        effective = old.starts_on
    elif not old.starts_on < effective <= old.period_end:
        raise ServiceError({"on": [f"The change must take effect after the budget starts ({old.starts_on}) "
                                   f"and by the end of its period ({old.period_end})"]})  # fmt: skip
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
        reason=f"{note}: ends {old.period_end}; {reason.strip()}",
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


# --- charging: one person's contributions, arrears and disputes ----------------------------------


@dataclass
class ChargingSummary:
    person: Person
    assessments: list[ChargeAssessment]
    current: ChargeAssessment | None
    charged: int
    invoiced: int
    received: int
    arrears: int
    clawback_position: ClawbackPosition
    disputes: list[Dispute]

    @property
    def clawback(self) -> int:
        """Money still owed back from period close (the claw-back account's balance)."""
        return self.clawback_position.outstanding


def charging_summary(person: Person, today: dt.date | None = None) -> ChargingSummary:
    """What the person is assessed to pay, what was charged (net: kept back from payments; gross:
    invoiced), received, still owed (arrears), money owed back at period close, and disputes."""
    today = today or timezone.localdate()
    assessments = list(ChargeAssessment.objects.filter(person=person).order_by("-starts_on", "-pk"))
    current = next((a for a in assessments if a.starts_on <= today), None)
    legs = Leg.objects.filter(account__authority_id=person.authority_id, transaction__budget__person=person)
    sums = legs.aggregate(
        charged=Sum("amount", filter=models.Q(account__code="contrib_income", side="C"), default=0)
        - Sum("amount", filter=models.Q(account__code="contrib_income", side="D"), default=0),
        invoiced=Sum("amount", filter=models.Q(account__code="contrib_due", side="D"), default=0),
        received=Sum("amount", filter=models.Q(account__code="contrib_due", side="C"), default=0),
    )
    disputes = list(
        Dispute.objects.filter(person=person).select_related("charge", "budget").order_by("-opened_on", "-pk")
    )
    return ChargingSummary(
        person=person, assessments=assessments, current=current, charged=int(sums["charged"]),
        invoiced=int(sums["invoiced"]), received=int(sums["received"]),
        arrears=int(sums["invoiced"]) - int(sums["received"]), clawback_position=person_clawback_position(person),
        disputes=disputes,
    )  # fmt: skip


# --- claw-back repaid; bank statements through the API ------------------------------------------


@dataclass
class ClawbackPosition:
    """Money clawed back at period close: owed (less any claw-back reversed), repaid, still owed."""

    owed: int
    received: int
    outstanding: int


def _clawback_legs(authority_id: int, **where: Any) -> models.QuerySet[Leg]:
    return Leg.objects.filter(account__authority_id=authority_id, account__code="clawback", **where)


def _clawback_position(legs: models.QuerySet[Leg]) -> ClawbackPosition:
    """Still owed is the claw-back account's balance; repaid is what receipts credited to it (less
    reversed receipts); owed is the two together, so reversing a close's claw-back lowers it."""
    repayment = models.Q(transaction__kind=TxnKind.RECEIPT)
    repayment |= models.Q(transaction__reverses__kind=TxnKind.RECEIPT)
    sums = legs.aggregate(
        net=Sum(books.SIGNED, default=0),
        repaid=Sum("amount", filter=repayment & models.Q(side="C"), default=0)
        - Sum("amount", filter=repayment & models.Q(side="D"), default=0),
    )
    outstanding, received = int(sums["net"]), int(sums["repaid"])
    return ClawbackPosition(owed=outstanding + received, received=received, outstanding=outstanding)


def clawback_position(budget: Budget) -> ClawbackPosition:
    """One budget's claw-back: owed, repaid and still owed, each a sum of ledger legs."""
    return _clawback_position(_clawback_legs(budget.authority_id, transaction__budget_id=budget.pk))


def person_clawback_position(person: Person) -> ClawbackPosition:
    """The same for all of a person's budgets (the charging summary)."""
    return _clawback_position(_clawback_legs(person.authority_id, transaction__budget__person=person))


def clawback_repayments(budget: Budget) -> list[dict[str, Any]]:
    """The receipts of claw-back for a budget: ``id``, ``on``, ``amount`` and ``reversed_by_id``."""
    rows = (
        Transaction.objects.filter(budget=budget, kind=TxnKind.RECEIPT, legs__account__code="clawback")
        .annotate(amount=Sum("legs__amount"), reversed_by_id=models.F("reversed_by__id"))
        .order_by("on", "pk")
        .values("id", "on", "amount", "reversed_by_id")
    )
    return [dict(row) for row in rows]


def _clawback_owed_from(budget: Budget, on: dt.date) -> int:
    """The least the budget's claw-back balance stands at on ``on`` or any later day: a repayment
    dated ``on`` may not take it below zero then or later."""
    legs = _clawback_legs(budget.authority_id, transaction__budget_id=budget.pk)
    lowest = running = int(
        legs.filter(transaction__on__lte=on).aggregate(s=Sum(books.SIGNED, default=0))["s"]
    )
    later = (
        legs.filter(transaction__on__gt=on)
        .values("transaction__on")
        .annotate(s=Sum(books.SIGNED))
        .order_by("transaction__on")
    )
    for row in later:
        running += int(row["s"])
        lowest = min(lowest, running)
    return lowest


def receive_clawback(
    actor: User | None, budget: Budget, amount_pence: int, on: dt.date, *, reason: str = "claw-back repaid"
) -> Transaction:
    """Money clawed back at period close and now returned to the council: Dr bank / Cr claw-back
    receivable, posted against the budget it was clawed back from, so the statement and the
    charging summary show what is owed, repaid and still owed as sums of legs.

    Refused (nothing posted): an amount that is not whole positive pence, more than is still owed on
    that day or any later one, a date in the future or in a closed month, no reason."""
    amount, errors = _receipt_checked(amount_pence, on)
    if not reason or not reason.strip():
        errors["reason"] = ["Say what was received, and from whom"]
    if errors:
        raise ServiceError(errors)
    try:
        with transaction.atomic():
            locked = Budget.objects.select_for_update().select_related("authority").get(pk=budget.pk)
            owed = _clawback_owed_from(locked, on)
            if owed <= 0:
                raise ServiceError(
                    {"amount_pence": [f"No claw-back from budget {locked.pk} is owed on {on:%d %B %Y}"]}
                )
            if amount > owed:
                raise ServiceError({"amount_pence": [
                    f"{format_pence(amount)} is more than the {format_pence(owed)} of claw-back owed on this budget"
                ]})  # fmt: skip
            chart = Chart(locked.authority)
            txn = books.post(
                locked.authority, on, TxnKind.RECEIPT, f"Claw-back repaid for budget {locked.pk}",
                [debit(chart.get("bank"), amount), credit(chart.get("clawback"), amount)],
                budget_id=locked.pk, actor=actor,
            )  # fmt: skip
            audit.record(
                actor=actor, authority=locked.authority, action=AuditAction.CREATE, obj=locked,
                reason=reason.strip(), person_id=locked.person_id, changes={"clawback_received_pence": [None, amount]},
            )  # fmt: skip
    except LedgerError as exc:
        raise ServiceError({"on": [str(exc)]}) from None
    return txn


MAX_STATEMENT_BYTES = 1_000_000


def upload_statement_file(
    actor: User, budget: Budget, raw: bytes, *, confirm_overspend: bool = False
) -> list[Spend]:
    """A bank-statement CSV as uploaded (bytes): the same parsing and posting as the page's upload,
    all lines or none, every problem named by its line."""
    if len(raw) > MAX_STATEMENT_BYTES:
        raise ServiceError({"file": [f"The file is larger than {MAX_STATEMENT_BYTES // 1000} KB: split it"]})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError({"file": ["The file must be a CSV saved as UTF-8 text"]}) from None
    return upload_statement(actor, budget, text, confirm_overspend=confirm_overspend)
