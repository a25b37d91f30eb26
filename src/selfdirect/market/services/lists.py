"""Preferred-provider and framework lists: what a virtual budget may choose from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import models

from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User

from ..models import ProviderList, ProviderListEntry
from .common import save_audited


def save_list(
    actor: User | None,
    authority: Authority,
    data: Mapping[str, Any],
    reason: str,
    plist: ProviderList | None = None,
) -> ProviderList:
    return save_audited(actor, plist or ProviderList(authority=authority), data, reason)


def add_list_entry(
    actor: User | None, plist: ProviderList, data: Mapping[str, Any], reason: str
) -> ProviderListEntry:
    service = data.get("service")
    if service is None or service.authority_id != plist.authority_id:
        raise ServiceError({"service": ["Choose a service in this authority"]})
    if ProviderListEntry.objects.filter(provider_list=plist, service=service).exists():
        raise ServiceError({"service": [f"{service} is already on {plist}"]})
    entry = ProviderListEntry(authority=plist.authority, provider_list=plist)
    return save_audited(actor, entry, data, reason)


def preferred_services(authority: Authority, day: dt.date) -> models.QuerySet[ProviderListEntry]:
    """Entries on the authority's lists in force on ``day``: what a virtual budget may choose from."""
    return (
        ProviderListEntry.objects.filter(authority=authority, provider_list__starts_on__lte=day)
        .filter(models.Q(provider_list__ends_on__isnull=True) | models.Q(provider_list__ends_on__gte=day))
        .select_related("provider_list", "service", "service__provider")
    )
