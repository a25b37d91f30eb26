"""The register of personal assistants, with their checks, and the brokers and support planners."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from selfdirect.core.api_schema import Id, Input, Reason, required
from selfdirect.core.http import AuthedRequest, current_authority, require

from .. import access, directory, services
from ..access import broker_scope, pa_scope
from ..constants import BrokerKind, CheckKind, FeeBasis, SupportType
from ..models import Broker, PersonalAssistant, split_codes
from .common import chosen_areas
from .schemas import RatingIn, RatingOut

router = Router()


class PAOut(Schema):
    id: int
    name: str
    support_types: list[str]
    offer: str
    area_ids: list[int]
    availability: str
    hourly_rate_pence: int | None
    consents_to_listing: bool
    consent_recorded_on: dt.date | None
    accredited: bool
    listed: bool
    dbs_in_date: bool
    dbs_expires_on: dt.date | None
    public: bool

    @staticmethod
    def resolve_support_types(obj: PersonalAssistant) -> list[str]:
        return split_codes(obj.support_types)

    @staticmethod
    def resolve_area_ids(obj: PersonalAssistant) -> list[int]:
        return [a.pk for a in obj.areas.all()]

    @staticmethod
    def resolve_dbs_in_date(obj: PersonalAssistant) -> bool:
        return obj.dbs_in_date(timezone.localdate())

    @staticmethod
    def resolve_dbs_expires_on(obj: PersonalAssistant) -> dt.date | None:
        dbs = obj.latest_dbs()
        return dbs.expires_on if dbs else None

    @staticmethod
    def resolve_public(obj: PersonalAssistant) -> bool:
        return directory.public_pas(obj.authority, timezone.localdate()).filter(pk=obj.pk).exists()


class PAIn(Input):
    name: str = Field(..., min_length=1, max_length=200)
    support_types: list[SupportType] = []
    offer: str = ""
    area_ids: list[Id] = []
    availability: str = ""
    hourly_rate_pence: int | None = Field(None, ge=0)
    phone: str = ""
    email: str = ""
    consents_to_listing: bool = False
    consent_recorded_on: dt.date | None = None
    accredited: bool = False
    listed: bool = True
    reason: Reason = "Added to the register"


class PAPatch(Input):
    name: str = required(min_length=1, max_length=200)
    support_types: list[SupportType] = required()
    offer: str = required()
    area_ids: list[Id] = required()
    availability: str = required()
    hourly_rate_pence: int | None = Field(None, ge=0)
    phone: str = required()
    email: str = required()
    consents_to_listing: bool = required()
    consent_recorded_on: dt.date | None = None
    accredited: bool = required()
    listed: bool = required()
    reason: Reason


class PACheckIn(Input):
    kind: CheckKind
    title: str = Field(..., min_length=1)
    reference: str = ""
    issued_on: dt.date
    expires_on: dt.date | None = None
    reason: Reason = "Evidence recorded"


class PACheckOut(Schema):
    id: int
    kind: CheckKind
    title: str
    reference: str
    issued_on: dt.date
    expires_on: dt.date | None


class BrokerOut(Schema):
    id: int
    name: str
    organisation: str
    kind: BrokerKind
    profile: str
    area_ids: list[int]
    fee_pence: int
    fee_basis: FeeBasis
    payable_from_budget: bool
    independent: bool
    listed: bool

    @staticmethod
    def resolve_area_ids(obj: Broker) -> list[int]:
        return [a.pk for a in obj.areas.all()]


class BrokerIn(Input):
    name: str = Field(..., min_length=1, max_length=200)
    organisation: str = ""
    kind: BrokerKind = BrokerKind.BOTH
    profile: str = ""
    area_ids: list[Id] = []
    fee_pence: int = Field(0, ge=0)
    fee_basis: FeeBasis = FeeBasis.HOUR
    payable_from_budget: bool = True
    independent: bool = True
    phone: str = ""
    email: str = ""
    listed: bool = True
    reason: Reason = "New broker"


class BrokerPatch(Input):
    name: str = required(min_length=1, max_length=200)
    organisation: str = required()
    kind: BrokerKind = required()
    profile: str = required()
    area_ids: list[Id] = required()
    fee_pence: int = required(ge=0)
    fee_basis: FeeBasis = required()
    payable_from_budget: bool = required()
    independent: bool = required()
    phone: str = required()
    email: str = required()
    listed: bool = required()
    reason: Reason


# --- personal assistants and brokers --------------------------------------------------------------


@router.get("/market/pas", response=list[PAOut], summary="The personal assistants register (staff)")
def list_pas(request: AuthedRequest) -> Any:
    authority = current_authority(request)
    require(request, "market.view_market", authority)
    return pa_scope(request.user, authority).prefetch_related("areas")


@router.post("/market/pas", response={201: PAOut})
def create_pa(request: AuthedRequest, payload: PAIn) -> Any:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    data = payload.dict(exclude={"reason", "area_ids"})
    data["areas"] = chosen_areas(request.user, authority, payload.area_ids)
    return Status(201, services.save_pa(request.user, authority, data, payload.reason))


@router.get("/market/pas/{pa_id}", response=PAOut)
def get_pa(request: AuthedRequest, pa_id: int) -> Any:
    return access.visible(request, PersonalAssistant, pa_id)


@router.post(
    "/market/pas/{pa_id}/checks",
    response={201: PACheckOut},
    summary="Record a DBS check, reference or training",
)
def add_pa_check(request: AuthedRequest, pa_id: int, payload: PACheckIn) -> Any:
    pa = access.visible(request, PersonalAssistant, pa_id)
    require(request, "market.manage_market", pa.authority)
    return Status(
        201, services.add_pa_check(request.user, pa, payload.dict(exclude={"reason"}), payload.reason)
    )


@router.patch("/market/pas/{pa_id}", response=PAOut, summary="Change a PA's entry on the register")
def patch_pa(request: AuthedRequest, pa_id: int, payload: PAPatch) -> Any:
    pa = access.visible(request, PersonalAssistant, pa_id)
    require(request, "market.manage_market", pa.authority)
    data = payload.dict(exclude={"reason", "area_ids"}, exclude_unset=True)
    if payload.area_ids is not None:  # omitted: the areas stay as they are
        data["areas"] = chosen_areas(request.user, pa.authority, payload.area_ids)
    return services.save_pa(request.user, pa.authority, data, payload.reason, pa=pa)


@router.post(
    "/market/pas/{pa_id}/ratings", response={201: RatingOut}, summary="Publish a star rating for a PA"
)
def add_pa_rating(request: AuthedRequest, pa_id: int, payload: RatingIn) -> Any:
    pa = access.visible(request, PersonalAssistant, pa_id)
    require(request, "market.manage_market", pa.authority)
    return Status(
        201, services.add_rating(request.user, pa, payload.dict(exclude={"reason"}), payload.reason)
    )


@router.get("/market/brokers", response=list[BrokerOut])
def list_brokers(request: AuthedRequest) -> Any:
    authority = current_authority(request)
    require(request, "market.view_market", authority)
    return broker_scope(request.user, authority).prefetch_related("areas")


@router.post("/market/brokers", response={201: BrokerOut})
def create_broker(request: AuthedRequest, payload: BrokerIn) -> Any:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    data = payload.dict(exclude={"reason", "area_ids"})
    data["areas"] = chosen_areas(request.user, authority, payload.area_ids)
    return Status(201, services.save_broker(request.user, authority, data, payload.reason))


@router.get("/market/brokers/{broker_id}", response=BrokerOut)
def get_broker(request: AuthedRequest, broker_id: int) -> Any:
    return access.visible(request, Broker, broker_id)


@router.patch("/market/brokers/{broker_id}", response=BrokerOut, summary="Change a broker's profile or fee")
def patch_broker(request: AuthedRequest, broker_id: int, payload: BrokerPatch) -> Any:
    broker = access.visible(request, Broker, broker_id)
    require(request, "market.manage_market", broker.authority)
    data = payload.dict(exclude={"reason", "area_ids"}, exclude_unset=True)
    if payload.area_ids is not None:  # omitted: the areas stay as they are
        data["areas"] = chosen_areas(request.user, broker.authority, payload.area_ids)
    return services.save_broker(request.user, broker.authority, data, payload.reason, broker=broker)


@router.post(
    "/market/brokers/{broker_id}/ratings",
    response={201: RatingOut},
    summary="Publish a star rating for a broker",
)
def add_broker_rating(request: AuthedRequest, broker_id: int, payload: RatingIn) -> Any:
    broker = access.visible(request, Broker, broker_id)
    require(request, "market.manage_market", broker.authority)
    return Status(
        201, services.add_rating(request.user, broker, payload.dict(exclude={"reason"}), payload.reason)
    )
