"""Money is integer pence. One place formats it and splits it, so no screen or sum loses a penny."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# No single amount in a council's books comes near £10bn; anything bigger is a typing error.
MAX_PENCE = 10**12


# A negative amount read by people carries a true minus sign ("−£5,872.45", U+2212), as printed
# accounts do; a file read by a machine (symbol=False) keeps the hyphen-minus a bank expects.
MINUS = "\u2212"


def format_pence(pence: int, *, symbol: bool = True, grouping: bool = True) -> str:
    """The one money formatter: 123456 -> '£1,234.56'; -5 -> '−£0.05' (a true minus sign before
    the pound sign, the pence of a negative amount counted from nothing, never from the pound below
    it); ``symbol=False, grouping=False`` gives a bank file's '-1234.56'."""
    if not isinstance(pence, int) or isinstance(pence, bool):
        raise TypeError(f"money must be integer pence, not {type(pence).__name__}")
    sign = (MINUS if symbol else "-") if pence < 0 else ""
    pounds, pennies = divmod(abs(pence), 100)
    whole = f"{pounds:,}" if grouping else str(pounds)
    return f"{sign}{'£' if symbol else ''}{whole}.{pennies:02d}"


def format_rate(pence: Decimal | int | str) -> str:
    """A rate in (possibly fractional) pence as pounds, keeping the sub-penny digits a price per
    point has: Decimal('30779.4011') -> '£307.794011'."""
    pounds = (Decimal(pence) / 100).normalize()
    sign = MINUS if pounds < 0 else ""
    pounds = abs(pounds)
    text = f"{pounds:,.2f}" if pounds == pounds.quantize(Decimal("0.01")) else f"{pounds:,f}"
    return f"{sign}£{text}"


def parse_pounds(text: str) -> int:
    """'£1,260.00' or '1260' -> 126000 pence. Refuses fractions of a penny and non-numbers."""
    cleaned = text.strip().replace("£", "").replace(",", "").replace(MINUS, "-")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount of money") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount of money")
    pence = value * 100
    if abs(pence) > MAX_PENCE:
        raise ValueError(f"{text!r} is too large an amount")
    if pence != pence.to_integral_value():
        raise ValueError(f"{text!r} has a fraction of a penny")
    return int(pence)


def round_pence(value: Decimal) -> int:
    """Round a Decimal number of pence half up to whole pence (the usual rule for money)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def split_pence(total: int, weights: Sequence[int | Decimal]) -> list[int]:
    """Split ``total`` pence in proportion to ``weights`` by largest remainder.

    The parts always sum to ``total`` exactly; ties go to the earlier part so the split is stable.
    """
    if not weights:
        raise ValueError("nothing to split between")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(Decimal(w) for w in weights)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    exact = [Decimal(magnitude) * Decimal(w) / weight_sum for w in weights]
    floors = [int(x) for x in exact]
    short = magnitude - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:short]:
        floors[i] += 1
    return [sign * f for f in floors]
