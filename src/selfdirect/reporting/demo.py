"""Demo reporting settings: each demo authority's personal budget target (seed 004 Q1: 30%).
Idempotent: run it twice and nothing changes."""

from __future__ import annotations

from selfdirect.core.models import Authority

from .models import DEFAULT_TARGET_PERCENT, ReportingSettings


def load_reporting_demo() -> None:
    for authority in Authority.objects.filter(slug__in=["northshire", "southvale"]):
        ReportingSettings.objects.get_or_create(
            authority=authority, defaults={"pb_target_percent": DEFAULT_TARGET_PERCENT}
        )
