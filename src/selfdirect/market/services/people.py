"""A person's side of the market: the services arranged for them, the move from a block contract to
their personal budget, and the personal assistants they employ with their employer duties."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User
from selfdirect.people.models import Person

from ..constants import ContractKind, Duty, DutyStatus, Funding
from ..models import Arrangement, EmployerDuty, PAEmployment
from .common import overlaps, save_audited, settings_for


def _check_arrangement(arr: Arrangement) -> None:
    errors: dict[str, list[str]] = {}
    if arr.funding == Funding.BLOCK:
        if arr.contract is None or arr.contract.kind != ContractKind.BLOCK:
            errors["contract"] = ["A block-funded arrangement needs the block contract that pays for it"]
        elif arr.contract.provider_id != arr.service.provider_id:
            errors["contract"] = ["Choose a contract with the service's provider"]
    elif arr.contract_id is not None:
        errors["contract"] = ["A budget-funded arrangement is paid from the person's budget, not a contract"]
    clashes = Arrangement.objects.filter(person=arr.person, service=arr.service).exclude(pk=arr.pk)
    for other in clashes:
        if arr.starts_on and overlaps(arr.starts_on, arr.ends_on, other.starts_on, other.ends_on):
            errors["starts_on"] = [f"This overlaps another arrangement for the same service: {other}"]
    if errors:
        raise ServiceError(errors)


def save_arrangement(actor: User | None, person: Person, data: Mapping[str, Any], reason: str) -> Arrangement:
    arr = Arrangement(authority=person.authority, person=person)
    return save_audited(actor, arr, data, reason, check=_check_arrangement, person_id=person.pk)


def transfer_to_budget(
    actor: User | None, arrangement: Arrangement, transfer_on: dt.date, reason: str
) -> Arrangement:
    """Move a person from a block-funded service to the same service bought with their budget:
    the block use ends the day before ``transfer_on`` and the budget-funded use starts that day,
    so the provider is paid for every day once (seed 004 Q7: "no hiatus in payment")."""
    with transaction.atomic():
        old = Arrangement.objects.select_for_update().get(pk=arrangement.pk)
        if old.funding != Funding.BLOCK:
            raise ServiceError(
                {"arrangement": ["Only a block-funded arrangement can move to a personal budget"]}
            )
        if transfer_on <= old.starts_on:
            raise ServiceError(
                {
                    "transfer_on": [
                        f"The transfer date must be after the block arrangement started ({old.starts_on:%d %B %Y})"
                    ]
                }
            )
        if old.ends_on is not None and transfer_on > old.ends_on:
            raise ServiceError(
                {
                    "transfer_on": [
                        f"The block arrangement ended on {old.ends_on:%d %B %Y}; choose a date on or before it"
                    ]
                }
            )
        original_end = old.ends_on
        save_audited(
            actor, old, {"ends_on": transfer_on - dt.timedelta(days=1)}, reason, person_id=old.person_id
        )
        new = Arrangement(authority=old.authority, person=old.person)
        data = {
            "service": old.service, "funding": Funding.BUDGET, "contract": None,
            "units_per_week": old.units_per_week, "starts_on": transfer_on, "ends_on": original_end, "previous": old,
        }  # fmt: skip
        return save_audited(actor, new, data, reason, check=_check_arrangement, person_id=old.person_id)


def save_employment(actor: User | None, person: Person, data: Mapping[str, Any], reason: str) -> PAEmployment:
    """Record that a budget holder employs a PA, with a checklist of every employer duty."""
    data = dict(data)
    if data.get("family_member"):
        market = settings_for(person.authority)
        if not market.family_pas_allowed:
            raise ServiceError({"family_member": [market.family_pa_refusal]})
    pa = data.get("personal_assistant")
    if pa is not None:
        if pa.authority_id != person.authority_id:
            raise ServiceError({"personal_assistant": ["Choose a PA on this authority's register"]})
        data.setdefault("pa_name", pa.name)
        if not data["pa_name"]:
            data["pa_name"] = pa.name
    with transaction.atomic():
        employment = save_audited(
            actor, PAEmployment(authority=person.authority, person=person), data, reason, person_id=person.pk
        )
        for duty in Duty:
            EmployerDuty.objects.create(authority=person.authority, employment=employment, duty=duty)
        return employment


def update_duty(actor: User | None, duty: EmployerDuty, data: Mapping[str, Any], reason: str) -> EmployerDuty:
    if "status" in data and data["status"] not in DutyStatus.values:
        raise ServiceError({"status": ["Choose a status"]})
    return save_audited(actor, duty, data, reason, person_id=duty.employment.person_id)
