"""Diminishing schedule (Norfolk style): time-limited support whose hours a week fall phase by
phase over the year, at an hourly rate; the ledger pays each phase's weeks at its own amount.

No vectorised form: the population engine works these rows out one person at a time."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..money import CENTI, FP, div_round, format_fp, format_number, format_rate, round_fp_to_pence, scaled
from ..schema import Phase, ScheduleMethod
from .common import UNCHOSEN_HOURLY_RATE, AllocationMethod, Loc, OnePerson, Part, PolicyChecks


class Schedule(AllocationMethod[ScheduleMethod]):
    schema = ScheduleMethod
    vectorised = False

    # ---- calculation
    def parts(self, person: OnePerson, m: ScheduleMethod) -> list[Part]:
        rate = person.rate(m.rate)
        if rate is None:
            return [UNCHOSEN_HOURLY_RATE]
        rid, amount = rate
        per_hour = scaled(amount, FP)
        return [
            explain(
                i, ph, rid, amount, div_round(scaled(ph.hours_per_week, CENTI) * ph.weeks * per_hour, CENTI)
            )
            for i, ph in enumerate(m.phases, 1)
        ]

    def payments(self, person: OnePerson, m: ScheduleMethod) -> dict[str, Any] | None:
        """The phases, each week's money at the rate the calculation used."""
        rate = person.rate(m.rate)
        if rate is None:
            return None
        per_hour = scaled(rate[1], FP)
        return {"phases": [
            {"weeks": ph.weeks, "weekly_pence": round_fp_to_pence(div_round(scaled(ph.hours_per_week, CENTI) * per_hour, CENTI), "penny", "nearest")}
            for ph in m.phases
        ]}  # fmt: skip

    # ---- checks
    def check(self, checks: PolicyChecks, m: ScheduleMethod, loc: Loc, stream: str) -> None:
        checks.rate(m.rate, loc + ("rate",), ("hour",))
        if not m.phases:
            checks.add(loc + ("phases",), "a schedule needs at least one phase")
        for i, ph in enumerate(m.phases):
            checks.hours(ph.hours_per_week, loc + ("phases", i, "hours_per_week"))
        total = sum(p.weeks for p in m.phases)
        if total > checks.weeks:
            checks.add(
                loc + ("phases",), f"the phases last {total} weeks, more than a year of {checks.weeks}"
            )


# ---- explanation
def explain(i: int, ph: Phase, rid: str, amount: Decimal, fp: int) -> Part:
    return Part(
        f"phase {i}",
        f"{format_number(ph.hours_per_week)} hours a week for {ph.weeks} weeks at {format_rate(amount)} an hour.",
        f"phase {i}: {format_number(ph.hours_per_week)} h/wk x {ph.weeks} wk x {rid} "
        f"{format_rate(amount)}/h = {format_fp(fp)}",
        fp,
    )


METHOD = Schedule()
