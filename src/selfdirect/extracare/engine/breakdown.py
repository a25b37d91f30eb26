"""Labelled lines behind every figure, so the product can explain a number, not just show it.

Commissioners are asked "where does 310 come from?"; each calculator therefore returns the
lines of its working (``2 staff x 14 h x 7 days = 196``) and named subtotals, and the total is
the sum of the lines, never a separately computed number that could drift from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


def fmt_hours(value: Decimal) -> str:
    """342.50 -> '342.5', 196 -> '196': how the seed writes hours."""
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True)
class Line:
    """One line of working: a label, the figure, and the arithmetic in words."""

    label: str
    hours: Decimal
    working: str = ""
    counts_to_total: bool = True


@dataclass(frozen=True)
class Subtotal:
    """A named intermediate figure the seed quotes (e.g. 342.5 contact hours before nights)."""

    key: str
    label: str
    hours: Decimal


@dataclass(frozen=True)
class HoursBreakdown:
    """A weekly-hours figure with its working. ``total`` is the sum of the counted lines."""

    title: str
    lines: tuple[Line, ...]
    subtotals: tuple[Subtotal, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def total(self) -> Decimal:
        return sum((line.hours for line in self.lines if line.counts_to_total), Decimal(0))

    def subtotal(self, key: str) -> Decimal:
        """The named subtotal, e.g. ``subtotal("with_nights")``; ``KeyError`` names the choices."""
        for sub in self.subtotals:
            if sub.key == key:
                return sub.hours
        raise KeyError(f"no subtotal {key!r}; have {[s.key for s in self.subtotals]}")

    def as_text(self) -> str:
        """Plain-text explanation, one line each, for logs, CLIs and tests."""
        rows = [self.title]
        for line in self.lines:
            marker = "" if line.counts_to_total else " (not added)"
            working = f" ({line.working})" if line.working else ""
            rows.append(f"  {line.label}: {fmt_hours(line.hours)} h{working}{marker}")
        for sub in self.subtotals:
            rows.append(f"  = {sub.label}: {fmt_hours(sub.hours)} h")
        rows.append(f"  Total: {fmt_hours(self.total)} h")
        rows.extend(f"  Note: {n}" for n in self.notes)
        return "\n".join(rows)
