"""Share of another stream: a percentage of that stream's final amount (e.g. a carers' element);
the other stream is worked out first."""

from __future__ import annotations

from collections.abc import Mapping

from ..money import (
    CENTI,
    FP,
    IntArray,
    div_round,
    fits_scale,
    format_fp,
    format_number,
    format_pence,
    mul_div_round,
    scaled,
)
from ..schema import ShareMethod
from .common import AllocationMethod, Everyone, Loc, OnePerson, Part, PolicyChecks


class Share(AllocationMethod[ShareMethod]):
    schema = ShareMethod

    # ---- calculation
    def parts(self, person: OnePerson, m: ShareMethod) -> list[Part]:
        other = person.final.get(m.stream, 0)
        fp = div_round(other * FP * scaled(m.percent, CENTI), 100 * CENTI)
        return [explain(m, other, fp)]

    def population(self, everyone: Everyone, m: ShareMethod, final: Mapping[str, IntArray]) -> IntArray | int:
        return mul_div_round(final[m.stream], FP * scaled(m.percent, CENTI), 100 * CENTI)

    def streams_used(self, m: ShareMethod) -> Mapping[str, str]:
        return {"stream": m.stream}

    # ---- checks
    def check(self, checks: PolicyChecks, m: ShareMethod, loc: Loc, stream: str) -> None:
        if m.stream not in checks.stream_names:
            checks.add(loc + ("stream",), f"stream {m.stream!r} is not defined under streams")
        if m.stream == stream:
            checks.add(loc + ("stream",), f"circular reference: stream {stream!r} refers to itself")
        if m.percent < 0 or not fits_scale(m.percent, CENTI):
            checks.add(loc + ("percent",), "must be a non-negative percentage with at most 2 decimals")


# ---- explanation
def explain(m: ShareMethod, other: int, fp: int) -> Part:
    return Part(
        "share",
        f"{format_number(m.percent)}% of your {m.stream.replace('_', ' ')} budget.",
        f"{format_number(m.percent)}% of {m.stream} {format_pence(other)} = {format_fp(fp)}",
        fp,
    )


METHOD = Share()
