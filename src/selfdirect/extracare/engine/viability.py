"""Can residents' pooled budgets pay for the 24/7 core? (seed 000, "Core and Add-on Approach").

Seed 000 warns that budgets sized on "the likely cost of a care package" may not cover the
round-the-clock cover "even if pooled", because that cover fills the gaps between planned
visits. The arithmetic here makes that testable: each resident's budget first pays for their
planned care; what is left (the headroom) is what a pool could put towards the core. Pooling
pays for the core while the pooled headroom is at least the core's weekly cost; the engine
finds the occupancy, and the need mix, at which that stops being true.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .costing import to_pence
from .errors import Problem, SchemeInputError
from .model import NeedBand, NeedMix


@dataclass(frozen=True)
class BandViability:
    """One band at one occupancy: residents, budget, planned-care cost, headroom, core share."""

    band: str
    residents: int
    weekly_budget_pence: int
    planned_care_pence: int
    core_share_pence: int

    @property
    def headroom_pence(self) -> int:
        """Budget left after planned care, per resident (negative: the budget does not cover the care)."""
        return self.weekly_budget_pence - self.planned_care_pence

    @property
    def core_share_of_budget(self) -> Decimal:
        """The equal core share as a fraction of this band's budget (1 means the whole budget)."""
        if self.weekly_budget_pence == 0:
            return Decimal("Infinity") if self.core_share_pence else Decimal(0)
        return Decimal(self.core_share_pence) / Decimal(self.weekly_budget_pence)


@dataclass(frozen=True)
class Viability:
    """Pooled-budget viability at one occupancy."""

    occupied: int
    core_weekly_pence: int
    bands: tuple[BandViability, ...]

    @property
    def pooled_budget_pence(self) -> int:
        return sum(b.weekly_budget_pence * b.residents for b in self.bands)

    @property
    def pooled_headroom_pence(self) -> int:
        return sum(b.headroom_pence * b.residents for b in self.bands)

    @property
    def core_share_of_pool(self) -> Decimal:
        """The core as a share of all residents' budgets together."""
        if not self.pooled_budget_pence:
            return Decimal("Infinity") if self.core_weekly_pence else Decimal(0)
        return Decimal(self.core_weekly_pence) / Decimal(self.pooled_budget_pence)

    @property
    def pays(self) -> bool:
        """True when what is left of the budgets after planned care covers the core."""
        return self.occupied > 0 and self.pooled_headroom_pence >= self.core_weekly_pence

    @property
    def shortfall_pence(self) -> int:
        return max(0, self.core_weekly_pence - self.pooled_headroom_pence)


def _check(mix: NeedMix, budgets: Mapping[str, int], core_weekly_pence: int, rate_pence: int) -> None:
    problems: list[Problem] = []
    for b in mix.bands:
        if b.name not in budgets:
            problems.append((f"budgets.{b.name}", "a weekly budget is needed for every band of the need mix"))
        elif budgets[b.name] < 0:
            problems.append((f"budgets.{b.name}", f"must not be negative (got {budgets[b.name]})"))
    for name in budgets:
        if name not in {b.name for b in mix.bands}:
            problems.append((f"budgets.{name}", "is not a band of the need mix"))
    if core_weekly_pence < 0:
        problems.append(("core_weekly_pence", f"must not be negative (got {core_weekly_pence})"))
    if rate_pence < 0:
        problems.append(("planned_rate_pence", f"must not be negative (got {rate_pence})"))
    if problems:
        raise SchemeInputError(problems=problems)


def pooled_viability(
    occupied: int,
    mix: NeedMix,
    budgets: Mapping[str, int],
    core_weekly_pence: int,
    planned_rate_pence: int,
) -> Viability:
    """Viability of pooling at ``occupied`` residents with this need mix.

    ``budgets`` is each band's personal budget in pence a week; planned care costs each
    resident their band's hours x ``planned_rate_pence``. The core is shared equally (a flat
    charge per resident) to show what share of each budget it takes.
    """
    _check(mix, budgets, core_weekly_pence, planned_rate_pence)
    if occupied < 0:
        raise SchemeInputError("occupied", f"must not be negative (got {occupied})")
    share = -(-core_weekly_pence // occupied) if occupied else core_weekly_pence
    groups = mix.groups_for(occupied)
    bands = tuple(
        BandViability(
            b.name, g.count, budgets[b.name], to_pence(b.hours_per_week * planned_rate_pence), share
        )
        for b, g in zip(mix.bands, groups, strict=True)
    )
    return Viability(occupied, core_weekly_pence, bands)


def break_even_occupancy(
    flats: int,
    mix: NeedMix,
    budgets: Mapping[str, int],
    core_weekly_pence: int,
    planned_rate_pence: int,
) -> int | None:
    """Fewest occupied flats from which pooling pays for the core at every occupancy up to full.

    None if it never pays, even full. Whole residents per band follow the mix by largest
    remainder, so the pooled headroom is checked at each occupancy rather than solved for.
    """
    if flats < 1:
        raise SchemeInputError("flats", f"must be at least 1 (got {flats})")
    _check(mix, budgets, core_weekly_pence, planned_rate_pence)
    answer: int | None = None
    for n in range(flats, 0, -1):
        if pooled_viability(n, mix, budgets, core_weekly_pence, planned_rate_pence).pays:
            answer = n
        else:
            break
    return answer


@dataclass(frozen=True)
class MixBreakEven:
    """Where, moving residents into ``band``, pooling starts or stops paying."""

    band: str
    residents_in_band: int | None
    share: Fraction | None
    pays_at_zero: bool


def break_even_mix(
    occupied: int,
    mix: NeedMix,
    band: str,
    budgets: Mapping[str, int],
    core_weekly_pence: int,
    planned_rate_pence: int,
) -> MixBreakEven:
    """Vary how many residents are in ``band`` (others keep their relative shares) and find the flip.

    Returns the first count of residents in ``band`` at which viability differs from having
    none in it: e.g. with high-need budgets fully spent on care, how many high-need residents
    make pooling stop paying. None if it never flips.
    """
    names = [b.name for b in mix.bands]
    if band not in names:
        raise SchemeInputError("band", f"{band!r} is not a band of the need mix ({', '.join(names)})")
    if occupied < 1:
        raise SchemeInputError("occupied", f"must be at least 1 (got {occupied})")
    others = [b for b in mix.bands if b.name != band]
    rest = sum((b.share for b in others), Fraction(0))

    def mix_with(k: int) -> NeedMix:
        s = Fraction(k, occupied)
        new = []
        for b in mix.bands:
            if b.name == band:
                new.append(NeedBand(name=b.name, share=s, hours_per_week=b.hours_per_week))
            else:
                other = b.share / rest * (1 - s) if rest else Fraction(1 - s, len(others))
                new.append(NeedBand(name=b.name, share=other, hours_per_week=b.hours_per_week))
        return NeedMix(
            bands=tuple(new), low_below_hours=mix.low_below_hours, high_above_hours=mix.high_above_hours
        )

    first = pooled_viability(occupied, mix_with(0), budgets, core_weekly_pence, planned_rate_pence).pays
    for k in range(1, occupied + 1):
        if (
            pooled_viability(occupied, mix_with(k), budgets, core_weekly_pence, planned_rate_pence).pays
            != first
        ):
            return MixBreakEven(band, k, Fraction(k, occupied), first)
    return MixBreakEven(band, None, None, first)
