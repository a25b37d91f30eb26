"""How the council buys: preferred-provider and framework lists, and contracts with the usage and
payments recorded against them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Router, Schema
from ninja.responses import Status

from selfdirect.core.api_schema import Id, Input, Reason
from selfdirect.core.http import AuthedRequest, current_authority, require
from selfdirect.core.models import Authority

from .. import access, services
from ..access import contract_scope, list_scope
from ..constants import BlockBasis, ContractKind, DoubleFunding, ListKind, Period
from ..models import Contract, Provider, ProviderList, Service
from .common import chosen
from .schemas import Posts, Units

router = Router()


class ListEntryOut(Schema):
    id: int
    service_id: int
    provider_id: int
    fixed_price_pence: int

    @staticmethod
    def resolve_provider_id(obj: Any) -> int:
        return int(obj.service.provider_id)


class ListOut(Schema):
    id: int
    name: str
    kind: ListKind
    starts_on: dt.date
    ends_on: dt.date | None
    description: str
    entries: list[ListEntryOut]

    @staticmethod
    def resolve_entries(obj: ProviderList) -> Any:
        return obj.entries.select_related("service")


class ListIn(Input):
    name: str = Field(..., min_length=1, max_length=200)
    kind: ListKind
    starts_on: dt.date
    ends_on: dt.date | None = None
    description: str = ""
    reason: Reason = "New list"


class ListEntryIn(Input):
    service_id: Id
    fixed_price_pence: int = Field(..., ge=0)
    reason: Reason = "Added to the list"


class ContractOut(Schema):
    id: int
    reference: str
    title: str
    provider_id: int
    service_id: int | None
    kind: ContractKind
    block_basis: str
    extra_care: bool
    starts_on: dt.date
    ends_on: dt.date
    review_on: dt.date | None
    tender_notice_on: dt.date | None
    period: Period
    volume: Decimal
    unit_price_pence: int
    lump_sum_pence: int
    posts: Decimal
    double_funding: str
    units_set_aside: Decimal
    notes: str


class ContractIn(Input):
    reference: str = Field(..., min_length=1, max_length=40)
    title: str = Field(..., min_length=1, max_length=200)
    provider_id: Id
    service_id: Id | None = None
    kind: ContractKind
    block_basis: BlockBasis | None = None
    extra_care: bool = False
    starts_on: dt.date
    ends_on: dt.date
    review_on: dt.date | None = None
    period: Period = Period.WEEK
    volume: Units = Field(Decimal(0), description="Units per period; must not be below zero")
    unit_price_pence: int = Field(0, ge=0)
    lump_sum_pence: int = Field(0, ge=0)
    posts: Posts = Decimal(0)
    double_funding: DoubleFunding = DoubleFunding.NOT_APPLICABLE
    units_set_aside: Units = Decimal(0)
    notes: str = ""
    reason: Reason = "New contract"


class UsageIn(Input):
    period_start: dt.date
    period_end: dt.date
    units_used: Units
    budget_units: Units = Decimal(0)
    notes: str = ""
    reason: Reason = "Usage recorded"


class UsageOut(Schema):
    id: int
    period_start: dt.date
    period_end: dt.date
    units_used: Decimal
    budget_units: Decimal
    block_pence: int
    adjustment_pence: int
    payment_pence: int
    utilisation_percent: Decimal | None
    explanation: str


class ContractDetailOut(ContractOut):
    usage: list[UsageOut]


# --- lists and contracts --------------------------------------------------------------------------


@router.get("/market/lists", response=list[ListOut], summary="Preferred-provider and framework lists")
def list_lists(request: AuthedRequest) -> Any:
    authority = current_authority(request)
    require(request, "market.view_market", authority)
    return list_scope(request.user, authority)


@router.post("/market/lists", response={201: ListOut})
def create_list(request: AuthedRequest, payload: ListIn) -> Any:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    return Status(
        201, services.save_list(request.user, authority, payload.dict(exclude={"reason"}), payload.reason)
    )


@router.get("/market/lists/{list_id}", response=ListOut)
def get_list(request: AuthedRequest, list_id: int) -> Any:
    return access.visible(request, ProviderList, list_id)


@router.post("/market/lists/{list_id}/entries", response={201: ListEntryOut})
def add_list_entry(request: AuthedRequest, list_id: int, payload: ListEntryIn) -> Any:
    plist = access.visible(request, ProviderList, list_id)
    require(request, "market.manage_market", plist.authority)
    data = {"service": chosen(Service, plist.authority, payload.service_id, "service_id"),
            "fixed_price_pence": payload.fixed_price_pence}  # fmt: skip
    return Status(201, services.add_list_entry(request.user, plist, data, payload.reason))


@router.get("/market/contracts", response=list[ContractOut])
def list_contracts(request: AuthedRequest) -> Any:
    authority = current_authority(request)
    require(request, "market.view_market", authority)
    return contract_scope(request.user, authority)


def _contract_data(authority: Authority, payload: ContractIn) -> dict[str, Any]:
    data = payload.dict(exclude={"reason", "provider_id", "service_id"})
    data["block_basis"] = data["block_basis"] or ""
    data["provider"] = chosen(Provider, authority, payload.provider_id, "provider_id")
    data["service"] = chosen(Service, authority, payload.service_id, "service_id")
    return data


@router.post("/market/contracts", response={201: ContractOut}, summary="Record a contract")
def create_contract(request: AuthedRequest, payload: ContractIn) -> Any:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    contract = services.save_contract(
        request.user, authority, _contract_data(authority, payload), payload.reason
    )
    return Status(201, contract)


def _contract_detail(contract: Contract) -> dict[str, Any]:
    data = ContractOut.from_orm(contract).dict()
    data["usage"] = []
    for u in contract.usage.all():
        effect = services.contract_effect(contract, u)
        data["usage"].append(
            {"id": u.pk, "period_start": u.period_start, "period_end": u.period_end, "units_used": u.units_used,
             "budget_units": u.budget_units, "block_pence": effect.block_pence,
             "adjustment_pence": effect.adjustment_pence, "payment_pence": effect.payment_pence,
             "utilisation_percent": effect.utilisation_percent, "explanation": effect.explanation}
        )  # fmt: skip
    return data


@router.get(
    "/market/contracts/{contract_id}",
    response=ContractDetailOut,
    summary="A contract, its usage and payments",
)
def get_contract(request: AuthedRequest, contract_id: int) -> Any:
    return _contract_detail(access.visible(request, Contract, contract_id))


@router.put("/market/contracts/{contract_id}", response=ContractOut, summary="Change a contract")
def put_contract(request: AuthedRequest, contract_id: int, payload: ContractIn) -> Any:
    contract = access.visible(request, Contract, contract_id)
    require(request, "market.manage_market", contract.authority)
    data = _contract_data(contract.authority, payload)
    return services.save_contract(request.user, contract.authority, data, payload.reason, contract=contract)


@router.post(
    "/market/contracts/{contract_id}/usage", response={201: UsageOut}, summary="Record usage for a period"
)
def add_usage(request: AuthedRequest, contract_id: int, payload: UsageIn) -> Any:
    contract = access.visible(request, Contract, contract_id)
    require(request, "market.manage_market", contract.authority)
    usage = services.record_usage(request.user, contract, payload.dict(exclude={"reason"}), payload.reason)
    return Status(201, next(u for u in _contract_detail(contract)["usage"] if u["id"] == usage.pk))
