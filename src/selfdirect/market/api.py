"""The market API: providers, services and rates, quality, PAs, brokers, lists, contracts and usage,
employer duties and the move from a block contract to a personal budget. Money is integer pence.
Handlers find records in the caller's authority and scope (404), check the permission (403) and
call the same services as the web pages. The directory endpoint needs no authentication."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.errors import HttpError
from ninja.responses import Status

from selfdirect.core.api_schema import Id, Input, LocalTime, Reason, decimal, required
from selfdirect.core.constants import Role
from selfdirect.core.http import AuthedRequest, current_authority, require
from selfdirect.core.models import Authority, User
from selfdirect.people.access import people_scope
from selfdirect.people.models import Person

from . import access, directory, rates, services
from .constants import (
    BlockBasis,
    BrokerKind,
    CheckKind,
    CheckOutcome,
    ContractKind,
    DoubleFunding,
    DutyStatus,
    FeeBasis,
    Funding,
    ListKind,
    Period,
    ProviderKind,
    QafLevel,
    SupportType,
    Unit,
)
from .models import (
    Area,
    Arrangement,
    Broker,
    Contract,
    EmployerDuty,
    PersonalAssistant,
    Provider,
    ProviderList,
    ProviderMembership,
    Service,
    split_codes,
)

router = Router(tags=["market"])

# Decimals as the models keep them (digits, places): the contract says exactly what is taken.
if TYPE_CHECKING:
    Units = Decimal
    Posts = Decimal
    WeeklyUnits = Decimal
else:
    Units = decimal(10, 2, ge=0)
    Posts = decimal(6, 2, ge=0)
    WeeklyUnits = decimal(8, 2, ge=0)


# --- schemas -----------------------------------------------------------------------------------


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


class RatingIn(Input):
    stars: int = Field(..., ge=1, le=5)
    rated_on: dt.date
    basis: str = ""
    published: bool = True
    reason: Reason = "Rating published"


class RatingOut(Schema):
    id: int
    stars: int
    rated_on: dt.date
    basis: str
    published: bool


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


class ServicePatch(Input):
    name: str = required(min_length=1, max_length=200)
    support_type: SupportType = required()
    unit: Unit = required()
    description: str = required()
    listed: bool = required()
    reason: Reason


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


# --- helpers -----------------------------------------------------------------------------------








def _provider(request: AuthedRequest, pk: int) -> Provider:
    return get_object_or_404(access.provider_scope(request.user, current_authority(request)), pk=pk)


def _service(request: AuthedRequest, pk: int) -> Service:
    scope = access.provider_scope(request.user, current_authority(request))
    return get_object_or_404(Service.objects.filter(provider__in=scope), pk=pk)


def _person(request: AuthedRequest, pk: int) -> Person:
    return get_object_or_404(people_scope(request.user, current_authority(request)), pk=pk)


def _areas(authority: Authority, ids: list[int], field: str = "area_ids") -> list[Area]:
    found = list(Area.objects.filter(authority=authority, pk__in=ids))
    if len(found) != len(set(ids)):
        raise services.ServiceError({field: ["Choose areas in this authority"]})
    return found


def _one(model: type[Model], authority: Authority, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    obj = model._default_manager.filter(authority=authority, pk=pk).first()
    if obj is None:
        raise services.ServiceError({field: [f"No such {model._meta.verbose_name} in this authority"]})
    return obj


# --- public directory ------------------------------------------------------------------------


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


# --- settings and areas ------------------------------------------------------------------------


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
    return Area.objects.filter(authority=authority)


@router.post("/market/areas", response={201: AreaOut})
def create_area(request: AuthedRequest, payload: AreaIn) -> Any:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    return Status(201, services.add_area(request.user, authority, payload.name, payload.reason))


# --- providers, services, rates, quality -----------------------------------------------------


@router.get("/market/providers", response=list[ProviderOut], summary="Providers you may see")
def list_providers(request: AuthedRequest) -> Any:
    authority = current_authority(request)
    if not access.views_market(request.user, authority) and not access.own_provider_ids(
        request.user, authority
    ):
        raise PermissionDenied("market")
    return access.provider_scope(request.user, authority).prefetch_related("areas")


@router.post("/market/providers", response={201: ProviderOut}, summary="Add a provider")
def create_provider(request: AuthedRequest, payload: ProviderIn) -> Any:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    data = payload.dict(exclude={"reason", "area_ids"})
    data["areas"] = _areas(authority, payload.area_ids)
    return Status(201, services.save_provider(request.user, authority, data, payload.reason))


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
        data["areas"] = _areas(provider.authority, payload.area_ids)
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


class ProviderUserOut(Schema):
    user_id: int
    username: str
    name: str


class ProviderUserIn(Input):
    user_id: Id = Field(..., description="A user with the provider role in this authority")
    reason: Reason


def _provider_users(provider: Provider) -> list[dict[str, Any]]:
    links = (
        ProviderMembership.objects.filter(provider=provider).select_related("user").order_by("user__username")
    )
    return [
        {"user_id": link.user_id, "username": link.user.username, "name": link.user.get_full_name()}
        for link in links
    ]


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
    data["service"] = _one(Service, provider.authority, payload.service_id, "service_id")
    return Status(201, services.add_quality_assessment(request.user, provider, data, payload.reason))


@router.post("/market/providers/{provider_id}/spot-checks", response={201: SpotCheckOut})
def add_spot_check(request: AuthedRequest, provider_id: int, payload: SpotCheckIn) -> Any:
    provider = access.visible(request, Provider, provider_id)
    require(request, "market.manage_market", provider.authority)
    return Status(
        201, services.add_spot_check(request.user, provider, payload.dict(exclude={"reason"}), payload.reason)
    )


# --- personal assistants and brokers ---------------------------------------------------------


@router.get("/market/pas", response=list[PAOut], summary="The personal assistants register (staff)")
def list_pas(request: AuthedRequest) -> Any:
    authority = current_authority(request)
    require(request, "market.view_market", authority)
    return PersonalAssistant.objects.filter(authority=authority).prefetch_related("areas")


@router.post("/market/pas", response={201: PAOut})
def create_pa(request: AuthedRequest, payload: PAIn) -> Any:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    data = payload.dict(exclude={"reason", "area_ids"})
    data["areas"] = _areas(authority, payload.area_ids)
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
        data["areas"] = _areas(pa.authority, payload.area_ids)
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
    return Broker.objects.filter(authority=authority).prefetch_related("areas")


@router.post("/market/brokers", response={201: BrokerOut})
def create_broker(request: AuthedRequest, payload: BrokerIn) -> Any:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    data = payload.dict(exclude={"reason", "area_ids"})
    data["areas"] = _areas(authority, payload.area_ids)
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
        data["areas"] = _areas(broker.authority, payload.area_ids)
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


# --- lists and contracts -----------------------------------------------------------------------


@router.get("/market/lists", response=list[ListOut], summary="Preferred-provider and framework lists")
def list_lists(request: AuthedRequest) -> Any:
    authority = current_authority(request)
    require(request, "market.view_market", authority)
    return ProviderList.objects.filter(authority=authority)


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
    data = {"service": _one(Service, plist.authority, payload.service_id, "service_id"),
            "fixed_price_pence": payload.fixed_price_pence}  # fmt: skip
    return Status(201, services.add_list_entry(request.user, plist, data, payload.reason))


@router.get("/market/contracts", response=list[ContractOut])
def list_contracts(request: AuthedRequest) -> Any:
    authority = current_authority(request)
    require(request, "market.view_market", authority)
    return Contract.objects.filter(authority=authority)


def _contract_data(authority: Authority, payload: ContractIn) -> dict[str, Any]:
    data = payload.dict(exclude={"reason", "provider_id", "service_id"})
    data["block_basis"] = data["block_basis"] or ""
    data["provider"] = _one(Provider, authority, payload.provider_id, "provider_id")
    data["service"] = _one(Service, authority, payload.service_id, "service_id")
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


# --- people: arrangements and employer duties -------------------------------------------------


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
    data["personal_assistant"] = _one(
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
    duty = get_object_or_404(EmployerDuty.objects.filter(employment__person=person), pk=duty_id)
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
    data["service"] = _one(Service, person.authority, payload.service_id, "service_id")
    data["contract"] = _one(Contract, person.authority, payload.contract_id, "contract_id")
    return Status(201, services.save_arrangement(request.user, person, data, payload.reason))


@router.post(
    "/market/people/{person_id}/arrangements/{arrangement_id}/transfer",
    response={201: ArrangementOut},
    summary="Move from a block contract to the personal budget with no gap in the provider's pay",
)
def transfer(request: AuthedRequest, person_id: int, arrangement_id: int, payload: TransferIn) -> Any:
    person = _person(request, person_id)
    require(request, "market.transfer_arrangement", person)
    arrangement = get_object_or_404(Arrangement.objects.filter(person=person), pk=arrangement_id)
    return Status(
        201, services.transfer_to_budget(request.user, arrangement, payload.transfer_on, payload.reason)
    )
