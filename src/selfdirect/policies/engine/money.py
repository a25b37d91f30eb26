"""Exact money arithmetic shared by the per-person and the population paths.

Money is integer pence at every boundary (DESIGN.md: "never a float"). Inside a
calculation we keep amounts as integers in *fixed-point* units of 1/10,000 of a penny
(``FP``), because rates may carry fractional pence (a price per point sized from a pot
is rarely a whole number) and percentages must not lose pence before the final rounding.

Every step is an integer multiplication followed by :func:`div_round`, whose formula
works identically on Python ints and on numpy int64 arrays. That is what makes the
vectorised population engine give *exactly* the same pence as the explained
per-person engine: both run the same integer operations in the same order.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Literal, TypeVar, overload

import numpy as np
import numpy.typing as npt

from selfdirect.core.money import format_pence, format_rate  # noqa: F401 - the engine's explanations use the one formatter

#: fixed-point units per penny for intermediate amounts and rates
FP = 10_000
#: fixed-point scale for points, weights and caps (points have at most 2 dp, weights 2 dp)
SCORE_SCALE = 10_000
#: scale for hours, percentages and number answers (at most 2 decimal places)
CENTI = 100

RoundTo = Literal["penny", "pound", "ten_pounds"]
RoundMode = Literal["nearest", "up", "down"]

_UNIT_PENCE: dict[str, int] = {"penny": 1, "pound": 100, "ten_pounds": 1000}

IntArray = npt.NDArray[np.int64]
T = TypeVar("T", int, IntArray)


def scaled(value: Decimal | int, scale: int) -> int:
    """Convert a policy number to an integer at ``scale``; callers validated its precision."""
    return int(Decimal(value) * scale)


def fits_scale(value: Decimal | int, scale: int) -> bool:
    """True when ``value`` has no more decimal places than ``scale`` can hold exactly."""
    d = Decimal(value) * scale
    return d == d.to_integral_value()


@overload
def div_round(num: int, den: int) -> int: ...
@overload
def div_round(num: IntArray, den: int) -> IntArray: ...
def div_round(num: int | IntArray, den: int) -> int | IntArray:
    """Divide and round half away from zero for positives (half up), exactly.

    Floor division has the same meaning for Python ints and numpy int64, so the
    scalar and vectorised engines agree to the penny by construction.
    """
    return (2 * num + den) // (2 * den)


def mul_div_round(x: npt.NDArray[Any], num: int, den: int) -> IntArray:
    """``div_round(x * num, den)`` in int64 with the fraction reduced first.

    Exact: with ``g = gcd(num, den)``, ``(2·x·num + den) // (2·den)`` equals
    ``(2·x·num/g + den/g) // (2·den/g)``, and when ``den/g`` is 1 the rounding is a no-op,
    so a price of £270.00 per point (fixed point 2,700,000,000 per 10,000 score units) is a
    single multiplication.
    """
    g = math.gcd(num, den)
    num, den = num // g, den // g
    if len(x):
        # int64 wraps silently: if 2·x·num + den could pass 2**63, work in Python integers (exact,
        # like the per-person path) - only a huge price over few points gets here
        top = max(abs(int(x.max())), abs(int(x.min())))
        if 2 * top * abs(num) + den >= 2**63:
            exact = [div_round(int(v) * num, den) for v in x.tolist()]
            return np.array(exact, dtype=np.int64)  # OverflowError if an amount itself cannot fit
    prod = np.multiply(x, np.int64(num), dtype=np.int64)
    if den == 1:
        return prod
    return div_round(prod, den)


@overload
def round_fp_to_pence(amount_fp: int, to: RoundTo, mode: RoundMode) -> int: ...
@overload
def round_fp_to_pence(amount_fp: IntArray, to: RoundTo, mode: RoundMode) -> IntArray: ...
def round_fp_to_pence(amount_fp: int | IntArray, to: RoundTo, mode: RoundMode) -> int | IntArray:
    """Apply the policy's rounding rule to a fixed-point amount; returns whole pence."""
    unit = _UNIT_PENCE[to] * FP
    if mode == "nearest":
        units = div_round(amount_fp, unit)
    elif mode == "up":
        units = -((-amount_fp) // unit)
    else:
        units = amount_fp // unit
    return units * _UNIT_PENCE[to]


def fp_to_decimal_pence(amount_fp: int) -> Decimal:
    """Fixed point to Decimal pence, for explanations only."""
    return Decimal(amount_fp) / FP


def format_fp(amount_fp: int) -> str:
    """A fixed-point amount as pounds (sub-penny digits kept), for the working shown to staff."""
    return format_rate(fp_to_decimal_pence(amount_fp))


def format_number(value: Decimal | int) -> str:
    """Show a Decimal without trailing zeros (3.50 -> 3.5, 4.00 -> 4)."""
    d = Decimal(value)
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")
