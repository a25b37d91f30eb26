"""The money in any order of events (issue 16): the state machine in ledger_machine.py, run over
both demo authorities' rules (Northshire rolls over 10% a month and nets contributions off;
Southvale keeps 8 weeks and invoices them after two free years). A few hundred sequences here, on
SQLite and on PostgreSQL; bench/soak_ledger.py runs 10,000."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from ledger_machine import LedgerMachine

# The soak (bench/soak_ledger.py) sets these; the suite runs 120 sequences of up to 25 steps each.
EXAMPLES = int(os.environ.get("SELFDIRECT_MACHINE_EXAMPLES", "120"))
STEPS = int(os.environ.get("SELFDIRECT_MACHINE_STEPS", "25"))


@pytest.mark.parametrize("slug", ["north", "south"])
def test_the_money_is_right_in_any_order_of_events(world, slug):
    reached: Counter[str] = Counter()
    machine = type(
        f"LedgerMachine_{slug}", (LedgerMachine,), {"side": getattr(world, slug), "reached": reached}
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=EXAMPLES <= 200,
            database=None,  # the same sequences every run: none replayed from an earlier run's failures
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        ),
    )  # fmt: skip
    if os.environ.get("SELFDIRECT_MACHINE_REPORT"):  # the soak's tally (bench/soak_ledger.py)
        with open(os.environ["SELFDIRECT_MACHINE_REPORT"], "a", encoding="utf-8") as report:
            report.write(json.dumps(reached) + "\n")
    for what in ("reached: a claw-back", "reached: overspending flagged", "reached: arrears paid by a later run",
                 "reached: a reassessment", "payment run: paid something", "close a month: done",
                 "close a month: refused", "end a support plan: done"):  # fmt: skip
        assert reached[what], f"no sequence reached {what!r}: {dict(reached)}"
    asked = (
        reached["record spending: asked to confirm overspending"]
        + reached["upload a bank statement: asked to confirm overspending"]
    )
    assert asked, f"no sequence was asked to confirm overspending: {dict(reached)}"
