"""Instalment schedules, in plain Python: from the agreed start (move-in) date to the end of the
budget's period, with no gap, and amounts that sum exactly to what the period owes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from selfdirect.core.dates import add_months
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


def period_amount(annual_pence: int, period_start: dt.date, period_end: dt.date, starts_on: dt.date) -> int:
    """What the period owes from ``starts_on``: the annual figure, pro rata by days if it starts late."""
    if starts_on <= period_start:
        return annual_pence
    whole = (period_end - period_start).days + 1
    part = (period_end - starts_on).days + 1
    return round_pence(Decimal(annual_pence) * part / whole)


ONCE = "once"


@dataclass(frozen=True)
class Phase:
    """Part of a budget whose money is not level: so much a week, for so many weeks."""

    weeks: int
    weekly_pence: int


def phases_from(data: object) -> list[Phase]:
    """Phases as stored on a budget (a list of {"weeks", "weekly_pence"}), checked: whole weeks and
    whole pence, none negative, at least one week in all. ValueError says what is wrong."""
    if not isinstance(data, list) or not data:
        raise ValueError("phases must be a list of {weeks, weekly_pence}")
    phases = []
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict) or set(item) != {"weeks", "weekly_pence"}:
            raise ValueError(f"phase {i} must give exactly weeks and weekly_pence")
        weeks, weekly = item["weeks"], item["weekly_pence"]
        for name, value in (("weeks", weeks), ("weekly_pence", weekly)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"phase {i}: {name} must be a whole number, zero or more")
        phases.append(Phase(weeks, weekly))
    if not any(p.weeks for p in phases):
        raise ValueError("the phases must last at least one week")
    return phases


def phases_total(phases: list[Phase]) -> int:
    return sum(p.weeks * p.weekly_pence for p in phases)


def _daily_weights(phases: list[Phase], starts_on: dt.date) -> dict[dt.date, int]:
    """Each day's share of the phases, as an integer weight (the phase's weekly pence: a day is a
    seventh of its week in every phase alike). Days after the last phase weigh nothing."""
    weights: dict[dt.date, int] = {}
    day = starts_on
    for phase in phases:
        for _ in range(phase.weeks * 7):
            weights[day] = phase.weekly_pence
            day += dt.timedelta(days=1)
    return weights


def schedule(
    annual_pence: int,
    period_start: dt.date,
    period_end: dt.date,
    starts_on: dt.date,
    frequency: str,
    phases: list[Phase] | None = None,
) -> list[Slot]:
    """Instalments paid in advance from ``starts_on``, summing exactly to what the period owes.

    Level (no ``phases``): full instalments are equal, a short last one is pro rata by days, and a
    late start pays the part of the period it covers. Phased: each instalment carries the phases'
    money for the days it covers (paid weekly, each week is its phase's weekly amount), and the
    phases' total is the agreed figure; what falls after the period's end is not paid. Once: the
    whole figure, paid on the start date (a one-off grant is not pro rata)."""
    if frequency != ONCE and frequency not in STEP_DAYS and frequency not in STEP_MONTHS:
        raise ValueError(f"unknown instalment frequency {frequency!r}")
    if not period_start <= starts_on <= period_end:
        raise ValueError("the start date must fall within the budget's period")
    if frequency == ONCE:
        return [Slot(1, starts_on, starts_on, period_end, annual_pence)]
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
    if phases:
        daily = _daily_weights(phases, starts_on)
        weights = [
            Decimal(sum(daily.get(a + dt.timedelta(days=i), 0) for i in range((b - a).days + 1)))
            for a, b, _ in ranges
        ]
        whole = sum(daily.values())
        inside = sum(weights)
        total = round_pence(Decimal(annual_pence) * inside / whole) if whole else 0
        ranges = [(a, b, w) for (a, b, _), w in zip(ranges, weights, strict=True)]
    else:
        total = period_amount(annual_pence, period_start, period_end, starts_on)
    usable = total and any(w for _, _, w in ranges)
    amounts = split_pence(total, [w for _, _, w in ranges]) if usable else [0] * len(ranges)
    return [Slot(i + 1, a, a, b, amt) for i, ((a, b, _), amt) in enumerate(zip(ranges, amounts, strict=True))]
