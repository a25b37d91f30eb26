"""The payment run's fast path is fenced (DESIGN.md, "Fast paths are fenced"): the speed tricks of
ledger/bulk.py (COPY, ids reserved ahead, accounts made without Model.__init__, the paused collector,
batches written on a second connection) write exactly the rows the plain path writes: one
books.post per instalment, a books.Chart, payments and file lines saved one by one by the ORM.

The same run is paid both ways from the same start (the plain way inside a transaction rolled back
afterwards), and every row either way writes is compared: accounts, transactions, legs, payments,
file lines, the budgets' statuses and the audit log; ids are compared by position, since the fast
path reserves its own."""

from __future__ import annotations

import datetime as dt
import gc
import sys
from typing import Any

import pytest
from django.db import transaction
from ledger_support import make_budget

from helpers import make_person
from selfdirect.core.models import AuditEvent
from selfdirect.ledger import books, bulk, services
from selfdirect.ledger.constants import BudgetStatus, TxnKind
from selfdirect.ledger.models import (
    Account,
    Budget,
    ChargeAssessment,
    Leg,
    Payment,
    PaymentLine,
    PaymentRun,
    Transaction,
)
from selfdirect.ledger.services import runs as run_services

MAY = "2026-05"


def _pay_plainly(run: PaymentRun) -> None:
    """Pay ``run`` the plain way: what is due read as model instances, one books.post per instalment
    (the database choosing each id), a payment and its file lines saved one by one, a budget
    activated and a replaced one ended through save(). No bulk_job, no COPY, no reserved ids, no
    second thread. What to pay is the run's own rule (run_services._instalment_legs)."""
    period, chart = run.period, books.Chart(run.authority)
    replaced: set[int] = set()
    payable = (
        services.due_instalments(run)
        .filter(payment__isnull=True, budget__status__in=[BudgetStatus.AGREED, BudgetStatus.ACTIVE])
        .select_related("budget")
        .order_by("id")
    )
    for inst in payable:
        budget = inst.budget
        if Budget.objects.filter(replaces=budget).exists():
            replaced.add(budget.pk)
        due = run_services._Due(
            inst.pk, budget.pk, inst.seq, inst.due_on, inst.covers_from, inst.covers_to, inst.amount_pence,
            budget.stream, budget.person_id, budget.status == BudgetStatus.AGREED, budget.pk in replaced,
            budget.frequency == "once",
        )  # fmt: skip
        routes = [
            run_services._Route(d.route, d.share, d.payee_name, d.payee_account, d.fee_percent)
            for d in budget.deployments.order_by("id")
        ]
        charges = list(ChargeAssessment.objects.filter(person_id=budget.person_id))
        legs, lines, contribution = run_services._instalment_legs(chart, due, routes, charges)
        txn = books.post(
            run.authority, min(max(inst.due_on, period.start), period.end), TxnKind.PAYMENT,
            f"Instalment {inst.seq} of budget {budget.pk}", legs, budget_id=budget.pk, actor=run.started_by,
        )  # fmt: skip
        payment = Payment.objects.create(
            instalment=inst, run=run, transaction=txn, amount_pence=inst.amount_pence,
            contribution_pence=contribution,
        )  # fmt: skip
        for route, payee_name, payee_account, amount, reference in lines:
            PaymentLine.objects.create(
                payment=payment, route=route, payee_name=payee_name, payee_account=payee_account,
                amount_pence=amount, reference=reference,
            )  # fmt: skip
        if budget.status == BudgetStatus.AGREED:
            budget.status = BudgetStatus.ACTIVE
            budget.save(update_fields=["status"])
    # A budget replaced at a reassessment ends once nothing of it is left to pay.
    run_services._end_replaced(run, replaced)


def _written(authority: Any, since: dict[str, int]) -> dict[str, Any]:
    """Every row of the authority's ledger written after ``since`` (the last ids before the run),
    with ids replaced by positions and accounts named by code."""

    def new(model: Any) -> Any:
        return model.objects.filter(pk__gt=since[model.__name__]).order_by("pk")

    accounts = {a.pk: a for a in Account.objects.filter(authority=authority)}
    txns = list(new(Transaction).filter(authority=authority))
    txn_at = {t.pk: i for i, t in enumerate(txns)}
    payments = list(new(Payment).filter(run__authority=authority))
    payment_at = {p.pk: i for i, p in enumerate(payments)}
    return {
        "accounts": sorted(
            (a.code, a.name, a.kind, accounts[a.parent_id].code if a.parent_id else None, a.budget_id)
            for a in accounts.values()
        ),
        "transactions": [
            (t.on, t.kind, t.memo, t.budget_id, t.period_id, t.posted_by_id, t.reverses_id) for t in txns
        ],
        "legs": [
            (txn_at[leg.transaction_id], accounts[leg.account_id].code, leg.side, leg.amount)
            for leg in Leg.objects.filter(transaction_id__in=txn_at).order_by("transaction_id", "pk")
        ],
        "payments": [
            (p.instalment_id, p.run_id, txn_at[p.transaction_id], p.amount_pence, p.contribution_pence)
            for p in payments
        ],
        "lines": [
            (payment_at[x.payment_id], x.route, x.payee_name, x.payee_account, x.amount_pence, x.reference)
            for x in new(PaymentLine).filter(payment_id__in=payment_at)
        ],
        "budgets": sorted(Budget.objects.filter(authority=authority).values_list("pk", "status")),
        "audit": [
            (e.action, e.object_type, e.object_id, e.reason, e.changes, e.person_id)
            for e in new(AuditEvent).filter(authority=authority)
        ],
    }


def _last_ids() -> dict[str, int]:
    return {
        model.__name__: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in (Transaction, Payment, PaymentLine, AuditEvent)
    }


def _month_of_every_kind(side: Any) -> None:
    """Budgets that take every branch of a run: arrears (nothing paid for April), monthly and weekly
    instalments, a one-off grant, several routes split by share, a managing agent's fee, net and
    gross contributions, a first payment that makes a budget active, and a budget replaced at a
    reassessment that ends once its last instalment is paid."""
    finance = side.users["finance"]
    people = [make_person(side.authority, side.home_team, f"P{i}", "Fast") for i in range(5)]
    make_budget(people[0], 624000)
    make_budget(
        people[1], 520000, frequency="weekly",
        routes=[
            {"route": "third_party", "share": 2, "payee_name": "Age Concern", "payee_account": "12-34-56 1",
             "fee_percent": "4.5"},
            {"route": "direct_payment", "share": 1, "payee_name": "P1 Fast", "payee_account": "65-43-21 2"},
        ],
    )  # fmt: skip
    make_budget(people[2], 90001, frequency="once", routes=[{"route": "council_managed"}])
    replaced = make_budget(people[3], 300000, starts_on=dt.date(2026, 5, 1))
    services.reassess_budget(
        finance, replaced, on=dt.date(2026, 5, 20), agreed_annual_pence=420000, reason="needs grew",
        approved_by_ref="panel 12",
    )  # fmt: skip
    make_budget(people[4], 777777, frequency="four_weekly", starts_on=dt.date(2026, 5, 11))
    for person, mode in ((people[0], "net"), (people[1], "gross"), (people[4], "net")):
        services.assess_charge(
            finance, person, weekly_pence=1234, starts_on=dt.date(2026, 4, 1), reason="assessed", mode=mode
        )


@pytest.mark.django_db(transaction=True)
def test_the_fast_path_writes_exactly_what_the_plain_path_writes(world, flushable_db):
    side = world.north
    _month_of_every_kind(side)
    run = services.start_run(side.users["finance"], side.authority, MAY)
    since = _last_ids()
    with transaction.atomic():
        _pay_plainly(PaymentRun.objects.select_related("period", "authority").get(pk=run.pk))
        plain = _written(side.authority, since)
        transaction.set_rollback(True)
    assert not Payment.objects.exists()

    # Outside any transaction, so on PostgreSQL each batch is written on a second connection.
    paid = services.execute_run(run.pk, batch_size=3)
    fast = _written(side.authority, since)

    assert paid.status == "done" and paid.paid_count == len(fast["payments"]) > 8
    assert len(fast["lines"]) > len(fast["payments"]) and any(p[4] for p in fast["payments"])
    assert any(e[0] == "change" and "reassessment" in e[3] for e in fast["audit"])  # a budget ended
    for table in plain:
        assert fast[table] == plain[table], table


def test_a_run_tunes_python_while_it_writes_and_puts_it_back_when_it_fails(world, monkeypatch):
    make_budget(world.north.self_person)
    make_budget(world.north.caseload_person)
    before = (gc.isenabled(), sys.getswitchinterval())
    seen: list[tuple[bool, float]] = []
    original = bulk.prepare_postings

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append((gc.isenabled(), sys.getswitchinterval()))
        return original(*args, **kwargs)

    monkeypatch.setattr(bulk, "prepare_postings", watched)
    run = services.start_run(world.north.users["finance"], world.north.authority, MAY)
    with pytest.raises(RuntimeError, match="simulated crash"):
        services.execute_run(run.pk, batch_size=1, crash_after=1)
    assert seen == [(False, min(before[1], bulk.HANDOVER_SECONDS))]  # the first batch, before the crash
    assert (gc.isenabled(), sys.getswitchinterval()) == before
    services.execute_run(run.pk)
    assert len(seen) == 2 and (gc.isenabled(), sys.getswitchinterval()) == before
