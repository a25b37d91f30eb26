"""Providers, the services they sell and the rate tables that price them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction, Role
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User

from .. import rates
from ..models import Provider, ProviderMembership, RateTable, Service
from .common import area_links, overlaps, save_audited, support_codes


def save_provider(
    actor: User | None,
    authority: Authority,
    data: Mapping[str, Any],
    reason: str,
    provider: Provider | None = None,
) -> Provider:
    data = dict(data)
    areas = area_links(authority, data)
    if "support_types" in data and not isinstance(data["support_types"], str):
        data["support_types"] = support_codes(data["support_types"], "support_types")
    if provider is None:
        name = str(data.get("name", "")).strip()
        if Provider.objects.filter(authority=authority, name__iexact=name).exists():
            raise ServiceError({"name": [f"There is already a provider called {name}"]})
        provider = Provider(authority=authority)
    return save_audited(actor, provider, data, reason, m2m=areas)


def link_provider_user(actor: User | None, provider: Provider, user: User, reason: str) -> None:
    if Role.PROVIDER not in user.roles_in(provider.authority_id):
        raise ServiceError({"user": ["That user is not a provider user in this authority"]})
    with transaction.atomic():
        link, created = ProviderMembership.objects.get_or_create(user=user, provider=provider)
        if created:
            audit.record(
                actor=actor, authority=provider.authority, action=AuditAction.CREATE, obj=link,
                reason=reason, changes={"user": [None, str(user)]},
            )  # fmt: skip


def save_service(
    actor: User | None,
    provider: Provider,
    data: Mapping[str, Any],
    reason: str,
    service: Service | None = None,
) -> Service:
    data = dict(data)
    if not data.get("unit", getattr(service, "unit", "")):
        raise ServiceError(
            {"unit": ["Choose the unit the service is sold by (hour, visit, night, week or item)"]}
        )
    if service is None:
        service = Service(authority=provider.authority, provider=provider)
    return save_audited(actor, service, data, reason)


def _check_rate_table(table: RateTable) -> None:
    errors: dict[str, list[str]] = {}
    if not table.service.unit:
        errors["unit"] = ["The service has no unit: a rate must say what it is per"]
    try:
        rates.parse_precedence(table.precedence)
    except ValueError as exc:
        errors["precedence"] = [str(exc)]
    try:
        rates.parse_days(table.weekend_days)
    except ValueError as exc:
        errors["weekend_days"] = [str(exc)]
    if table.standard_pence is None:
        errors["standard_pence"] = ["Enter the standard rate"]
    for name in ("evening_from", "evening_until", "night_from", "night_until"):
        # Checked before the row is written: a time with an offset cannot be shown back afterwards.
        if getattr(table, name) is not None and getattr(table, name).tzinfo is not None:
            errors[name] = ["Give the time on the council's clock, with no offset"]
    if table.ends_on and table.starts_on and table.ends_on < table.starts_on:
        errors["ends_on"] = ["The end date must be on or after the start date"]
    if errors:
        raise ServiceError(errors)
    others = RateTable.objects.select_for_update().filter(service=table.service).exclude(pk=table.pk)
    for other in others:
        if overlaps(table.starts_on, table.ends_on, other.starts_on, other.ends_on):
            until = f"to {other.ends_on:%d %B %Y}" if other.ends_on else "with no end date"
            raise ServiceError(
                {
                    "starts_on": [
                        f"These dates overlap the rate table from {other.starts_on:%d %B %Y} {until}. "
                        "End that table first, or choose dates that do not overlap."
                    ]
                }
            )


def save_rate_table(
    actor: User | None, service: Service, data: Mapping[str, Any], reason: str, table: RateTable | None = None
) -> RateTable:
    if table is None:
        table = RateTable(authority=service.authority, service=service)
    return save_audited(actor, table, data, reason, check=_check_rate_table)
