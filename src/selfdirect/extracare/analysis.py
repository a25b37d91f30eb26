"""Every figure for a scheme version, worked out by the engine and laid out as plain data.

The scheme page, the API and ``manage.py extracare_hours`` all show this one structure, so the
three never disagree. Hours are strings as the seed writes them ("342.5"); money is integer pence.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from selfdirect.core.dates import format_date

from .engine import (
    CostBreakdown,
    CostedHours,
    HoursBreakdown,
    core_and_add_on,
    core_charge_per_flat,
    itemised_cost,
    minimum_block,
    phasing_plan,
    schedule_of_cover,
    single_rate_cost,
    thirds_estimate,
    top_up,
)
from .engine.breakdown import fmt_hours
from .engine.procurement import procurement_start
from .engine.viability import break_even_mix, break_even_occupancy, pooled_viability
from .inputs import SchemeInputs


def hours_table(key: str, b: HoursBreakdown) -> dict[str, Any]:
    """A calculator's working as rows: label, arithmetic, hours, and whether it is added in."""
    return {
        "key": key,
        "title": b.title,
        "lines": [
            {
                "label": ln.label,
                "working": ln.working,
                "hours": fmt_hours(ln.hours),
                "counted": ln.counts_to_total,
            }
            for ln in b.lines
        ],
        "subtotals": [{"key": s.key, "label": s.label, "hours": fmt_hours(s.hours)} for s in b.subtotals],
        "total": fmt_hours(b.total),
        "notes": list(b.notes),
    }


def cost_table(c: CostBreakdown, flats: int) -> dict[str, Any]:
    charge = core_charge_per_flat(c.weekly_pence, flats)
    return {
        "title": c.title,
        "lines": [{"label": ln.label, "basis": ln.basis, "weekly_pence": ln.weekly_pence} for ln in c.lines],
        "weekly_pence": c.weekly_pence,
        "annual_pence": c.annual_pence,
        "weeks_per_year": fmt_hours(c.weeks_per_year),
        "contact_hours": fmt_hours(c.contact_hours),
        "loaded_rate_pence": c.loaded_hourly_rate_pence if c.contact_hours > 0 else None,
        "per_flat_pence": charge.per_flat_pence,
    }


@dataclass(frozen=True)
class Figures:
    hours: list[dict[str, Any]]
    demand_hours: Decimal
    costing: list[dict[str, Any]]
    core_weekly_pence: int | None
    core_basis: str
    charges: list[dict[str, Any]]
    phasing: list[dict[str, Any]]
    viability: dict[str, Any] | None
    procurement: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "procurement": self.procurement,
            "hours": self.hours,
            "planned_care_demand_hours": fmt_hours(self.demand_hours),
            "costing": self.costing,
            "core_weekly_pence": self.core_weekly_pence,
            "core_costing_basis": self.core_basis,
            "core_charges": self.charges,
            "phasing": self.phasing,
            "viability": self.viability,
        }

    def table(self, key: str) -> dict[str, Any] | None:
        return next((h for h in self.hours if h["key"] == key), None)


def _costings(inputs: SchemeInputs, name: str, hours: CostedHours, flats: int) -> dict[str, Any]:
    c = inputs.costing
    out: dict[str, Any] = {"basis": name, "itemised": None, "single": None}
    if c.rate_card is not None:
        out["itemised"] = cost_table(
            itemised_cost(hours, c.rate_card, weeks_per_year=c.weeks_per_year, title="Itemised (open book)"),
            flats,
        )
    if c.loaded_rate_pence is not None:
        out["single"] = cost_table(
            single_rate_cost(
                hours.contact_hours, c.loaded_rate_pence, weeks_per_year=c.weeks_per_year,
                title="One loaded hourly rate",
            ),
            flats,
        )  # fmt: skip
    if out["itemised"] and out["single"]:
        out["difference_pence"] = out["single"]["weekly_pence"] - out["itemised"]["weekly_pence"]
    return out


def figures(inputs: SchemeInputs, *, occupied: int | None = None) -> Figures:
    """All calculators, costings, charges, phasing and pooled-budget viability for these inputs."""
    s = inputs.scheme
    hours: list[dict[str, Any]] = []
    block = minimum_block(s.staffing)
    hours.append(hours_table("minimum_block", block))
    phased = minimum_block(s.staffing, phased=True)
    hours.append(hours_table("minimum_block_phased", phased))
    residents = s.residents or (s.need_mix.groups_for(s.flats) if s.need_mix else ())
    estimate = thirds_estimate(residents, s.staffing, bands=s.need_mix)
    hours.append(hours_table("thirds", estimate))
    demand = estimate.subtotal("contact")
    if s.schedule is not None:
        hours.append(hours_table("schedule_of_cover", schedule_of_cover(s.schedule, s.staffing)))
    hours.append(hours_table("core_and_add_on", core_and_add_on(s.core, planned_care_demand=demand)))
    p = inputs.planning
    hours.append(hours_table("top_up", top_up(p.working_target_hours, block.total, p.top_up_block_hours)))
    opening = p.opening_date or (s.occupancy[0].on if s.occupancy else None)
    phasing: list[dict[str, Any]] = []
    if opening is not None and p.working_target_hours >= block.total:
        plan = phasing_plan(
            opening,
            minimum=block.total,
            target=p.working_target_hours,
            step_hours=p.top_up_block_hours,
            months_between=p.months_between_steps,
            phased_start=phased.total if p.start_phased else None,
        )
        hours.append(hours_table("phasing", plan))
        phasing = [
            {
                "starts_on": st.starts_on.isoformat(),
                "weekly_hours": fmt_hours(st.weekly_hours),
                "label": st.label,
                "occupied": s.occupied_on(st.starts_on),
            }
            for st in plan.steps
        ]

    costing = [
        _costings(
            inputs,
            f"Minimum block ({fmt_hours(block.total)} hours)",
            CostedHours.from_staffing(s.staffing),
            s.flats,
        ),
        _costings(
            inputs,
            f"Core in core and add-on ({fmt_hours(core_and_add_on(s.core).total)} hours)",
            CostedHours.from_core(s.core),
            s.flats,
        ),
    ]
    core = costing[1]
    if core["itemised"]:
        core_weekly, basis = core["itemised"]["weekly_pence"], "itemised (open book) cost of the core"
    else:
        core_weekly, basis = core["single"]["weekly_pence"], "core contact hours at the loaded hourly rate"
    charges = [
        {
            "when": "All flats",
            "flats": s.flats,
            "per_flat_pence": core_charge_per_flat(core_weekly, s.flats).per_flat_pence,
            "rounding_pence": core_charge_per_flat(core_weekly, s.flats).rounding_pence,
        }
    ]
    for point in s.occupancy:
        if point.occupied_flats:
            charge = core_charge_per_flat(core_weekly, s.flats, occupied=point.occupied_flats)
            charges.append(
                {
                    "when": f"Occupied flats from {format_date(point.on)}",
                    "flats": point.occupied_flats,
                    "per_flat_pence": charge.per_flat_pence,
                    "rounding_pence": charge.rounding_pence,
                }
            )
    viability = _viability(inputs, core_weekly, occupied)
    start = procurement_start(p.completion_date, opening)
    procurement = (
        None
        if start is None
        else {
            "start_by": start.start_by.isoformat(),
            "counted_from": start.counted_from.isoformat(),
            "from_completion": start.from_completion,
            "text": start.sentence(),
        }
    )
    return Figures(hours, demand, costing, core_weekly, basis, charges, phasing, viability, procurement)


def _viability(inputs: SchemeInputs, core_weekly: int, occupied: int | None) -> dict[str, Any] | None:
    s, v = inputs.scheme, inputs.viability
    if s.need_mix is None or not v.budgets_pence:
        return None
    n = s.flats if occupied is None else max(1, min(occupied, s.flats))
    args = (s.need_mix, v.budgets_pence, core_weekly, v.planned_rate_pence)
    at = pooled_viability(n, *args)
    curve = []
    for k in range(1, s.flats + 1):
        point = pooled_viability(k, *args)
        curve.append({"occupied": k, "headroom_pence": point.pooled_headroom_pence, "pays": point.pays})
    mixes = []
    for band in s.need_mix.bands:
        flip = break_even_mix(n, s.need_mix, band.name, v.budgets_pence, core_weekly, v.planned_rate_pence)
        mixes.append(
            {
                "band": band.name,
                "pays_with_none": flip.pays_at_zero,
                "residents": flip.residents_in_band,
                "share": f"{float(flip.share):.0%}" if flip.share is not None else None,
            }
        )
    return {
        "occupied": n,
        "core_weekly_pence": core_weekly,
        "planned_rate_pence": v.planned_rate_pence,
        "bands": [
            {
                "band": b.band,
                "residents": b.residents,
                "weekly_budget_pence": b.weekly_budget_pence,
                "planned_care_pence": b.planned_care_pence,
                "headroom_pence": b.headroom_pence,
                "core_share_pence": b.core_share_pence,
                "core_share_of_budget": f"{b.core_share_of_budget:.0%}"
                if b.weekly_budget_pence
                else "no budget",
            }
            for b in at.bands
        ],
        "pooled_budget_pence": at.pooled_budget_pence,
        "pooled_headroom_pence": at.pooled_headroom_pence,
        "core_share_of_pool": f"{at.core_share_of_pool:.0%}" if at.pooled_budget_pence else "no budgets",
        "pays": at.pays,
        "shortfall_pence": at.shortfall_pence,
        "break_even_occupancy": break_even_occupancy(s.flats, *args),
        "break_even_mix": mixes,
        "curve": curve,
    }
