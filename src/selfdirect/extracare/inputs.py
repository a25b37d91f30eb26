"""A scheme's inputs as one validated JSON document: the engine's Scheme plus costing, planning
and pooled-budget inputs the engine takes as arguments.

Validation is the engine's (pydantic, one :class:`SchemeInputError` listing every problem with
its field path), so the web form, the API and the CLI refuse bad input with the same words.
Paths are prefixed by section: ``scheme.staffing.day_hours_per_day``, ``costing.rate_card.day_rate_pence``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field

from .engine import RateCard, Scheme, SchemeInputError, seed_scheme
from .engine.errors import Problem, join_path
from .engine.model import EngineModel, NonNegHours

Pence = Annotated[int, Field(ge=0, le=10**9)]


class CostingInputs(EngineModel):
    """How the hours are costed: one loaded hourly rate, an itemised rate card, or both to compare."""

    loaded_rate_pence: Pence | None = None
    rate_card: RateCard | None = None
    weeks_per_year: Annotated[Decimal, Field(gt=0, le=53)] = Decimal(52)

    def check(self, prefix: str) -> list[Problem]:
        if self.loaded_rate_pence is None and self.rate_card is None:
            return [
                (
                    join_path(prefix, "loaded_rate_pence"),
                    "give a loaded hourly rate or an itemised rate card (or both, to compare them)",
                )
            ]
        return []


class PlanningInputs(EngineModel):
    """The working target and how the block is phased in (seed 003 Section 6), and the day the
    scheme is due for completion, from which the start of procurement is counted (Section 2B 8)."""

    working_target_hours: NonNegHours = Decimal(400)
    top_up_block_hours: Annotated[Decimal, Field(gt=0)] = Decimal(50)
    opening_date: date | None = None
    completion_date: date | None = None
    start_phased: bool = True
    months_between_steps: Annotated[int, Field(ge=0, le=24)] = 1


class ViabilityInputs(EngineModel):
    """Residents' weekly budgets by need band and the planned-care rate (seed 000's question)."""

    budgets_pence: dict[str, Pence] = Field(default_factory=dict)
    planned_rate_pence: Pence = 0


class SchemeInputs(EngineModel):
    scheme: Scheme
    costing: CostingInputs = CostingInputs(loaded_rate_pence=0)
    planning: PlanningInputs = PlanningInputs()
    viability: ViabilityInputs = ViabilityInputs()

    def check(self, prefix: str) -> list[Problem]:
        problems = list(self.scheme.check("scheme"))
        p = self.planning
        if p.completion_date and p.opening_date and p.completion_date > p.opening_date:
            problems.append(
                ("planning.completion_date", f"must be on or before the opening date ({p.opening_date})")
            )
        problems += self.costing.check("costing")
        bands = [b.name for b in self.scheme.need_mix.bands] if self.scheme.need_mix else []
        budgets = self.viability.budgets_pence
        if budgets:
            for name in bands:
                if name not in budgets:
                    problems.append(
                        (f"viability.budgets_pence.{name}", "a weekly budget is needed for this band")
                    )
            for name in budgets:
                if name not in bands:
                    problems.append((f"viability.budgets_pence.{name}", "is not a band of the need mix"))
        if not self.scheme.residents and self.scheme.need_mix is None:
            problems.append(("scheme.residents", "give the residents' care hours or a need mix"))
        return problems


def validate_inputs(data: Any) -> SchemeInputs:
    """Check a whole inputs document; raises :class:`SchemeInputError` naming every bad field."""
    if not isinstance(data, dict):
        raise SchemeInputError("inputs", "must be an object with scheme, costing, planning and viability")
    return SchemeInputs(**data)


def canonical(inputs: SchemeInputs) -> dict[str, Any]:
    """The JSON stored in a version: what was checked, with defaults filled in."""
    data: dict[str, Any] = inputs.model_dump(mode="json")
    data["scheme"].pop("name", None)  # the scheme's name lives on the Scheme row
    return data


def load(data: dict[str, Any], name: str = "Scheme") -> SchemeInputs:
    """Rebuild the inputs stored in a version (already valid when saved)."""
    scheme = dict(data["scheme"], name=name)
    return SchemeInputs(**{**data, "scheme": scheme})


SEED_OCCUPANCY = [
    {"on": "2026-04-01", "occupied_flats": 10},
    {"on": "2026-05-01", "occupied_flats": 30},
    {"on": "2026-06-01", "occupied_flats": 40},
]
"""Illustrative fill-up (not a seed figure): 10 flats let at opening, 30 a month later, then full."""

SEED_RATE_CARD = {
    "day_rate_pence": 2000,
    "night_rate_pence": 2100,
    "team_leader_rate_pence": 2500,
    "leave_and_sickness_pct": "12",
    "training_pct": "3",
    "supervision_pct": "2",
    "overheads_pct": "10",
    "margin_pct": "5",
}
"""Illustrative rates (the seed gives none): as in docs/extracare.md, 310 hours cost £8,722.97 a week."""


def seed_inputs() -> dict[str, Any]:
    """Seed 003 Section 6's 40-flat example, with illustrative rates, budgets and opening date."""
    scheme = seed_scheme().model_dump(mode="json")
    scheme["occupancy"] = SEED_OCCUPANCY
    data = {
        "scheme": scheme,
        "costing": {"loaded_rate_pence": 3000, "rate_card": SEED_RATE_CARD, "weeks_per_year": "52"},
        "planning": {
            "working_target_hours": "400",
            "top_up_block_hours": "50",
            "opening_date": "2026-04-01",
            "start_phased": False,
            "months_between_steps": 1,
        },
        "viability": {
            "budgets_pence": {"low": 18000, "medium": 30000, "high": 42000},
            "planned_rate_pence": 2000,
        },
    }
    return canonical(validate_inputs(data))


def variant_inputs() -> dict[str, Any]:
    """A second example (Southvale's demo): 60 flats, more high-need residents, a 3-staff day."""
    data = seed_inputs()
    scheme = data["scheme"]
    scheme["flats"] = 60
    scheme["occupancy"] = [
        {"on": "2026-09-01", "occupied_flats": 20},
        {"on": "2026-11-01", "occupied_flats": 45},
        {"on": "2027-01-04", "occupied_flats": 60},
    ]
    scheme["residents"] = [
        {"count": 15, "hours_each": "3", "label": "low"},
        {"count": 20, "hours_each": "7.5", "label": "medium"},
        {"count": 15, "hours_each": "14", "label": "high"},
        {"count": 10, "hours_each": "20", "label": "high"},
    ]
    scheme["need_mix"]["bands"] = [
        {"name": "low", "share": "1/4", "hours_per_week": "3"},
        {"name": "medium", "share": "1/3", "hours_per_week": "7.5"},
        {"name": "high", "share": "5/12", "hours_per_week": "16"},
    ]
    scheme["staffing"]["day_min_staff"] = 3
    data["planning"].update(
        {"working_target_hours": "550", "opening_date": "2026-09-01", "start_phased": True}
    )
    data["costing"]["loaded_rate_pence"] = 3150
    data["viability"] = {
        "budgets_pence": {"low": 14000, "medium": 24000, "high": 38000},
        "planned_rate_pence": 2100,
    }
    return canonical(validate_inputs(data))
