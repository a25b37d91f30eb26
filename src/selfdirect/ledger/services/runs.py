"""Payment runs: a month's run started once, paid in batches (resumable after a crash), its bank file,
remittances and reconciliation with the ledger."""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone

from selfdirect.core import audit, runs, spreadsheet
from selfdirect.core.constants import AuditAction
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User
from selfdirect.core.money import format_pence, round_pence

from .. import books, bulk
from ..books import Chart, LedgerError, credit, debit
from ..constants import BudgetStatus, ChargingMode, Frequency, RunStatus, TxnKind
from ..models import Budget, ChargeAssessment, Instalment, Leg, Payment, PaymentLine, PaymentRun
from .common import parse_period, split_parts

RUN_LEASE = dt.timedelta(minutes=2)


class RunBusy(Exception):
    """Another worker is paying this run right now."""


PAY_TASK = "selfdirect.ledger.tasks.pay_run"


def start_run(actor: User, authority: Authority, label: str, *, to_worker: bool = False) -> PaymentRun:
    """The payment run for a month, created once (a second start finds the same run). With
    ``to_worker`` (the page and the API) the run is handed to the task worker once it commits,
    unless a worker holds it now; the CLI and the demo pay it in line with :func:`execute_run`."""
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
                reason=f"payment run for {period} started",
            )  # fmt: skip
        if to_worker and not _held(run, timezone.now()):
            runs.enqueue(run, PAY_TASK)
    return run


def _held(run: PaymentRun, now: dt.datetime) -> bool:
    """A worker is paying the run now (its lease has not run out)."""
    return run.status == RunStatus.RUNNING and run.lease_expires_at is not None and run.lease_expires_at > now


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
    """Take the run for this worker under a fresh lease, or refuse: another worker holds it
    (RunBusy), or its month was closed after it was started (RunRefused: a run that had not
    finished fails, saying so; a finished one stays finished)."""
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().select_related("period", "authority").get(pk=run_id)
        now = timezone.now()
        if _held(run, now):
            raise RunBusy(f"payment run {run.period} is being paid by another worker")
        # The page, the API and the CLI refuse to start a run in a closed month; a run queued before its
        # month was closed is refused here, by whatever executes it (the worker's task included).
        refused = books.refusal_for_month(run.authority_id, run.period.start)
        if refused:
            error = f"{refused}: this run can no longer pay anything"
            if run.status == RunStatus.FAILED:
                PaymentRun.objects.filter(pk=run.pk).update(error=error)
            elif run.status != RunStatus.DONE:
                runs.fail(PaymentRun, run.pk, error)
        else:
            runs.start(
                PaymentRun, run.pk, lease_expires_at=now + RUN_LEASE,
                attempts=models.F("attempts") + 1, due_count=due_instalments(run).count(),
            )  # fmt: skip
    if refused:
        raise RunRefused({"period": [error]})
    run.refresh_from_db()
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
    The batches are built and written by the ledger's fast path (bulk): on PostgreSQL each batch is
    written while the next is read and built (bulk.BatchWriter), with Python tuned for it
    (bulk.bulk_job) only while it does that.
    """
    run = _claim(run_id)
    try:
        with bulk.bulk_job():
            _pay_batches(run, batch_size, progress, crash_after)
    except Exception as exc:
        runs.fail(PaymentRun, run.pk, str(exc))
        raise
    paid = Payment.objects.filter(run=run)
    totals = paid.aggregate(n=models.Count("id"), p=Sum("amount_pence"))
    runs.finish(PaymentRun, run.pk, paid_count=totals["n"], paid_pence=totals["p"] or 0)
    run.refresh_from_db()
    return run


def _pay_batches(
    run: PaymentRun, batch_size: int, progress: Callable[[int, int], None] | None, crash_after: int | None
) -> None:
    chart = bulk.BulkChart(run.authority)
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

    with bulk.BatchWriter(functools.partial(_write_batch, run), written) as writer:
        for offset in range(0, len(todo), batch_size):
            ids = todo[offset : offset + batch_size]
            batch = _build_batch(
                run, chart, payable.filter(id__gte=ids[0], id__lte=ids[-1]), built, crash_after
            )
            if batch is not None:
                built = batch.done
                writer.put(batch)


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
            lease_expires_at=timezone.now() + RUN_LEASE,  # this worker holds it a while longer
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
    shares = split_parts(amount, [d.share for d in routes])
    kept_back = (
        split_parts(contribution, [d.share for d in routes])
        if mode == ChargingMode.NET
        else [0] * len(routes)
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
            [
                line.payee_name,
                line.payee_account,
                format_pence(line.amount_pence, symbol=False, grouping=False),
                line.reference,
                line.route,
            ]
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


class RunMoney(NamedTuple):
    """Where a run's money went, so the run's total and its payment file's total can be told apart:
    the instalments paid, less the contributions kept back from the cash (net charging), is what the
    file sends to the bank. Contributions charged gross are invoiced to the person instead."""

    instalments_pence: int
    kept_back_pence: int
    invoiced_pence: int
    file_pence: int
    payees: int


def run_money(run: PaymentRun) -> RunMoney:
    legs = Leg.objects.filter(transaction__payment__run=run)

    def total(code: str, side: str) -> int:
        return int(legs.filter(account__code=code, side=side).aggregate(s=Sum("amount"))["s"] or 0)

    invoiced = total("contrib_due", "D")
    lines = PaymentLine.objects.filter(payment__run=run)
    file_total = int(lines.aggregate(s=Sum("amount_pence"))["s"] or 0)
    payees = lines.values("payee_name", "payee_account").distinct().count()
    return RunMoney(run.paid_pence, total("contrib_income", "C") - invoiced, invoiced, file_total, payees)


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
