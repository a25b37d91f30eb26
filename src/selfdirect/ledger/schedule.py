"""Instalment schedules, in plain Python: from the agreed start (move-in) date to the end of the
budget's period, with no gap, and amounts that sum exactly to what the period owes."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from selfdirect.core.money import round_pence, split_pence

STEP_DAYS = {"weekly": 7, "four_weekly": 28}
STEP_MONTHS = {"monthly": 1, "quarterly": 3}


@dataclass(frozen=True)
class Slot:
    seq: int
    due_on: dt.date
    covers_from: dt.date
    covers_to: dt.date
    amount_pence: int


def add_months(day: dt.date, months: int, anchor_day: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def period_amount(annual_pence: int, period_start: dt.date, period_end: dt.date, starts_on: dt.date) -> int:
    """What the period owes from ``starts_on``: the annual figure, pro rata by days if it starts late."""
    if starts_on <= period_start:
        return annual_pence
    whole = (period_end - period_start).days + 1
    part = (period_end - starts_on).days + 1
    return round_pence(Decimal(annual_pence) * part / whole)


def schedule(
    annual_pence: int, period_start: dt.date, period_end: dt.date, starts_on: dt.date, frequency: str
) -> list[Slot]:
    """Instalments paid in advance from ``starts_on``. Full instalments are equal; a short last
    one is pro rata by days; split_pence makes the parts sum to the period's amount exactly."""
    if frequency not in STEP_DAYS and frequency not in STEP_MONTHS:
        raise ValueError(f"unknown instalment frequency {frequency!r}")
    if not period_start <= starts_on <= period_end:
        raise ValueError("the start date must fall within the budget's period")
    total = period_amount(annual_pence, period_start, period_end, starts_on)
    ranges: list[tuple[dt.date, dt.date, Decimal]] = []
    day, n = starts_on, 0
    while day <= period_end:
        n += 1
        if frequency in STEP_DAYS:
            full_next = starts_on + dt.timedelta(days=STEP_DAYS[frequency] * n)
        else:
            full_next = add_months(starts_on, STEP_MONTHS[frequency] * n, starts_on.day)
        full_len = (full_next - day).days
        end = min(full_next - dt.timedelta(days=1), period_end)
        ranges.append((day, end, Decimal((end - day).days + 1) / full_len))
        day = end + dt.timedelta(days=1)
    amounts = split_pence(total, [w for _, _, w in ranges]) if total else [0] * len(ranges)
    return [Slot(i + 1, a, a, b, amt) for i, ((a, b, _), amt) in enumerate(zip(ranges, amounts, strict=True))]
