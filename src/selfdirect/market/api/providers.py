"""Providers, their services and rate tables, the CSV import, the provider's own users, and what the
council records of their quality (ratings, QAF results, spot checks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.errors import HttpError
from ninja.responses import Status

from selfdirect.core.api_schema import Id, Input, LocalTime, Reason, required
from selfdirect.core.constants import Role
from selfdirect.core.http import AuthedRequest, current_authority, require
from selfdirect.core.models import User

from .. import access, rates, services
from ..access import provider_scope, service_scope
from ..constants import CheckOutcome, ProviderKind, QafLevel, SupportType, Unit
from ..models import Provider, ProviderMembership, Service, split_codes
from .common import chosen, chosen_areas
from .schemas import RatingIn, RatingOut

router = Router()


class ProviderOut(Schema):
    id: int
    name: str
    kind: ProviderKind
    cqc_number: str
    companies_house_number: str
    charity_number: str
    support_types: list[str]
    area_ids: list[int]
    description: str
    phone: str
    email: str
    website: str
    address: str
    listed: bool
    stars: int | None

    @staticmethod
    def resolve_support_types(obj: Provider) -> list[str]:
        return split_codes(obj.support_types)

    @staticmethod
    def resolve_area_ids(obj: Provider) -> list[int]:
        return [a.pk for a in obj.areas.all()]

    @staticmethod
    def resolve_stars(obj: Provider) -> int | None:
        rating = obj.current_rating()
        return rating.stars if rating else None


class ProviderIn(Input):
    name: str = Field(..., min_length=1, max_length=200)
    kind: ProviderKind = ProviderKind.AGENCY
    cqc_number: str = ""
    companies_house_number: str = ""
    charity_number: str = ""
    support_types: list[SupportType] = []
    area_ids: list[Id] = []
    description: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    address: str = ""
    listed: bool = True
    reason: Reason = "New provider"


class ProviderPatch(Input):
    kind: ProviderKind = required()
    cqc_number: str = required()
    companies_house_number: str = required()
    charity_number: str = required()
    support_types: list[SupportType] = required()
    area_ids: list[Id] = required()
    description: str = required()
    phone: str = required()
    email: str = required()
    website: str = required()
    address: str = required()
    listed: bool = required()
    reason: Reason


class ServiceOut(Schema):
    id: int
    provider_id: int
    name: str
    support_type: SupportType
    unit: Unit
    description: str
    listed: bool


class ServiceIn(Input):
    name: str = Field(..., min_length=1, max_length=200)
    support_type: SupportType
    unit: Unit = Field(..., description="hour, visit, night, week or item: a rate needs a unit")
    description: str = ""
    listed: bool = True
    reason: Reason = "New service"


class ServicePatch(Input):
    name: str = required(min_length=1, max_length=200)
    support_type: SupportType = required()
    unit: Unit = required()
    description: str = required()
    listed: bool = required()
    reason: Reason


class RateTableOut(Schema):
    id: int
    service_id: int
    starts_on: dt.date
    ends_on: dt.date | None
    standard_pence: int
    evening_pence: int | None
    night_pence: int | None
    weekend_pence: int | None
    bank_holiday_pence: int | None
    evening_from: LocalTime
    evening_until: LocalTime
    night_from: LocalTime
    night_until: LocalTime
    weekend_days: str
    precedence: str
    policy_note: str


class RateTableIn(Input):
    starts_on: dt.date
    ends_on: dt.date | None = None
    standard_pence: int = Field(..., ge=0)
    evening_pence: int | None = Field(None, ge=0)
    night_pence: int | None = Field(None, ge=0)
    weekend_pence: int | None = Field(None, ge=0)
    bank_holiday_pence: int | None = Field(None, ge=0)
    evening_from: LocalTime = dt.time(18, 0)
    evening_until: LocalTime = dt.time(22, 0)
    night_from: LocalTime = dt.time(22, 0)
    night_until: LocalTime = dt.time(7, 0)
    weekend_days: str = "5,6"
    precedence: str = "bank_holiday,night,weekend,evening"
    policy_note: str = ""
    reason: Reason = "New rates"


class QuoteOut(Schema):
    pence: int
    band: str
    rate_table_id: int
    explanation: str


class QualityIn(Input):
    service_id: Id | None = None
    assessed_on: dt.date
    level: QafLevel
    summary: str = ""
    reason: Reason = "QAF assessment"


class QualityOut(Schema):
    id: int
    service_id: int | None
    assessed_on: dt.date
    level: QafLevel
    summary: str


class SpotCheckIn(Input):
    checked_on: dt.date
    checked_by: str = Field(..., min_length=1)
    outcome: CheckOutcome
    notes: str = ""
    follow_up_by: dt.date | None = None
    reason: Reason = "Spot check"


class SpotCheckOut(Schema):
    id: int
    checked_on: dt.date
    checked_by: str
    outcome: CheckOutcome
    notes: str
    follow_up_by: dt.date | None


class ImportRateOut(Schema):
    provider: str
    service: str
    unit: Unit
    starts_on: dt.date
    ends_on: dt.date | None
    standard_pence: int
    evening_pence: int | None
    night_pence: int | None
    weekend_pence: int | None
    bank_holiday_pence: int | None


class ImportOut(Schema):
    dry_run: bool = Field(..., description="true: checked only, nothing saved")
    new_providers: list[str]
    existing_providers: list[str]
    new_services: list[str]
    new_areas: list[str]
    rate_tables: list[ImportRateOut]
    rate_table_ids: list[int] = Field(..., description="The rate tables created (empty on a dry run)")


class ProviderUserOut(Schema):
    user_id: int
    username: str
    name: str


class ProviderUserIn(Input):
    user_id: Id = Field(..., description="A user with the provider role in this authority")
    reason: Reason


# --- helpers --------------------------------------------------------------------------------------


def _provider(request: AuthedRequest, pk: int) -> Provider:
    return get_object_or_404(provider_scope(request.user, current_authority(request)), pk=pk)


def _service(request: AuthedRequest, pk: int) -> Service:
    return get_object_or_404(service_scope(request.user, current_authority(request)), pk=pk)


def _provider_users(provider: Provider) -> list[dict[str, Any]]:
    links = (
        ProviderMembership.objects.filter(provider=provider).select_related("user").order_by("user__username")
    )
    return [
        {"user_id": link.user_id, "username": link.user.username, "name": link.user.get_full_name()}
        for link in links
    ]


# --- providers, services, rates, quality ----------------------------------------------------------


@router.get("/market/providers", response=list[ProviderOut], summary="Providers you may see")
def list_providers(request: AuthedRequest) -> Any:
    authority = current_authority(request)
    if not access.views_market(request.user, authority) and not access.own_provider_ids(
        request.user, authority
    ):
        raise PermissionDenied("market")
    return provider_scope(request.user, authority).prefetch_related("areas")


@router.post("/market/providers", response={201: ProviderOut}, summary="Add a provider")
def create_provider(request: AuthedRequest, payload: ProviderIn) -> Any:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    data = payload.dict(exclude={"reason", "area_ids"})
    data["areas"] = chosen_areas(request.user, authority, payload.area_ids)
    return Status(201, services.save_provider(request.user, authority, data, payload.reason))


@router.post(
    "/market/providers/import",
    response={200: ImportOut, 201: ImportOut},
    summary="Import providers, services and rate tables from CSV (all or nothing)",
    description=(
        "multipart/form-data with `file` (CSV UTF-8, at most 256 KB (larger files: `manage.py import_providers`), one row per rate table; columns as "
        "`manage.py import_providers`), `reason`, and `dry_run` (true: check and say what would be "
        "created, saving nothing; answers 200). Any bad row: 422 listing every problem by line and field, "
        "nothing saved. A file that is too large, empty, not CSV or not UTF-8: 400."
    ),
)
def import_providers(
    request: AuthedRequest, file: File[UploadedFile], reason: Form[str], dry_run: Form[bool] = False
) -> Any:
    authority = current_authority(request)
    require(request, "market.import_providers", authority)
    if not reason.strip():
        raise services.ServiceError({"reason": ["Say where these providers and rates come from"]})
    try:
        text = services.read_import_file(file.name or "", file.read(services.MAX_IMPORT_BYTES + 1))
    except services.ServiceError as exc:
        raise HttpError(400, f"file: {exc.errors['file'][0]}") from None
    preview, created = services.summarised_import(request.user, authority, text, reason, dry_run=dry_run)
    body = {
        **preview.__dict__,
        "dry_run": dry_run,
        "rate_table_ids": [] if dry_run else [t.pk for t in created],
    }
    return Status(200 if dry_run else 201, body)


@router.get("/market/providers/{provider_id}", response=ProviderOut)
def get_provider(request: AuthedRequest, provider_id: int) -> Any:
    return _provider(request, provider_id)


@router.patch("/market/providers/{provider_id}", response=ProviderOut, summary="Change a provider's profile")
def patch_provider(request: AuthedRequest, provider_id: int, payload: ProviderPatch) -> Any:
    provider = _provider(request, provider_id)
    require(request, "market.change_provider", provider)
    data = payload.dict(exclude={"reason", "area_ids"}, exclude_unset=True)
    if "listed" in data and not access.manages_market(request.user, provider.authority_id):
        raise services.ServiceError({"listed": ["Only the council decides whether a provider is listed"]})
    if payload.area_ids is not None:  # omitted: the areas stay as they are
        data["areas"] = chosen_areas(request.user, provider.authority, payload.area_ids)
    return services.save_provider(request.user, provider.authority, data, payload.reason, provider=provider)


@router.get("/market/providers/{provider_id}/services", response=list[ServiceOut])
def list_services(request: AuthedRequest, provider_id: int) -> Any:
    return _provider(request, provider_id).services.all()


@router.post("/market/providers/{provider_id}/services", response={201: ServiceOut})
def create_service(request: AuthedRequest, provider_id: int, payload: ServiceIn) -> Any:
    provider = _provider(request, provider_id)
    require(request, "market.change_provider", provider)
    return Status(
        201, services.save_service(request.user, provider, payload.dict(exclude={"reason"}), payload.reason)
    )


@router.patch("/market/services/{service_id}", response=ServiceOut, summary="Change a service")
def patch_service(request: AuthedRequest, service_id: int, payload: ServicePatch) -> Any:
    service = _service(request, service_id)
    require(request, "market.change_provider", service.provider)
    data = payload.dict(exclude={"reason"}, exclude_unset=True)
    return services.save_service(request.user, service.provider, data, payload.reason, service=service)


@router.get("/market/services/{service_id}/rates", response=list[RateTableOut])
def list_rates(request: AuthedRequest, service_id: int) -> Any:
    return _service(request, service_id).rate_tables.all()


@router.post("/market/services/{service_id}/rates", response={201: RateTableOut}, summary="Add a rate table")
def create_rates(request: AuthedRequest, service_id: int, payload: RateTableIn) -> Any:
    service = _service(request, service_id)
    require(request, "market.change_provider", service.provider)
    table = services.save_rate_table(request.user, service, payload.dict(exclude={"reason"}), payload.reason)
    return Status(201, table)


@router.get("/market/services/{service_id}/rate", response=QuoteOut, summary="The rate for an hour, and why")
def get_rate(request: AuthedRequest, service_id: int, at: dt.datetime, end: dt.datetime | None = None) -> Any:
    service = _service(request, service_id)
    try:
        quote = rates.quote(service, at, end)
    except rates.NoRate as exc:
        raise services.ServiceError({"at": [str(exc)]}) from None
    except ValueError as exc:
        raise services.ServiceError({"end": [str(exc)]}) from None
    return {
        "pence": quote.pence,
        "band": quote.band,
        "rate_table_id": quote.table_id,
        "explanation": quote.explanation,
    }


@router.get(
    "/market/providers/{provider_id}/users",
    response=list[ProviderUserOut],
    summary="The provider's own users (who sign in for it)",
)
def list_provider_users(request: AuthedRequest, provider_id: int) -> Any:
    provider = _provider(request, provider_id)
    require(request, "market.manage_market", provider.authority)
    return _provider_users(provider)


@router.post(
    "/market/providers/{provider_id}/users",
    response={201: list[ProviderUserOut]},
    summary="Link a provider user to the provider, so they can keep its profile and see its contracts",
)
def link_provider_user(request: AuthedRequest, provider_id: int, payload: ProviderUserIn) -> Any:
    provider = _provider(request, provider_id)
    require(request, "market.manage_market", provider.authority)
    user = User.objects.filter(memberships__authority=provider.authority, pk=payload.user_id).first()
    if user is None or Role.PROVIDER not in user.roles_in(provider.authority_id):
        raise services.ServiceError({"user_id": ["That user is not a provider user in this authority"]})
    services.link_provider_user(request.user, provider, user, payload.reason)
    return Status(201, _provider_users(provider))


@router.post("/market/providers/{provider_id}/ratings", response={201: RatingOut})
def add_provider_rating(request: AuthedRequest, provider_id: int, payload: RatingIn) -> Any:
    provider = access.visible(request, Provider, provider_id)
    require(request, "market.manage_market", provider.authority)
    return Status(
        201, services.add_rating(request.user, provider, payload.dict(exclude={"reason"}), payload.reason)
    )


@router.post(
    "/market/providers/{provider_id}/quality", response={201: QualityOut}, summary="Record a QAF result"
)
def add_quality(request: AuthedRequest, provider_id: int, payload: QualityIn) -> Any:
    provider = access.visible(request, Provider, provider_id)
    require(request, "market.manage_market", provider.authority)
    data = payload.dict(exclude={"reason", "service_id"})
    data["service"] = chosen(Service, provider.authority, payload.service_id, "service_id")
    return Status(201, services.add_quality_assessment(request.user, provider, data, payload.reason))


@router.post("/market/providers/{provider_id}/spot-checks", response={201: SpotCheckOut})
def add_spot_check(request: AuthedRequest, provider_id: int, payload: SpotCheckIn) -> Any:
    provider = access.visible(request, Provider, provider_id)
    require(request, "market.manage_market", provider.authority)
    return Status(
        201, services.add_spot_check(request.user, provider, payload.dict(exclude={"reason"}), payload.reason)
    )
