"""A state machine over the money services, for the suite's test (test_ledger_state_machine.py) and
the longer soak (bench/soak_ledger.py).

Any order of events a council's staff and budget holders can make: draft, agree, reassess and end
budgets (level, tapering, one-off and mid-point); payment runs for any month; spending, bank
statements and reversals; contributions assessed and received; months closed in any order; claw-back
received back; a support plan started and ended. After every step the business rules are checked,
not only "the books balance":

- each instalment is paid at most once, and every payment is posted in its run's month;
- a close never claws back what was not unspent, and never keeps more than the rule's cap;
- a holder's balance is below nothing only after recorded overspending, which is then flagged,
  and below the policy's margin only when that overspending was confirmed;
- claw-back received never exceeds what was clawed back;
- months are closed in order, and nothing is posted into a month after it closed;
- every refusal leaves no row behind, and changes none.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any, ClassVar

from django.db import models, transaction
from django.db.models import Count, Sum
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, precondition, rule
from ledger_support import YEAR_END, YEAR_START, check_invariants

from selfdirect.core.constants import Role
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import AuditEvent
from selfdirect.core.money import round_pence
from selfdirect.ledger import books, policy, services
from selfdirect.ledger.models import (
    Budget,
    ChargeAssessment,
    CloseLine,
    Deployment,
    Instalment,
    Leg,
    Payment,
    PaymentLine,
    PaymentRun,
    Period,
    Spend,
    Transaction,
)

MONTHS = ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]
ROUTE_SETS = [
    [{"route": "direct_payment"}],
    [{"route": "council_managed", "share": 85, "payee_name": "Council account"}, {"route": "direct_payment", "share": 15}],
    [{"route": "isf", "payee_name": "Riverside Support Ltd", "payee_account": "PROV-0042"}],
    [{"route": "third_party", "share": 2, "payee_name": "Age Concern", "fee_percent": "4"}, {"route": "virtual", "share": 1}],
]  # fmt: skip
FREQUENCIES = ["weekly", "four_weekly", "monthly", "quarterly"]

month = st.sampled_from(MONTHS)
day_in_month = st.integers(0, 27)
pence = st.integers(1, 300_000)


def _day(label: str, offset: int) -> dt.date:
    return services.parse_period(label) + dt.timedelta(days=offset)


class LedgerMachine(RuleBasedStateMachine):
    """Set ``side`` (one authority of the test world) before running."""

    side: ClassVar[Any]
    # What the sequences reached, over a whole run: the test checks the machine still reaches
    # claw-backs, overspending, arrears and reassessments, so it cannot quietly stop testing them.
    reached: ClassVar[Counter[str]]
    drafts = Bundle("drafts")
    budgets = Bundle("budgets")

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        side = type(self).side
        self.authority = side.authority
        self.finance = side.users[Role.FINANCE]
        self.people = [side.self_person, side.caseload_person, side.other_person]
        self.rules = policy.load(self.authority.slug)
        self.plan: Any = None

    def teardown(self) -> None:
        if CloseLine.objects.filter(clawed_back_pence__gt=0).exists():
            self.reached["reached: a claw-back"] += 1
        if Spend.objects.filter(flag_reason__contains="below what it held").exists():
            self.reached["reached: overspending flagged"] += 1
        if Payment.objects.filter(instalment__due_on__lt=models.F("run__period__start")).exists():
            self.reached["reached: arrears paid by a later run"] += 1
        if Budget.objects.filter(replaces__isnull=False).exists():
            self.reached["reached: a reassessment"] += 1
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ----------------------------------------------------------------------------------

    def _fingerprint(self) -> tuple[Any, ...]:
        """Every ledger row, counted, and what a refused change could have altered in place."""
        counts = tuple(
            model.objects.count()
            for model in (Transaction, Leg, Payment, PaymentLine, CloseLine, Spend, Budget, Instalment, Deployment,
                          ChargeAssessment, Period, PaymentRun, AuditEvent)
        )  # fmt: skip
        return (
            counts,
            tuple(Budget.objects.order_by("pk").values_list("status", "period_end")),
            tuple(Instalment.objects.order_by("pk").values_list("amount_pence", "covers_to", "cancelled")),
            tuple(Period.objects.order_by("pk").values_list("status")),
            tuple(PaymentRun.objects.order_by("pk").values_list("status", "paid_count")),
        )

    def attempt(self, what: str, call: Any) -> Any:
        """Run a service; a refusal (a service's, or a support plan's transition) must leave every row
        as it was."""
        from selfdirect.plans.workflow import TransitionRefused

        before = self._fingerprint()
        try:
            done = call()
        except (ServiceError, TransitionRefused) as refused:
            assert self._fingerprint() == before, "a refusal left something behind"
            self.reached[f"{what}: refused"] += 1
            if isinstance(refused, services.NeedsConfirmation):
                self.reached[f"{what}: asked to confirm overspending"] += 1
            return None
        self.reached[f"{what}: done"] += 1
        return done

    # --- budgets ----------------------------------------------------------------------------------

    @rule(
        target=drafts,
        who=st.integers(0, 2),
        annual=st.integers(0, 4_000_000),
        frequency=st.sampled_from(FREQUENCIES),
        routes=st.integers(0, len(ROUTE_SETS) - 1),
        starts=st.integers(0, 200),
        shape=st.sampled_from(["level", "level", "once", "phased", "midpoint"]),
        phases=st.lists(st.tuples(st.integers(1, 20), st.integers(0, 20_000)), min_size=1, max_size=4),
    )
    def draft(self, who, annual, frequency, routes, starts, shape, phases):  # type: ignore[no-untyped-def]
        extra: dict[str, Any] = {}
        if shape == "once":
            frequency = "once"
        elif shape == "phased":
            extra["phases"] = [{"weeks": w, "weekly_pence": p} for w, p in phases]
            annual = sum(w * p for w, p in phases)
        elif shape == "midpoint":
            low, high = annual // 2, annual
            if low < high and self.rules.midpoint is not None:
                extra["midpoint"] = (low, high)
                annual = policy.midpoint_pence(self.rules.midpoint, low, high)
        budget = self.attempt("draft a budget", lambda: services.create_budget(
            self.finance, self.people[who], stream="adult_social_care", period_start=YEAR_START, period_end=YEAR_END,
            agreed_annual_pence=annual, starts_on=YEAR_START + dt.timedelta(days=starts), frequency=frequency,
            deployments=ROUTE_SETS[routes], reason="drafted", **extra,
        ))  # fmt: skip
        return budget.pk if budget else None

    @rule(target=budgets, who=st.integers(0, 2), annual=st.integers(50_000, 4_000_000),
          frequency=st.sampled_from(FREQUENCIES), routes=st.integers(0, len(ROUTE_SETS) - 1))  # fmt: skip
    def agreed_level_budget(self, who, annual, frequency, routes):  # type: ignore[no-untyped-def]
        """The commonest case, drafted and agreed in one step, so sequences reach payments and closes."""
        draft = self.draft(who, annual, frequency, routes, 0, "level", [(1, 0)])
        return self.agree(draft)

    @rule(target=budgets, budget=consumes(drafts))
    def agree(self, budget):  # type: ignore[no-untyped-def]
        if budget is None:
            return None
        agreed = self.attempt(
            "agree a budget",
            lambda: services.agree_budget(
                self.finance, Budget.objects.get(pk=budget), "plan (test)", "agreed"
            ),
        )
        return agreed.pk if agreed else None

    @rule(target=budgets, budget=budgets, when=month, offset=day_in_month, annual=st.integers(0, 4_000_000))
    def reassess(self, budget, when, offset, annual):  # type: ignore[no-untyped-def]
        if budget is None:
            return None
        new = self.attempt("reassess a budget", lambda: services.reassess_budget(
            self.finance, Budget.objects.get(pk=budget), on=_day(when, offset), agreed_annual_pence=annual,
            reason="needs changed", approved_by_ref="reassessment (test)",
        ))  # fmt: skip
        return new.pk if new else None

    @rule(budget=budgets, when=month, offset=day_in_month)
    def end(self, budget, when, offset):  # type: ignore[no-untyped-def]
        if budget is not None:
            self.attempt("end a budget", lambda: services.end_budget(
                self.finance, Budget.objects.get(pk=budget), on=_day(when, offset), reason="support ended"
            ))  # fmt: skip

    # --- payments and closes ----------------------------------------------------------------------

    @rule(when=month)
    def pay(self, when):  # type: ignore[no-untyped-def]
        run = self.attempt(
            "start a payment run", lambda: services.start_run(self.finance, self.authority, when)
        )
        if run is not None:
            paid = services.execute_run(run.pk, batch_size=7).paid_count
            self.reached["payment run: paid something" if paid else "payment run: nothing to pay"] += 1

    @rule(when=month)
    def close(self, when):  # type: ignore[no-untyped-def]
        self.attempt(
            "close a month", lambda: services.close_period(self.finance, self.authority, when, "month end")
        )

    @rule(when=month)
    def pay_then_close_the_oldest_open_month(self, when):  # type: ignore[no-untyped-def]
        """A month's usual end: its run, then the close of the oldest month still open."""
        self.pay(when)
        oldest = Period.objects.filter(authority=self.authority, status="open").order_by("start").first()
        if oldest is not None:
            self.close(oldest.label)

    # --- spending ---------------------------------------------------------------------------------

    @rule(budget=budgets, amount=pence, when=month, offset=day_in_month, confirm=st.booleans())
    def spend(self, budget, amount, when, offset, confirm):  # type: ignore[no-untyped-def]
        if budget is not None:
            self.attempt("record spending", lambda: services.record_spend(
                self.finance, Budget.objects.get(pk=budget), on=_day(when, offset), category="other",
                description="a purchase", amount_pence=amount, confirm_overspend=confirm,
            ))  # fmt: skip

    @rule(budget=budgets, amounts=st.lists(pence, min_size=1, max_size=4), when=month, confirm=st.booleans())
    def upload(self, budget, amounts, when, confirm):  # type: ignore[no-untyped-def]
        if budget is None:
            return
        lines = "".join(f"{_day(when, i)},Line {i},{a / 100:.2f},other\n" for i, a in enumerate(amounts))
        text = f"date,description,amount,category\n{lines}".encode()
        self.attempt("upload a bank statement", lambda: services.upload_statement_file(
            self.finance, Budget.objects.get(pk=budget), text, confirm_overspend=confirm
        ))  # fmt: skip

    @rule(which=st.integers(0, 30), when=month)
    def reverse(self, which, when):  # type: ignore[no-untyped-def]
        spends = list(Spend.objects.filter(budget__authority=self.authority).order_by("pk"))
        if spends:
            txn = spends[which % len(spends)].transaction
            self.attempt(
                "reverse spending",
                lambda: services.reverse_transaction(self.finance, txn, "entered twice", _day(when, 27)),
            )

    # --- contributions and claw-back --------------------------------------------------------------

    @rule(who=st.integers(0, 2), weekly=st.integers(0, 5_000), when=month)
    def assess(self, who, weekly, when):  # type: ignore[no-untyped-def]
        self.attempt("assess a contribution", lambda: services.assess_charge(
            self.finance, self.people[who], weekly_pence=weekly, starts_on=_day(when, 0), reason="assessed"
        ))  # fmt: skip

    @rule(who=st.integers(0, 2), amount=pence, when=month, offset=day_in_month)
    def receive_contribution(self, who, amount, when, offset):  # type: ignore[no-untyped-def]
        self.attempt(
            "receive a contribution",
            lambda: services.receive_contribution(self.finance, self.people[who], amount, _day(when, offset)),
        )

    @rule(budget=budgets, amount=pence, when=month, offset=day_in_month)
    def receive_clawback(self, budget, amount, when, offset):  # type: ignore[no-untyped-def]
        if budget is not None:
            self.attempt("receive claw-back", lambda: services.receive_clawback(
                self.finance, Budget.objects.get(pk=budget), amount, _day(when, offset), reason="paid back"
            ))  # fmt: skip

    # --- a support plan starts and ends -------------------------------------------------------------

    @precondition(lambda self: self.plan is None)
    @rule(annual=st.integers(400_400, 2_000_000))  # the plan (a PA an hour a day) costs £4,004 a year
    def start_plan(self, annual):  # type: ignore[no-untyped-def]
        from plans_support import activate, write_plan

        self.plan = write_plan(type(self).side, budget=annual)
        self.attempt("start a support plan", lambda: activate(type(self).side, self.plan))

    @precondition(lambda self: self.plan is not None)
    @rule(when=month, offset=day_in_month)
    def end_plan(self, when, offset):  # type: ignore[no-untyped-def]
        from selfdirect.plans import services as plans

        plan = type(self.plan).objects.get(pk=self.plan.pk)
        assessor = type(self).side.users[Role.ASSESSOR]
        self.attempt(
            "end a support plan",
            lambda: plans.apply_transition(assessor, plan, "end", "moved away", today=_day(when, offset)),
        )

    # --- the rules that must always hold ----------------------------------------------------------

    @invariant()
    def books_balance(self) -> None:
        check_invariants(self.authority)

    @invariant()
    def each_instalment_paid_once_in_its_runs_month(self) -> None:
        assert not Payment.objects.values("instalment").annotate(n=Count("id")).filter(n__gt=1).exists()
        for run_start, posted_on in Payment.objects.filter(run__authority=self.authority).values_list(
            "run__period__start", "transaction__on"
        ):
            assert posted_on.replace(day=1) == run_start

    @invariant()
    def months_close_in_order_and_stay_closed(self) -> None:
        periods = list(Period.objects.filter(authority=self.authority).order_by("start"))
        statuses = [p.status for p in periods]
        assert statuses == sorted(statuses, key=lambda s: s != "closed"), f"closed out of order: {statuses}"
        for p in periods:
            if p.closed_at is not None:
                assert not Transaction.objects.filter(period=p, posted_at__gt=p.closed_at).exists()

    @invariant()
    def closes_take_only_what_was_unspent_and_keep_no_more_than_the_rule(self) -> None:
        carried: dict[int, int] = defaultdict(int)
        lines = CloseLine.objects.filter(period__authority=self.authority).order_by(
            "period__start", "budget_id"
        )
        for line in lines.select_related("period", "budget"):
            unspent = max(line.unspent_pence, 0)
            assert line.kept_pence >= 0 and line.clawed_back_pence >= 0
            assert line.kept_pence + line.clawed_back_pence == unspent
            # What was unspent is at most what the holders had at the month end before the claw-back.
            end_balance = int(
                Leg.objects.filter(
                    account__authority=self.authority,
                    account__code__startswith=f"holder:{line.budget_id}:",
                    transaction__on__lte=line.period.end,
                ).aggregate(s=Sum(books.SIGNED, default=0))["s"]
            )
            assert line.unspent_pence <= end_balance + line.clawed_back_pence
            assert line.kept_pence <= self._cap(line, carried[line.budget_id])
            carried[line.budget_id] = line.kept_pence

    def _cap(self, line: CloseLine, carried_in: int) -> int:
        rules = self.rules.period_close
        if rules.method == "rollover_share":
            paid = Payment.objects.filter(
                run__period=line.period, instalment__budget_id=line.budget_id
            ).aggregate(s=Sum("amount_pence", default=0))["s"]
            return carried_in + round_pence(Decimal(paid) * rules.rollover_share_percent / 100)
        if rules.method == "keep_weeks":
            return policy.weeks_allocation(line.budget.agreed_annual_pence, rules.keep_weeks)
        return max(line.unspent_pence, 0)

    @invariant()
    def holders_go_below_nothing_only_by_flagged_overspending(self) -> None:
        margin = self.rules.spending.overspend_margin_pence
        for code, balance in books.balances(self.authority, "holder:").items():
            if balance >= 0:
                continue
            _, budget_id, route = code.split(":")
            flagged = Spend.objects.filter(
                budget_id=budget_id, route=route, flagged=True, flag_reason__contains="below what it held",
                transaction__reversed_by__isnull=True,
            )  # fmt: skip
            assert flagged.exists(), f"{code} is {balance} with no flagged overspending"
            if balance < -margin:
                assert flagged.filter(flag_reason__contains="confirmed").exists(), (
                    f"{code} unconfirmed at {balance}"
                )

    @invariant()
    def claw_back_received_never_exceeds_what_was_clawed_back(self) -> None:
        assert books.balances(self.authority, "clawback").get("clawback", 0) >= 0
