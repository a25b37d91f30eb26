"""A person's side of the market: the personal assistants they employ, with their employer duties,
and the services arranged for them, including the move from a block contract to their budget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from selfdirect.core.api_schema import Id, Input, Reason, required
from selfdirect.core.http import AuthedRequest, current_authority, require
from selfdirect.people.access import people_scope
from selfdirect.people.models import Person

from .. import services
from ..access import arrangement_scope, duty_scope
from ..constants import DutyStatus, Funding
from ..models import Contract, PersonalAssistant, Service
from .common import chosen
from .schemas import WeeklyUnits

router = Router()


class DutyOut(Schema):
    id: int
    duty: str
    status: DutyStatus
    due_on: dt.date | None
    notes: str


class EmploymentOut(Schema):
    id: int
    personal_assistant_id: int | None
    pa_name: str
    family_member: bool
    relationship: str
    starts_on: dt.date
    ends_on: dt.date | None
    duties: list[DutyOut]

    @staticmethod
    def resolve_duties(obj: Any) -> Any:
        return obj.duties.all()


class EmploymentIn(Input):
    personal_assistant_id: Id | None = None
    pa_name: str = ""
    family_member: bool = False
    relationship: str = ""
    starts_on: dt.date
    ends_on: dt.date | None = None
    reason: Reason = "Employs a personal assistant"


class DutyPatch(Input):
    status: DutyStatus = required()
    due_on: dt.date | None = None
    notes: str = required()
    reason: Reason


class ArrangementOut(Schema):
    id: int
    service_id: int
    funding: Funding
    contract_id: int | None
    units_per_week: Decimal
    starts_on: dt.date
    ends_on: dt.date | None
    previous_id: int | None


class ArrangementIn(Input):
    service_id: Id
    funding: Funding
    contract_id: Id | None = None
    units_per_week: WeeklyUnits
    starts_on: dt.date
    ends_on: dt.date | None = None
    reason: Reason = "Service arranged"


class TransferIn(Input):
    transfer_on: dt.date = Field(..., description="The first day the personal budget pays")
    reason: Reason = "Moved to a personal budget"


# --- helpers --------------------------------------------------------------------------------------


def _person(request: AuthedRequest, pk: int) -> Person:
    return get_object_or_404(people_scope(request.user, current_authority(request)), pk=pk)


# --- arrangements and employer duties -------------------------------------------------------------


@router.get(
    "/market/people/{person_id}/employments", response=list[EmploymentOut], summary="PAs a person employs"
)
def list_employments(request: AuthedRequest, person_id: int) -> Any:
    person = _person(request, person_id)
    require(request, "market.view_employer_duties", person)
    return person.pa_employments.all()


@router.post("/market/people/{person_id}/employments", response={201: EmploymentOut})
def add_employment(request: AuthedRequest, person_id: int, payload: EmploymentIn) -> Any:
    person = _person(request, person_id)
    require(request, "market.change_employer_duties", person)
    data = payload.dict(exclude={"reason", "personal_assistant_id"})
    data["personal_assistant"] = chosen(
        PersonalAssistant, person.authority, payload.personal_assistant_id, "personal_assistant_id"
    )
    if data["personal_assistant"] is None and not data["pa_name"]:
        raise services.ServiceError({"pa_name": ["Enter the PA's name, or choose them from the register"]})
    return Status(201, services.save_employment(request.user, person, data, payload.reason))


@router.patch(
    "/market/people/{person_id}/duties/{duty_id}", response=DutyOut, summary="Update an employer duty"
)
def patch_duty(request: AuthedRequest, person_id: int, duty_id: int, payload: DutyPatch) -> Any:
    person = _person(request, person_id)
    require(request, "market.change_employer_duties", person)
    duties = duty_scope(request.user, person.authority_id).filter(employment__person=person)
    duty = get_object_or_404(duties, pk=duty_id)
    return services.update_duty(
        request.user, duty, payload.dict(exclude={"reason"}, exclude_unset=True), payload.reason
    )


@router.get("/market/people/{person_id}/arrangements", response=list[ArrangementOut])
def list_arrangements(request: AuthedRequest, person_id: int) -> Any:
    person = _person(request, person_id)
    require(request, "market.view_employer_duties", person)
    return person.market_arrangements.all()


@router.post("/market/people/{person_id}/arrangements", response={201: ArrangementOut})
def add_arrangement(request: AuthedRequest, person_id: int, payload: ArrangementIn) -> Any:
    person = _person(request, person_id)
    require(request, "market.transfer_arrangement", person)
    data = payload.dict(exclude={"reason", "service_id", "contract_id"})
    data["service"] = chosen(Service, person.authority, payload.service_id, "service_id")
    data["contract"] = chosen(Contract, person.authority, payload.contract_id, "contract_id")
    return Status(201, services.save_arrangement(request.user, person, data, payload.reason))


@router.post(
    "/market/people/{person_id}/arrangements/{arrangement_id}/transfer",
    response={201: ArrangementOut},
    summary="Move from a block contract to the personal budget with no gap in the provider's pay",
)
def transfer(request: AuthedRequest, person_id: int, arrangement_id: int, payload: TransferIn) -> Any:
    person = _person(request, person_id)
    require(request, "market.transfer_arrangement", person)
    arrangements = arrangement_scope(request.user, person.authority_id).filter(person=person)
    arrangement = get_object_or_404(arrangements, pk=arrangement_id)
    return Status(
        201, services.transfer_to_budget(request.user, arrangement, payload.transfer_on, payload.reason)
    )
