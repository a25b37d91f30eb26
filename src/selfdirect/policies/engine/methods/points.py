"""Points (In Control style): a derived points score times a price per point, a year or a week."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import overload

import numpy as np

from ..money import FP, SCORE_SCALE, IntArray, div_round, format_fp, format_rate, mul_div_round, scaled
from ..schema import PointsMethod
from .common import AllocationMethod, Everyone, Loc, OnePerson, Part, PolicyChecks, score_text


class Points(AllocationMethod[PointsMethod]):
    schema = PointsMethod

    # ---- calculation
    def parts(self, person: OnePerson, m: PointsMethod) -> list[Part]:
        score = person.scores.get(m.score, 0)
        rate = person.rate(m.price_per_point)
        if rate is None:
            return [NO_PRICE]
        rid, amount = rate
        k = weeks_paid(m, person.model.weeks_per_year)
        fp = points_fp(score, scaled(amount, FP), k)
        return [explain(m, score, rid, amount, k, fp)]

    def population(
        self, everyone: Everyone, m: PointsMethod, final: Mapping[str, IntArray]
    ) -> IntArray | int:
        k = weeks_paid(m, everyone.model.weeks_per_year)
        rate = everyone.rate_fp(m.price_per_point)
        score = everyone.score(m.score)
        if isinstance(rate, int):
            # one price for everyone: the fraction reduced, so a whole price is one multiplication
            return mul_div_round(score, rate * k, SCORE_SCALE)
        return points_fp(score.astype(np.int64), rate, k)

    def check(self, checks: PolicyChecks, m: PointsMethod, loc: Loc, stream: str) -> None:
        checks.derived_ref(m.score, loc + ("score",))
        checks.rate(m.price_per_point, loc + ("price_per_point",), ("point",))


def weeks_paid(m: PointsMethod, weeks_per_year: int) -> int:
    """How many times a year the price is paid: every week, or once."""
    return weeks_per_year if m.period == "week" else 1


@overload
def points_fp(score: int, rate_fp: int, k: int) -> int: ...
@overload
def points_fp(score: IntArray, rate_fp: IntArray | int, k: int) -> IntArray: ...
def points_fp(score: int | IntArray, rate_fp: int | IntArray, k: int) -> int | IntArray:
    """Score (at SCORE_SCALE) x price per point (fixed point) x times a year, in fixed point."""
    return div_round(score * rate_fp * k, SCORE_SCALE)


# ---- explanation
NO_PRICE = Part(
    "rate",
    "We could not choose a price per point yet.",
    "price per point depends on an unanswered question",
    0,
)


def explain(m: PointsMethod, score: int, rid: str, amount: Decimal, k: int, fp: int) -> Part:
    per = "a week" if m.period == "week" else "a year"
    return Part(
        "points",
        f"Your answers scored {score_text(score)} points. Each point is worth {format_rate(amount)} {per}.",
        f"{m.score} = {score_text(score)} points x price per point {rid} {format_rate(amount)}"
        f"{f' x {k} weeks' if k != 1 else ''} = {format_fp(fp)}",
        fp,
    )


METHOD = Points()
