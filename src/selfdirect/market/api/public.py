"""The public directory of providers, personal assistants and brokers: no sign-in."""

from __future__ import annotations

from typing import Any, Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from selfdirect.core.api_schema import Id, Input
from selfdirect.core.http import AuthedRequest
from selfdirect.core.models import Authority

from .. import directory
from ..constants import BrokerKind, FeeBasis, SupportType
from ..models import split_codes

router = Router()


class DirectoryProviderOut(Schema):
    name: str
    stars: int | None
    support_types: list[str]
    areas: list[str]
    phone: str
    email: str
    services: list[dict[str, Any]]


class DirectoryPAOut(Schema):
    name: str
    stars: int | None
    support_types: list[str]
    areas: list[str]
    availability: str
    hourly_rate_pence: int | None
    accredited: bool


class DirectoryBrokerOut(Schema):
    name: str
    kind: BrokerKind
    profile: str
    stars: int | None
    fee_pence: int
    fee_basis: FeeBasis
    payable_from_budget: bool


class DirectoryOut(Schema):
    council: str
    providers: list[DirectoryProviderOut]
    personal_assistants: list[DirectoryPAOut]
    brokers: list[DirectoryBrokerOut]


class DirectoryFilter(Input):
    council: str = Field(..., description="The council's slug, e.g. northshire")
    area_id: Id | None = None
    support_type: SupportType | Literal["planning"] | None = Field(
        None, description="A type of support, or planning: only brokers and support planners (who are "
        "kept under every type, as they help arrange any)"
    )  # fmt: skip
    min_stars: int | None = Field(None, ge=1, le=5)
    show: Literal["providers", "pas", "brokers"] | None = None


@router.get("/directory", response=DirectoryOut, auth=None, summary="The public directory (no sign-in)")
def public_directory(request: AuthedRequest, filters: Query[DirectoryFilter]) -> Any:
    authority = get_object_or_404(Authority, slug=filters.council)
    found = directory.listing(
        authority,
        directory.Filters(
            area=filters.area_id,
            support_type=filters.support_type or "",
            min_stars=filters.min_stars,
            show=filters.show or "",
        ),
        timezone.localdate(),
    )
    return {
        "council": authority.slug,
        "providers": [
            {
                "name": e.provider.name, "stars": e.stars, "support_types": split_codes(e.provider.support_types),
                "areas": [a.name for a in e.provider.areas.all()], "phone": e.provider.phone, "email": e.provider.email,
                "services": [
                    {"name": s.name, "unit": s.unit, "standard_pence": t.standard_pence, "evening_pence": t.evening_pence,
                     "night_pence": t.night_pence, "weekend_pence": t.weekend_pence,
                     "bank_holiday_pence": t.bank_holiday_pence}
                    for s, t in e.services
                ],
            }
            for e in found.providers
        ],
        "personal_assistants": [
            {"name": pa.name, "stars": stars, "support_types": split_codes(pa.support_types),
             "areas": [a.name for a in pa.areas.all()], "availability": pa.availability,
             "hourly_rate_pence": pa.hourly_rate_pence, "accredited": pa.accredited}
            for pa, stars in found.pas
        ],
        "brokers": [
            {"name": b.name, "kind": b.kind, "profile": b.profile, "stars": stars, "fee_pence": b.fee_pence,
             "fee_basis": b.fee_basis, "payable_from_budget": b.payable_from_budget}
            for b, stars in found.brokers
        ],
    }  # fmt: skip
