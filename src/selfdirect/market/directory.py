"""The public directory: what people and their families see without signing in.

Only listed entries appear: providers marked listed (with their listed services and the rates in
force today); personal assistants who are listed, consent to be listed and hold an in-date DBS
check; listed brokers and support planners with their fees. A filter by type of support keeps
brokers and support planners, who help arrange any type; the type "planning" shows only them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from selfdirect.core.models import Authority

from .constants import CheckKind
from .models import Broker, PersonalAssistant, Provider, RateTable, Service

# A "type of support" only brokers and support planners give: help to plan and arrange support.
PLANNING = "planning"
PLANNING_LABEL = "Help to plan and arrange support (brokers and support planners)"


@dataclass
class Filters:
    area: int | None = None
    support_type: str = ""  # a SupportType code, PLANNING, or "" for any
    min_stars: int | None = None
    show: str = ""  # "", "providers", "pas", "brokers"


@dataclass
class ProviderEntry:
    provider: Provider
    stars: int | None
    services: list[tuple[Service, RateTable]] = field(default_factory=list)


@dataclass
class Listing:
    providers: list[ProviderEntry]
    pas: list[tuple[PersonalAssistant, int | None]]
    brokers: list[tuple[Broker, int | None]]


def _latest_stars(obj: Any) -> int | None:
    rating = obj.ratings.filter(published=True).order_by("-rated_on", "-id").first()
    return rating.stars if rating else None


def public_pas(authority: Authority, day: dt.date) -> QuerySet[PersonalAssistant]:
    """PAs shown to the public on ``day``: listed, consenting, with an in-date DBS check."""
    in_date_dbs = Q(checks__kind=CheckKind.DBS, checks__issued_on__lte=day) & (
        Q(checks__expires_on__isnull=True) | Q(checks__expires_on__gte=day)
    )
    return (
        PersonalAssistant.objects.filter(authority=authority, listed=True, consents_to_listing=True)
        .filter(in_date_dbs)
        .distinct()
    )


def listing(authority: Authority, filters: Filters, day: dt.date) -> Listing:
    providers = Provider.objects.filter(authority=authority, listed=True).prefetch_related("areas")
    pas = public_pas(authority, day).prefetch_related("areas")
    brokers = Broker.objects.filter(authority=authority, listed=True).prefetch_related("areas")
    if filters.area:
        providers = providers.filter(areas=filters.area)
        pas = pas.filter(areas=filters.area)
        brokers = brokers.filter(areas=filters.area)
    if filters.support_type == PLANNING:  # only brokers and support planners help plan support
        providers = providers.none()
        pas = pas.none()
    elif filters.support_type:
        code = filters.support_type
        providers = providers.filter(
            Q(support_types__regex=rf"(^|,){code}(,|$)")
            | Q(services__support_type=code, services__listed=True)
        ).distinct()
        pas = pas.filter(support_types__regex=rf"(^|,){code}(,|$)")
    entries: list[ProviderEntry] = []
    if filters.show in ("", "providers"):
        for provider in providers:
            entry = ProviderEntry(provider, _latest_stars(provider))
            for service in provider.services.filter(listed=True):
                if filters.support_type and service.support_type != filters.support_type:
                    continue
                table = service.rate_table_on(day)
                if table is not None:
                    entry.services.append((service, table))
            entries.append(entry)
    pa_list = [(pa, _latest_stars(pa)) for pa in pas] if filters.show in ("", "pas") else []
    # Brokers and support planners help to plan and arrange every type of support, so a filter by
    # type of support keeps them (the page says why); only "show" and area and rating narrow them.
    broker_list = [(b, _latest_stars(b)) for b in brokers] if filters.show in ("", "brokers") else []
    if filters.min_stars:
        entries = [e for e in entries if (e.stars or 0) >= filters.min_stars]
        pa_list = [p for p in pa_list if (p[1] or 0) >= filters.min_stars]
        broker_list = [b for b in broker_list if (b[1] or 0) >= filters.min_stars]
    return Listing(entries, pa_list, broker_list)
