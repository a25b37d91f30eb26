"""What the hours cost: one loaded hourly rate, or an itemised open-book breakdown.

Seed 003 (Section 6, 3.2 "Costing the Service") describes both: the usual single hourly rate
for contact hours that loads the care team leader and non-contact time (handover, training,
supervision, leave and sickness, night costs), and open-book accounting where every component
is itemised. The seed gives no money figures, so rates are inputs; the engine only does the
arithmetic, in integer pence, rounding each line half-up to the penny so the lines add up to
the total exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import Field

from selfdirect.core.money import format_pence

from .breakdown import fmt_hours
from .errors import SchemeInputError
from .model import CoreRules, EngineModel, NonNegHours, StaffingRules

Pct = Annotated[Decimal, Field(ge=0, le=100)]
Pence = Annotated[int, Field(ge=0)]
HUNDRED = Decimal(100)


def to_pence(amount: Decimal) -> int:
    """Round an exact amount in pence to whole pence, half up (the way invoices round)."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pounds(pence: int) -> Decimal:
    """Pence as pounds with exactly 2 places: 872297 -> Decimal('8722.97')."""
    return (Decimal(pence) / HUNDRED).quantize(Decimal("0.01"))


def format_pounds(pence: int) -> str:
    """872297 -> '£8,722.97': the one money formatter (core.money is plain Python, no Django)."""
    return format_pence(int(pence))


class CostedHours(EngineModel):
    """Weekly hours split the way they are costed: contact by day, nights, handover, team leader."""

    day_contact_hours: NonNegHours
    night_hours: NonNegHours = Decimal(0)
    handover_hours: NonNegHours = Decimal(0)
    team_leader_hours: NonNegHours = Decimal(0)

    @classmethod
    def from_staffing(cls, staffing: StaffingRules) -> CostedHours:
        """The minimum block's hours (seed: 196 day, 70 night, 7 handover, 37 team leader)."""
        d = staffing.days_per_week
        return cls(
            day_contact_hours=staffing.day_min_staff * staffing.day_hours_per_day * d,
            night_hours=staffing.night_min_staff * staffing.night_hours_per_night * d,
            handover_hours=staffing.handover_hours_per_day * d,
            team_leader_hours=staffing.team_leader_hours_per_week,
        )

    @classmethod
    def from_core(cls, core: CoreRules) -> CostedHours:
        """The core block's hours (seed: 112 day of which 40 management/floating, 56 night, 7 handover)."""
        d = core.days_per_week
        return cls(
            day_contact_hours=core.staff_on_site * core.day_hours_per_day * d
            - core.management_floating_hours_per_week,
            night_hours=core.staff_on_site * core.night_hours_per_night * d,
            handover_hours=core.handover_hours_per_day * d,
            team_leader_hours=core.management_floating_hours_per_week,
        )

    @property
    def contact_hours(self) -> Decimal:
        """Hours a single hourly rate is charged on: day contact plus nights (seed 3.2.1)."""
        return self.day_contact_hours + self.night_hours

    @property
    def total_hours(self) -> Decimal:
        return self.day_contact_hours + self.night_hours + self.handover_hours + self.team_leader_hours


class RateCard(EngineModel):
    """Hourly costs (pence) and loadings (percent) for an itemised, open-book costing.

    Loadings for leave and sickness, training and supervision apply to the staff cost;
    overheads to the staff cost plus those loadings; the margin to everything before it.
    """

    day_rate_pence: Pence
    night_rate_pence: Pence
    team_leader_rate_pence: Pence
    leave_and_sickness_pct: Pct = Decimal(0)
    training_pct: Pct = Decimal(0)
    supervision_pct: Pct = Decimal(0)
    overheads_pct: Pct = Decimal(0)
    margin_pct: Pct = Decimal(0)


@dataclass(frozen=True)
class CostLine:
    """One open-book line: what it is, how it was worked out, and its weekly cost in pence."""

    label: str
    weekly_pence: int
    basis: str


@dataclass(frozen=True)
class CostBreakdown:
    """Weekly cost with its lines; annual cost and the single hourly rate derive from it."""

    title: str
    lines: tuple[CostLine, ...]
    contact_hours: Decimal
    weeks_per_year: Decimal

    @property
    def weekly_pence(self) -> int:
        return sum(line.weekly_pence for line in self.lines)

    @property
    def annual_pence(self) -> int:
        """Weekly cost x weeks a year (52 by default; pass 365/7 if the contract counts days)."""
        return to_pence(Decimal(self.weekly_pence) * self.weeks_per_year)

    @property
    def loaded_hourly_rate_pence(self) -> int:
        """Single hourly rate that recovers the whole weekly cost over the contact hours (seed 3.2.1)."""
        if self.contact_hours <= 0:
            raise SchemeInputError("contact_hours", "must be more than 0 to load costs into an hourly rate")
        return to_pence(Decimal(self.weekly_pence) / self.contact_hours)

    def as_text(self) -> str:
        rows = [self.title]
        rows += [f"  {ln.label}: {format_pounds(ln.weekly_pence)} ({ln.basis})" for ln in self.lines]
        rows.append(f"  Weekly total: {format_pounds(self.weekly_pence)}")
        rows.append(f"  Annual ({fmt_hours(self.weeks_per_year)} weeks): {format_pounds(self.annual_pence)}")
        return "\n".join(rows)


def _pct(base: int, pct: Decimal) -> int:
    return to_pence(Decimal(base) * pct / HUNDRED)


def itemised_cost(
    hours: CostedHours,
    rates: RateCard,
    *,
    weeks_per_year: Decimal = Decimal(52),
    title: str = "Itemised cost",
) -> CostBreakdown:
    """Open-book costing: contact, nights, handover, team leader, then the percentage loadings."""
    if weeks_per_year <= 0:
        raise SchemeInputError("weeks_per_year", f"must be more than 0 (got {weeks_per_year})")
    h = fmt_hours
    staff_lines = [
        CostLine(
            "Contact (day)",
            to_pence(hours.day_contact_hours * rates.day_rate_pence),
            f"{h(hours.day_contact_hours)} h x {format_pounds(rates.day_rate_pence)}",
        ),
        CostLine(
            "Night cover",
            to_pence(hours.night_hours * rates.night_rate_pence),
            f"{h(hours.night_hours)} h x {format_pounds(rates.night_rate_pence)}",
        ),
        CostLine(
            "Handover",
            to_pence(hours.handover_hours * rates.day_rate_pence),
            f"{h(hours.handover_hours)} h x {format_pounds(rates.day_rate_pence)}",
        ),
        CostLine(
            "Management (care team leader)",
            to_pence(hours.team_leader_hours * rates.team_leader_rate_pence),
            f"{h(hours.team_leader_hours)} h x {format_pounds(rates.team_leader_rate_pence)}",
        ),
    ]
    staff = sum(line.weekly_pence for line in staff_lines)
    loadings = [
        CostLine(
            "Annual leave and sickness",
            _pct(staff, rates.leave_and_sickness_pct),
            f"{rates.leave_and_sickness_pct}% of staff cost {format_pounds(staff)}",
        ),
        CostLine("Training", _pct(staff, rates.training_pct), f"{rates.training_pct}% of staff cost"),
        CostLine(
            "Supervision", _pct(staff, rates.supervision_pct), f"{rates.supervision_pct}% of staff cost"
        ),
    ]
    before_overheads = staff + sum(line.weekly_pence for line in loadings)
    overheads = CostLine(
        "Overheads",
        _pct(before_overheads, rates.overheads_pct),
        f"{rates.overheads_pct}% of {format_pounds(before_overheads)}",
    )
    before_margin = before_overheads + overheads.weekly_pence
    margin = CostLine(
        "Margin",
        _pct(before_margin, rates.margin_pct),
        f"{rates.margin_pct}% of {format_pounds(before_margin)}",
    )
    return CostBreakdown(
        title, (*staff_lines, *loadings, overheads, margin), hours.contact_hours, weeks_per_year
    )


def single_rate_cost(
    contact_hours: Decimal,
    loaded_rate_pence: int,
    *,
    weeks_per_year: Decimal = Decimal(52),
    title: str = "Cost at a single loaded hourly rate",
) -> CostBreakdown:
    """The usual purchase: commissioned contact hours x one rate that already loads everything else."""
    problems = []
    if contact_hours < 0:
        problems.append(("contact_hours", f"must not be negative (got {contact_hours})"))
    if loaded_rate_pence < 0:
        problems.append(("loaded_rate_pence", f"must not be negative (got {loaded_rate_pence})"))
    if problems:
        raise SchemeInputError(problems=problems)
    line = CostLine(
        "Contact hours at the loaded rate",
        to_pence(contact_hours * loaded_rate_pence),
        f"{fmt_hours(contact_hours)} h x {format_pounds(loaded_rate_pence)}",
    )
    return CostBreakdown(title, (line,), contact_hours, weeks_per_year)


@dataclass(frozen=True)
class FlatCharge:
    """The core's weekly cost shared per flat: the charge, what it recovers, and the rounding."""

    weekly_core_pence: int
    flats_charged: int
    per_flat_pence: int

    @property
    def recovered_pence(self) -> int:
        return self.per_flat_pence * self.flats_charged

    @property
    def rounding_pence(self) -> int:
        """Recovered minus cost: positive means the charge, rounded up, over-recovers by this much."""
        return self.recovered_pence - self.weekly_core_pence


def core_charge_per_flat(weekly_core_pence: int, flats: int, *, occupied: int | None = None) -> FlatCharge:
    """Weekly core charge per flat, rounded up to the penny so the core is always covered.

    Why ``occupied``: shared over all flats the charge assumes the council or landlord carries
    the voids; shared over occupied flats, residents carry them. The charge for the cover is seed
    003 §4.2.3's (Option A's compulsory charge); who carries the voids is the authority's choice,
    which the seed does not make, so the engine shows either.
    """
    problems = []
    if weekly_core_pence < 0:
        problems.append(("weekly_core_pence", f"must not be negative (got {weekly_core_pence})"))
    if flats < 1:
        problems.append(("flats", f"must be at least 1 (got {flats})"))
    if occupied is not None and not 1 <= occupied <= max(flats, 1):
        problems.append(("occupied", f"must be between 1 and the {flats} flats (got {occupied})"))
    if problems:
        raise SchemeInputError(problems=problems)
    n = flats if occupied is None else occupied
    per_flat = -(-weekly_core_pence // n)
    return FlatCharge(weekly_core_pence, n, per_flat)
