"""The register of personal assistants, with the checks on them (DBS, references, training), and
the brokers and support planners."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User

from ..models import Broker, PACheck, PersonalAssistant
from .common import area_links, save_audited, settings_for, support_codes


def save_pa(
    actor: User | None,
    authority: Authority,
    data: Mapping[str, Any],
    reason: str,
    pa: PersonalAssistant | None = None,
) -> PersonalAssistant:
    data = dict(data)
    areas = area_links(authority, data)
    if "support_types" in data and not isinstance(data["support_types"], str):
        data["support_types"] = support_codes(data["support_types"], "support_types")
    if data.get("accredited") and not settings_for(authority).accredits_pas:
        raise ServiceError({"accredited": [f"{authority.name} does not accredit personal assistants"]})
    if (
        data.get("consents_to_listing")
        and not data.get("consent_recorded_on")
        and not getattr(pa, "consent_recorded_on", None)
    ):
        raise ServiceError({"consent_recorded_on": ["Enter the date the PA agreed to be listed"]})
    return save_audited(actor, pa or PersonalAssistant(authority=authority), data, reason, m2m=areas)


def add_pa_check(actor: User | None, pa: PersonalAssistant, data: Mapping[str, Any], reason: str) -> PACheck:
    return save_audited(actor, PACheck(authority=pa.authority, personal_assistant=pa), data, reason)


def save_broker(
    actor: User | None,
    authority: Authority,
    data: Mapping[str, Any],
    reason: str,
    broker: Broker | None = None,
) -> Broker:
    data = dict(data)
    areas = area_links(authority, data)
    return save_audited(actor, broker or Broker(authority=authority), data, reason, m2m=areas)
