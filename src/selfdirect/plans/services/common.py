"""What the services modules share: the plan fields the audit log follows, and the day of a step."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

PLAN_FIELDS = [
    "what_matters", "helper", "helper_name", "broker", "market_broker", "indicative_budget_pence", "budget_source",
    "deployment", "deployment_notes", "risk_want", "risk_buy", "risk_risks", "risk_manage", "risk_level",
    "contingency", "starts_on", "duration_months", "review_on", "conditions", "funding_ends_on",
    "withdrawal_reason",
]  # fmt: skip


def local_day(today: dt.date | None) -> dt.date:
    """The day a step is made on: ``today`` when given (tests, the CLI, background jobs), else today."""
    return today or timezone.localdate()
