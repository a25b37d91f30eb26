"""Fixed: a fixed annual sum (e.g. a carers' grant) when the stream's condition holds."""

from __future__ import annotations

from collections.abc import Mapping

from ..money import FP, IntArray, format_rate, scaled
from ..schema import FixedMethod
from .common import AllocationMethod, Everyone, Loc, OnePerson, Part, PolicyChecks


class Fixed(AllocationMethod[FixedMethod]):
    schema = FixedMethod

    # ---- calculation and explanation
    def parts(self, person: OnePerson, m: FixedMethod) -> list[Part]:
        rate = person.rate(m.rate)
        if rate is None:
            return [NO_AMOUNT]
        rid, amount = rate
        return [
            Part(
                "fixed",
                f"A fixed amount of {format_rate(amount)} a year.",
                f"fixed {rid} = {format_rate(amount)} a year",
                scaled(amount, FP),
            )
        ]

    def population(self, everyone: Everyone, m: FixedMethod, final: Mapping[str, IntArray]) -> IntArray | int:
        return everyone.rate_fp(m.rate)

    # ---- checks
    def check(self, checks: PolicyChecks, m: FixedMethod, loc: Loc, stream: str) -> None:
        checks.rate(m.rate, loc + ("rate",), ("year",))


NO_AMOUNT = Part("fixed", "We could not choose an amount yet.", "rate depends on an unanswered question", 0)

METHOD = Fixed()
