"""Property test: random sequences of allocate, pay, spend, contribute, close and reverse over
several budgets. Whatever happens, the ledger balances, no penny is lost in any split, and every
balance is the sum of its legs."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_support import check_invariants, make_budget

from helpers import make_person
from selfdirect.core.errors import ServiceError
from selfdirect.ledger import services
from selfdirect.ledger.models import Budget, Period, Spend, Transaction

MONTHS = ["2026-04", "2026-05", "2026-06", "2026-07"]
ROUTE_SETS = [
    [{"route": "direct_payment", "share": 1}],
    [{"route": "council_managed", "share": 7}, {"route": "direct_payment", "share": 3}],
    [{"route": "isf", "share": 1, "payee_name": "Provider"}],
    [{"route": "third_party", "share": 2, "fee_percent": "3.5"}, {"route": "virtual", "share": 1}],
]
op = st.one_of(
    st.tuples(
        st.just("allocate"),
        st.integers(0, 3),
        st.integers(0, 5_000_000),
        st.sampled_from(["weekly", "four_weekly", "monthly", "quarterly"]),
        st.integers(0, 3),
    ),
    st.tuples(st.just("pay"), st.integers(0, 3)),
    st.tuples(st.just("spend"), st.integers(0, 3), st.integers(1, 200_000)),
    st.tuples(st.just("contribute"), st.integers(0, 3), st.integers(0, 5_000)),
    st.tuples(st.just("close")),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
)


class Rollback(Exception):
    pass


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(op, min_size=1, max_size=14))
def test_random_sequences_keep_the_books_balanced(world, ops):
    side = world.north
    finance = side.users["finance"]
    try:
        with transaction.atomic():
            people = [make_person(side.authority, side.home_team, f"Prop{i}", "Test") for i in range(4)]
            budgets: dict[int, Budget] = {}
            for step in ops:
                open_periods = [
                    m
                    for m in MONTHS
                    if not Period.objects.filter(
                        authority=side.authority, start=services.parse_period(m), status="closed"
                    ).exists()
                ]
                try:
                    if step[0] == "allocate" and step[1] not in budgets:
                        budgets[step[1]] = make_budget(
                            people[step[1]], step[2], frequency=step[3], routes=ROUTE_SETS[step[4]]
                        )
                    elif step[0] == "pay" and open_periods:
                        month = open_periods[min(step[1], len(open_periods) - 1)]
                        services.execute_run(
                            services.start_run(finance, side.authority, month).pk, batch_size=3
                        )
                    elif step[0] == "spend" and step[1] in budgets and open_periods:
                        on = services.parse_period(open_periods[0]) + dt.timedelta(days=3)
                        services.record_spend(
                            finance,
                            budgets[step[1]],
                            on=on,
                            category="other",
                            description="x",
                            amount_pence=step[2],
                        )
                    elif step[0] == "contribute":
                        services.assess_charge(
                            finance,
                            people[step[1]],
                            weekly_pence=step[2],
                            starts_on=dt.date(2026, 4, 1),
                            reason="fa",
                        )
                    elif step[0] == "close" and open_periods:
                        services.close_period(finance, side.authority, open_periods[0])
                    elif step[0] == "reverse":
                        spends = list(Spend.objects.filter(budget__authority=side.authority).order_by("id"))
                        if spends and open_periods:
                            txn = spends[step[1] % len(spends)].transaction
                            services.reverse_transaction(
                                finance, txn, "test", services.parse_period(open_periods[0])
                            )
                except ServiceError:
                    pass  # refused with a reason (already reversed, closed, ...) and nothing half-written
                check_invariants(side.authority)
            assert not Transaction.objects.filter(
                authority=side.authority, reverses__kind="reversal"
            ).exists()
            raise Rollback
    except Rollback:
        pass
