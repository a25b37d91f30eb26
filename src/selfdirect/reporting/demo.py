"""Demo reporting data: each demo authority's personal budget target (seed 004 Q1: 30%), and
people leaving short-term housing-related support over the year to the demo day, three in four
in a planned way (NI 141). Deterministic and idempotent: run it twice and nothing changes."""

from __future__ import annotations

import datetime as dt

from selfdirect.core.models import Authority
from selfdirect.people.constants import ClientGroup
from selfdirect.people.models import Person

from .models import DEFAULT_TARGET_PERCENT, MoveOn, ReportingSettings, ShortTermService

SHORT_TERM_GROUPS = (
    ClientGroup.SINGLE_HOMELESS, ClientGroup.YOUNG_AT_RISK, ClientGroup.DOMESTIC_VIOLENCE,
    ClientGroup.EX_OFFENDERS, ClientGroup.DRUG_ALCOHOL, ClientGroup.TEENAGE_PARENTS,
)  # fmt: skip
DESTINATIONS = ("Own council tenancy", "Private rented flat", "Housing association tenancy", "Back to family")
DEMO_DAY = dt.date(2026, 4, 1)


def load_reporting_demo() -> None:
    for authority in Authority.objects.filter(slug__in=["northshire", "southvale"]):
        ReportingSettings.objects.get_or_create(
            authority=authority, defaults={"pb_target_percent": DEFAULT_TARGET_PERCENT}
        )
        if MoveOn.objects.filter(authority=authority).exists():
            continue
        leavers = Person.objects.filter(authority=authority, client_group__in=SHORT_TERM_GROUPS).order_by(
            "reference"
        )
        MoveOn.objects.bulk_create(
            [MoveOn(authority=authority, person=p,
                    service=ShortTermService.SUPPORTED_ACCOMMODATION if i % 3 else ShortTermService.FLOATING_SUPPORT,
                    left_on=DEMO_DAY - dt.timedelta(days=1 + (i * 7) % 365), planned=i % 4 != 0,
                    destination=DESTINATIONS[i % len(DESTINATIONS)] if i % 4 else "")
             for i, p in enumerate(leavers[:60])]
        )  # fmt: skip
