"""When to start choosing a new scheme's care provider (seed 003 Section 2B, 8 "Timing of
Procurement").

Once selected, the care provider needs time to recruit, register, complete criminal record
checks and train (8.1): at least three months. Local authority tendering can take three months or
more, so the process "should begin a minimum of 6 months before the scheme is due for completion"
(8.2). The date is counted back from the scheme's completion (the building ready, the basic team
in place from that day, 3.3.4), not from the end of any contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from selfdirect.core.dates import add_months

PROCUREMENT_LEAD_MONTHS = 6
"""Seed 003 Section 2B, 8.2: begin "a minimum of 6 months before the scheme is due for completion"."""


@dataclass(frozen=True)
class ProcurementStart:
    """The latest day to begin selecting the care provider, and what it is counted from."""

    start_by: date
    counted_from: date
    from_completion: bool  # False: no completion date was given, so the opening date stands in

    def sentence(self) -> str:
        when = f"{self.start_by:%-d %B %Y}"
        if self.from_completion:
            base = f"the scheme is due for completion on {self.counted_from:%-d %B %Y}"
        else:
            base = (
                f"the scheme opens on {self.counted_from:%-d %B %Y} (no completion date is given: "
                "the building completes before it opens, so begin earlier still)"
            )
        return (
            f"Begin selecting the care provider by {when}, {PROCUREMENT_LEAD_MONTHS} months before {base}. "
            "The Housing LIN technical brief: tendering can take three months or more, and the provider needs at "
            "least three months to recruit, register and train staff."
        )


def procurement_start(completion: date | None, opening: date | None = None) -> ProcurementStart | None:
    """When to begin choosing the care provider: 6 months before ``completion`` (the day the scheme
    is due for completion), or before ``opening`` when no completion date is known; None with
    neither. Dates are passed in: the engine never reads today's date."""
    counted_from = completion or opening
    if counted_from is None:
        return None
    start_by = add_months(counted_from, -PROCUREMENT_LEAD_MONTHS)
    return ProcurementStart(start_by, counted_from, completion is not None)
