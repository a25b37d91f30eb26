"""Eligibility: a FACS band from the answers (or an assessor's decision), and a route.

Seed 002 ("Access routes"): people in the funded FACS bands go on to an individual
budget; people below the threshold need another route (a housing-support-only budget or
a signpost to a commissioned service) "so that they do not fall through the net". The
loader insists the policy's last route is unconditional, so every person gets one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .loader import Policy
from .questionnaire import (
    applicable_answers,
    condition_holds,
    derived_scores,
    normalise_answers,
    open_domains,
)
from .schema import FACS_BANDS

RouteKind = Literal["eligible", "housing_support_only", "signpost"]


@dataclass(frozen=True)
class AssessorDecision:
    """An assessor's band, which overrides the derived one; the reason is kept and shown."""

    band: str
    reason: str
    assessor: str = ""

    def __post_init__(self) -> None:
        if self.band not in FACS_BANDS:
            raise ValueError(f"unknown FACS band {self.band!r}; use one of {', '.join(FACS_BANDS)}")
        if not self.reason.strip():
            raise ValueError("an assessor's decision needs a reason")


@dataclass(frozen=True)
class EligibilityResult:
    """The band used, the band the rules gave, the route, and which streams may be funded."""

    band: str
    derived_band: str
    overridden: bool
    override_reason: str
    route: RouteKind
    funded_streams: tuple[str, ...]
    person_text: str
    staff_text: str

    @property
    def funded(self) -> bool:
        """True when the band is one the council funds (route ``eligible``)."""
        return self.route == "eligible"

    def to_dict(self) -> dict[str, Any]:
        return {
            "band": self.band,
            "derived_band": self.derived_band,
            "overridden": self.overridden,
            "override_reason": self.override_reason,
            "route": self.route,
            "funded_streams": list(self.funded_streams),
            "person_text": self.person_text,
            "staff_text": self.staff_text,
        }


def derive_band(policy: Policy, answers: Mapping[str, Any]) -> tuple[str, int | None]:
    """The band given by the first matching rule (rules run most serious first); index of the rule."""
    opened = set(open_domains(policy, answers))
    scores = derived_scores(policy, answers)
    for i, rule in enumerate(policy.model.eligibility.rules):
        if condition_holds(policy, rule.when, answers, scores, opened):
            return rule.band, i
    return policy.model.eligibility.default_band, None


def determine_eligibility(
    policy: Policy, answers: Mapping[str, Any], *, override: AssessorDecision | None = None
) -> EligibilityResult:
    """Band and route for one person. ``answers`` are raw answers; they are checked first."""
    norm = normalise_answers(policy, answers)
    return determine_eligibility_normalised(policy, norm, override)


def determine_eligibility_normalised(
    policy: Policy, norm: Mapping[str, Any], override: AssessorDecision | None
) -> EligibilityResult:
    """Band and route for answers already normalised (:func:`determine_eligibility` checks them first)."""
    e = policy.model.eligibility
    norm = applicable_answers(policy, norm)
    derived, rule_index = derive_band(policy, norm)
    band = override.band if override else derived
    why = (
        f"rule {rule_index + 1} of the policy's eligibility rules gave {derived}"
        if rule_index is not None
        else f"no rule matched, so the default band {derived}"
    )
    if override:
        who = f"assessor {override.assessor}" if override.assessor else "assessor"
        why += f"; {who} set {band}: {override.reason}"
    if band in e.funded_bands:
        return EligibilityResult(
            band,
            derived,
            override is not None,
            override.reason if override else "",
            "eligible",
            tuple(policy.model.streams),
            e.funded_text,
            f"FACS band {band} ({why}); funded bands: {', '.join(e.funded_bands)}",
        )
    opened = set(open_domains(policy, norm))
    scores = derived_scores(policy, norm)
    for i, route in enumerate(e.below_threshold):
        if route.when is None or condition_holds(policy, route.when, norm, scores, opened):
            staff = (
                f"FACS band {band} ({why}) is below the funded bands ({', '.join(e.funded_bands)}); "
                f"route {i + 1}: {route.route.replace('_', ' ')}. {route.staff_text}"
            ).strip()
            return EligibilityResult(
                band,
                derived,
                override is not None,
                override.reason if override else "",
                route.route,
                tuple(route.streams),
                route.text,
                staff,
            )
    raise AssertionError("the loader guarantees an unconditional last route")  # pragma: no cover
