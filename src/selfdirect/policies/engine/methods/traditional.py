"""Traditional services (seed 003): the cost of the services that would meet the need, each a
quantity answered times its rate, while a RAS is being tuned for the group.

No vectorised form: the population engine works these rows out one person at a time."""

from __future__ import annotations

from decimal import Decimal

from ..money import CENTI, FP, div_round, format_fp, format_number, format_rate, scaled
from ..schema import ServiceItem, TraditionalMethod
from .common import AllocationMethod, Loc, OnePerson, Part, PolicyChecks


class Traditional(AllocationMethod[TraditionalMethod]):
    schema = TraditionalMethod
    vectorised = False

    # ---- calculation
    def parts(self, person: OnePerson, m: TraditionalMethod) -> list[Part]:
        w = person.model.weeks_per_year
        parts = []
        for item in m.items:
            qty = person.answers.get(item.question)
            if qty is None:
                continue
            rate = person.rate(item.rate)
            if rate is None:
                continue
            rid, amount = rate
            k = w if item.per == "week" else 1
            fp = div_round(scaled(qty, CENTI) * scaled(amount, FP) * k, CENTI)
            parts.append(explain(item, qty, rid, amount, person.model.rates[rid].unit, k, fp))
        return parts or [NOTHING_COSTED]

    # ---- checks
    def check(self, checks: PolicyChecks, m: TraditionalMethod, loc: Loc, stream: str) -> None:
        for i, item in enumerate(m.items):
            checks.question(item.question, loc + ("items", i, "question"), ("number",))
            checks.rate(
                item.rate, loc + ("items", i, "rate"), ("hour", "week", "night", "session", "item", "year")
            )


# ---- explanation
NOTHING_COSTED = Part(
    "service", "No services have been costed yet.", "traditional services: no quantities answered", 0
)


def explain(item: ServiceItem, qty: Decimal, rid: str, amount: Decimal, unit: str, k: int, fp: int) -> Part:
    return Part(
        "service",
        f"{item.label}: {format_number(qty)} a {item.per} at {format_rate(amount)} each.",
        f"{item.label}: {item.question} = {format_number(qty)}/{item.per} x {rid} "
        f"{format_rate(amount)}/{unit}{f' x {k} weeks' if k != 1 else ''} = {format_fp(fp)}",
        fp,
    )


METHOD = Traditional()
