"""Helpers for the ledger tests: budgets made and agreed through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from selfdirect.ledger import services
from selfdirect.ledger.models import Budget
from selfdirect.people.models import Person

YEAR_START = dt.date(2026, 4, 1)
YEAR_END = dt.date(2027, 3, 31)


def make_budget(
    person: Person,
    annual: int = 624000,
    *,
    frequency: str = "monthly",
    starts_on: dt.date = YEAR_START,
    routes: list[dict[str, Any]] | None = None,
    agree: bool = True,
    actor: Any = None,
    stream: str = "adult_social_care",
    **extra: Any,
) -> Budget:
    budget = services.create_budget(
        actor, person, stream=stream, period_start=YEAR_START, period_end=YEAR_END,
        agreed_annual_pence=annual, starts_on=starts_on, frequency=frequency,
        deployments=routes or [{"route": "direct_payment", "payee_name": str(person)}], **extra,
    )  # fmt: skip
    if agree:
        budget = services.agree_budget(actor, budget, "support plan agreed (test)", "plan approved")
    return budget
