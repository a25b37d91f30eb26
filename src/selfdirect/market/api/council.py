"""The authority's market settings (family PAs, accreditation, re-tendering notice) and its areas."""

from __future__ import annotations

from typing import Any

from ninja import Field, Router, Schema
from ninja.responses import Status

from selfdirect.core.api_schema import Input, Reason, required
from selfdirect.core.http import AuthedRequest, current_authority, require

from .. import services
from ..access import area_scope

router = Router()


class SettingsOut(Schema):
    family_pas_allowed: bool
    family_pa_refusal: str
    accredits_pas: bool
    retender_notice_months: int = Field(
        ..., description="Months before a contract ends to start re-tendering"
    )


class SettingsPatch(Input):
    family_pas_allowed: bool = required()
    family_pa_refusal: str = required(min_length=1, max_length=300)
    accredits_pas: bool = required()
    retender_notice_months: int = required(ge=0, le=36)
    reason: Reason


class AreaOut(Schema):
    id: int
    name: str


class AreaIn(Input):
    name: str = Field(..., min_length=1, max_length=100)
    reason: Reason = "New area"


# --- settings and areas ---------------------------------------------------------------------------


@router.get("/market/settings", response=SettingsOut, summary="The authority's market policy")
def get_settings(request: AuthedRequest) -> Any:
    authority = current_authority(request)
    require(request, "market.view_market", authority)
    return services.settings_for(authority)


@router.patch(
    "/market/settings", response=SettingsOut, summary="Change the market policy (family PAs, accreditation)"
)
def patch_settings(request: AuthedRequest, payload: SettingsPatch) -> Any:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    data = payload.dict(exclude={"reason"}, exclude_unset=True)
    return services.save_settings(request.user, authority, data, payload.reason)


@router.get("/market/areas", response=list[AreaOut])
def list_areas(request: AuthedRequest) -> Any:
    authority = current_authority(request)
    require(request, "market.view_market", authority)
    return area_scope(request.user, authority)


@router.post("/market/areas", response={201: AreaOut})
def create_area(request: AuthedRequest, payload: AreaIn) -> Any:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    return Status(201, services.add_area(request.user, authority, payload.name, payload.reason))
