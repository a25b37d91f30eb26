"""Market services: each change is validated, saved and audited in one transaction, so nothing is
half-saved. Views, the API and the CLI are thin callers of these functions."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, models, transaction

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction
from selfdirect.core.dates import add_months
from selfdirect.core.errors import ImportRefused, RowProblem, ServiceError
from selfdirect.core.models import Authority, User
from selfdirect.core.money import format_pence, parse_pounds, round_pence
from selfdirect.people.models import Person

from . import rates
from .constants import (
    BlockBasis,
    ContractKind,
    DoubleFunding,
    Duty,
    DutyStatus,
    Funding,
    ProviderKind,
    SupportType,
    Unit,
)
from .models import (
    Area,
    Arrangement,
    Broker,
    Contract,
    ContractUsage,
    EmployerDuty,
    MarketSettings,
    PACheck,
    PAEmployment,
    PersonalAssistant,
    Provider,
    ProviderList,
    ProviderListEntry,
    QualityAssessment,
    RateTable,
    Service,
    SpotCheck,
    StarRating,
)

__all__ = ["ImportRefused", "RowProblem", "ServiceError"]

EXTRA_CARE_ADVISED_YEARS = 3
"""Seed 003 Section 2B, 2.2: a contract for the care "should probably be no longer than three
years, with an annual review built in". Advice, not a rule: 2.5 describes integrated housing and
care agreements of 20 or 25 years, so a longer contract is shown with a warning, never refused."""


def settings_for(authority: Authority) -> MarketSettings:
    return MarketSettings.objects.get_or_create(authority=authority)[0]


def _fields(obj: models.Model) -> list[str]:
    return [f.name for f in obj._meta.concrete_fields if f.name not in {"id", "authority", "created_at"}]


def _snapshot(obj: models.Model) -> dict[str, Any]:
    """audit.snapshot, with times as text so the audit record stays JSON."""
    return {k: str(v) if isinstance(v, dt.time) else v for k, v in audit.snapshot(obj, _fields(obj)).items()}


def _full_clean(obj: models.Model, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise ServiceError(exc.message_dict) from None


def _save(
    actor: User | None,
    obj: models.Model,
    data: Mapping[str, Any],
    reason: str,
    *,
    check: Callable[[Any], None] | None = None,
    m2m: Mapping[str, Sequence[models.Model]] | None = None,
    person_id: int | None = None,
) -> Any:
    """Set ``data`` on ``obj``, check it, save it and audit it, all or nothing."""
    creating = obj.pk is None
    with transaction.atomic():
        before = {} if creating else _snapshot(type(obj)._default_manager.get(pk=obj.pk))
        for name, value in data.items():
            setattr(obj, name, value)
        if check is not None:
            check(obj)
        _full_clean(obj)
        changes = audit.diff(before, _snapshot(obj))
        if m2m:
            for name, values in m2m.items():
                old = sorted(str(v) for v in getattr(obj, name).all()) if not creating else []
                new = sorted(str(v) for v in values)
                if old != new:
                    changes[name] = [old, new]
        if not changes and not creating:
            return obj
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError as exc:
            raise ServiceError({"__all__": [f"The database refused the change: {exc}"]}) from None
        for name, values in (m2m or {}).items():
            getattr(obj, name).set(values)
        audit.record(
            actor=actor, authority=obj.authority, action=AuditAction.CREATE if creating else AuditAction.CHANGE,  # type: ignore[attr-defined]
            obj=obj, reason=reason, changes=changes, person_id=person_id,
        )  # fmt: skip
        return obj


def _codes(values: Iterable[str], field: str) -> str:
    known = set(SupportType.values)
    values = [v.strip() for v in values if v and v.strip()]
    bad = [v for v in values if v not in known]
    if bad:
        raise ServiceError({field: [f"Unknown kind of support: {', '.join(bad)}"]})
    return ",".join(sorted(set(values), key=SupportType.values.index))


def _areas(authority: Authority, data: dict[str, Any]) -> dict[str, list[Area]] | None:
    """The ``m2m`` for ``_save`` when ``data`` names the areas (popped from it); None leaves them."""
    if "areas" not in data:
        return None
    areas = list(data.pop("areas") or [])
    if any(a.authority_id != authority.pk for a in areas):
        raise ServiceError({"areas": ["Choose areas in this authority"]})
    return {"areas": areas}


# --- settings and areas ----------------------------------------------------------------------


def save_settings(
    actor: User | None, authority: Authority, data: Mapping[str, Any], reason: str
) -> MarketSettings:
    return _save(actor, settings_for(authority), data, reason)


def add_area(actor: User | None, authority: Authority, name: str, reason: str) -> Area:
    if Area.objects.filter(authority=authority, name__iexact=name.strip()).exists():
        raise ServiceError({"name": [f"There is already an area called {name.strip()}"]})
    return _save(actor, Area(authority=authority), {"name": name.strip()}, reason)


# --- providers and services ------------------------------------------------------------------


def save_provider(
    actor: User | None,
    authority: Authority,
    data: Mapping[str, Any],
    reason: str,
    provider: Provider | None = None,
) -> Provider:
    data = dict(data)
    areas = _areas(authority, data)
    if "support_types" in data and not isinstance(data["support_types"], str):
        data["support_types"] = _codes(data["support_types"], "support_types")
    if provider is None:
        name = str(data.get("name", "")).strip()
        if Provider.objects.filter(authority=authority, name__iexact=name).exists():
            raise ServiceError({"name": [f"There is already a provider called {name}"]})
        provider = Provider(authority=authority)
    return _save(actor, provider, data, reason, m2m=areas)


def link_provider_user(actor: User | None, provider: Provider, user: User, reason: str) -> None:
    from selfdirect.core.constants import Role

    from .models import ProviderMembership

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
    return _save(actor, service, data, reason)


def _overlaps(start: dt.date, end: dt.date | None, other_start: dt.date, other_end: dt.date | None) -> bool:
    return (end is None or other_start <= end) and (other_end is None or start <= other_end)


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
        if _overlaps(table.starts_on, table.ends_on, other.starts_on, other.ends_on):
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
    return _save(actor, table, data, reason, check=_check_rate_table)


# --- quality -----------------------------------------------------------------------------------


def add_rating(
    actor: User | None, subject: Provider | PersonalAssistant | Broker, data: Mapping[str, Any], reason: str
) -> StarRating:
    key = {Provider: "provider", PersonalAssistant: "personal_assistant", Broker: "broker"}[type(subject)]
    rating = StarRating(authority=subject.authority, **{key: subject})
    return _save(actor, rating, data, reason)


def add_quality_assessment(
    actor: User | None, provider: Provider, data: Mapping[str, Any], reason: str
) -> QualityAssessment:
    service = data.get("service")
    if service is not None and service.provider_id != provider.pk:
        raise ServiceError({"service": ["Choose one of this provider's services"]})
    return _save(actor, QualityAssessment(authority=provider.authority, provider=provider), data, reason)


def add_spot_check(actor: User | None, provider: Provider, data: Mapping[str, Any], reason: str) -> SpotCheck:
    return _save(actor, SpotCheck(authority=provider.authority, provider=provider), data, reason)


# --- personal assistants and brokers ---------------------------------------------------------


def save_pa(
    actor: User | None,
    authority: Authority,
    data: Mapping[str, Any],
    reason: str,
    pa: PersonalAssistant | None = None,
) -> PersonalAssistant:
    data = dict(data)
    areas = _areas(authority, data)
    if "support_types" in data and not isinstance(data["support_types"], str):
        data["support_types"] = _codes(data["support_types"], "support_types")
    if data.get("accredited") and not settings_for(authority).accredits_pas:
        raise ServiceError({"accredited": [f"{authority.name} does not accredit personal assistants"]})
    if (
        data.get("consents_to_listing")
        and not data.get("consent_recorded_on")
        and not getattr(pa, "consent_recorded_on", None)
    ):
        raise ServiceError({"consent_recorded_on": ["Enter the date the PA agreed to be listed"]})
    return _save(actor, pa or PersonalAssistant(authority=authority), data, reason, m2m=areas)


def add_pa_check(actor: User | None, pa: PersonalAssistant, data: Mapping[str, Any], reason: str) -> PACheck:
    return _save(actor, PACheck(authority=pa.authority, personal_assistant=pa), data, reason)


def save_broker(
    actor: User | None,
    authority: Authority,
    data: Mapping[str, Any],
    reason: str,
    broker: Broker | None = None,
) -> Broker:
    data = dict(data)
    areas = _areas(authority, data)
    return _save(actor, broker or Broker(authority=authority), data, reason, m2m=areas)


# --- preferred-provider and framework lists --------------------------------------------------


def save_list(
    actor: User | None,
    authority: Authority,
    data: Mapping[str, Any],
    reason: str,
    plist: ProviderList | None = None,
) -> ProviderList:
    return _save(actor, plist or ProviderList(authority=authority), data, reason)


def add_list_entry(
    actor: User | None, plist: ProviderList, data: Mapping[str, Any], reason: str
) -> ProviderListEntry:
    service = data.get("service")
    if service is None or service.authority_id != plist.authority_id:
        raise ServiceError({"service": ["Choose a service in this authority"]})
    if ProviderListEntry.objects.filter(provider_list=plist, service=service).exists():
        raise ServiceError({"service": [f"{service} is already on {plist}"]})
    entry = ProviderListEntry(authority=plist.authority, provider_list=plist)
    return _save(actor, entry, data, reason)


def preferred_services(authority: Authority, day: dt.date) -> models.QuerySet[ProviderListEntry]:
    """Entries on the authority's lists in force on ``day``: what a virtual budget may choose from."""
    return (
        ProviderListEntry.objects.filter(authority=authority, provider_list__starts_on__lte=day)
        .filter(models.Q(provider_list__ends_on__isnull=True) | models.Q(provider_list__ends_on__gte=day))
        .select_related("provider_list", "service", "service__provider")
    )


# --- contracts ---------------------------------------------------------------------------------


def _check_contract(contract: Contract) -> None:
    errors: dict[str, list[str]] = {}
    for name in ("volume", "posts", "units_set_aside"):
        value = getattr(contract, name)
        if value is not None and Decimal(value) < 0:
            label = getattr(Contract._meta.get_field(name), "verbose_name", name)
            errors[name] = [f"The {label} must not be below zero"]
    if contract.provider.authority_id != contract.authority_id:
        errors["provider"] = ["Choose a provider in this authority"]
    if contract.service_id and contract.service.provider_id != contract.provider_id:  # type: ignore[union-attr]
        errors["service"] = ["Choose one of the provider's services"]
    if contract.kind == ContractKind.BLOCK and not contract.block_basis:
        errors["block_basis"] = ["Say whether the block is of hours, a lump sum or posts"]
    if contract.kind != ContractKind.BLOCK:
        contract.block_basis = ""
        if contract.double_funding:
            errors["double_funding"] = ["Only block contracts need a rule against paying twice"]
    if contract.double_funding == DoubleFunding.SET_ASIDE and contract.units_set_aside > contract.volume:
        errors["units_set_aside"] = ["Cannot set aside more units than the block holds"]
    if contract.starts_on and contract.ends_on:
        if contract.ends_on < contract.starts_on:
            errors["ends_on"] = ["The end date must be on or after the start date"]
        if not errors.get("ends_on"):
            if contract.review_on is None:
                first = add_months(contract.starts_on, 12)
                contract.review_on = first if first <= contract.ends_on else None
            elif not contract.starts_on <= contract.review_on <= contract.ends_on:
                errors["review_on"] = ["The review date must fall within the contract"]
            # The authority's own notice period (no seed gives one for re-tendering).
            notice = settings_for(contract.authority).retender_notice_months
            contract.tender_notice_on = add_months(contract.ends_on, -notice)
    if errors:
        raise ServiceError(errors)


def contract_warnings(contract: Contract) -> list[str]:
    """What the contract's page should point out without refusing it: a contract for care in
    Extra Care Housing longer than seed 003 advises."""
    if not contract.extra_care:
        return []
    advised_end = add_months(contract.starts_on, 12 * EXTRA_CARE_ADVISED_YEARS) - dt.timedelta(days=1)
    if contract.ends_on <= advised_end:
        return []
    return [
        f"This contract for care in Extra Care Housing runs past {advised_end:%-d %B %Y}, longer than "
        f"{EXTRA_CARE_ADVISED_YEARS} years. Seed 003 advises that such a contract should probably be no "
        "longer than three years, with an annual review, so that the parties are not tied to terms that "
        "no longer fit; an integrated housing and care agreement may run for 20 or 25 years, with review "
        "and termination clauses."
    ]


def save_contract(
    actor: User | None,
    authority: Authority,
    data: Mapping[str, Any],
    reason: str,
    contract: Contract | None = None,
) -> Contract:
    data = dict(data)
    if contract is None:
        ref = str(data.get("reference", "")).strip()
        if Contract.objects.filter(authority=authority, reference=ref).exists():
            raise ServiceError({"reference": [f"There is already a contract {ref}"]})
        contract = Contract(authority=authority)
    if "review_on" not in data and contract.pk and ("starts_on" in data or "ends_on" in data):
        data["review_on"] = None
    return _save(actor, contract, data, reason, check=_check_contract)


def record_usage(
    actor: User | None, contract: Contract, data: Mapping[str, Any], reason: str
) -> ContractUsage:
    for name in ("units_used", "budget_units"):
        value = data.get(name)
        if value is not None and Decimal(value) < 0:
            raise ServiceError({name: ["Units must not be below zero"]})
    start, end = data.get("period_start"), data.get("period_end")
    if start and end and end < start:
        raise ServiceError({"period_end": ["The period must end on or after its start"]})
    if start and (start < contract.starts_on or start > contract.ends_on):
        raise ServiceError({"period_start": ["The period must start within the contract"]})
    if start and ContractUsage.objects.filter(contract=contract, period_start=start).exists():
        raise ServiceError({"period_start": [f"Usage from {start:%d %B %Y} is already recorded"]})
    return _save(actor, ContractUsage(authority=contract.authority, contract=contract), data, reason)


@dataclass(frozen=True)
class Effect:
    """What the authority pays for one usage period, and how the double-funding rule changed it."""

    block_pence: int
    adjustment_pence: int
    payment_pence: int
    capacity_units: Decimal
    utilisation_percent: Decimal | None
    explanation: str


def _money(units: Decimal, price: int) -> int:
    return round_pence(Decimal(units) * price)


def contract_effect(contract: Contract, usage: ContractUsage) -> Effect:
    """The payment for a usage period under the contract's kind and its double-funding rule."""
    price = contract.unit_price_pence
    unit = contract.service.unit if contract.service else "unit"
    volume, used, sold = Decimal(contract.volume), Decimal(usage.units_used), Decimal(usage.budget_units)
    utilisation = (used * 100 / volume).quantize(Decimal("0.1")) if volume else None
    if contract.kind != ContractKind.BLOCK:
        pay = _money(used, price)
        return Effect(
            pay, 0, pay, used, utilisation,
            f"{contract.get_kind_display()} contract: {used} {unit}s used × {format_pence(price)} = {format_pence(pay)}.",
        )  # fmt: skip
    if contract.block_basis == BlockBasis.LUMP_SUM:
        block, how = contract.lump_sum_pence, f"lump sum of {format_pence(contract.lump_sum_pence)}"
    elif contract.block_basis == BlockBasis.POSTS:
        block = _money(Decimal(contract.posts), price)
        how = f"{contract.posts} posts × {format_pence(price)}"
    else:
        block = _money(volume, price)
        how = f"{volume} {unit}s × {format_pence(price)}"
    rule = contract.double_funding
    if rule == DoubleFunding.ABATE:
        cut = min(block, _money(sold, price))
        text = (
            f"Block payment {how} = {format_pence(block)}. The block is abated by the {sold} {unit}s the provider "
            f"sold to budget holders × {format_pence(price)} = {format_pence(cut)}, so the authority pays "
            f"{format_pence(block - cut)}."
        )
        return Effect(block, -cut, block - cut, volume, utilisation, text)
    if rule == DoubleFunding.SET_ASIDE:
        aside = Decimal(contract.units_set_aside)
        cut = min(block, _money(aside, price))
        taken = min(sold, aside)
        text = (
            f"Block payment {how} = {format_pence(block)}, less the {aside} {unit}s set aside for budget holders "
            f"× {format_pence(price)} = {format_pence(cut)}: the authority pays {format_pence(block - cut)}. "
            f"Budget holders bought {taken} of the {aside} set-aside {unit}s"
            + (f", and {sold - taken} more beyond them." if sold > aside else ".")
        )
        return Effect(block, -cut, block - cut, volume, utilisation, text)
    if rule == DoubleFunding.INCREASE_CAPACITY:
        text = (
            f"Block payment {how} = {format_pence(block)}, paid in full. The provider must increase capacity: "
            f"{volume} commissioned {unit}s plus {sold} sold to budget holders = {volume + sold} {unit}s."
        )
        return Effect(block, 0, block, volume + sold, utilisation, text)
    return Effect(block, 0, block, volume, utilisation, f"Block payment {how} = {format_pence(block)}.")


# --- people: arrangements, the move from block to budget, and PA employment -----------------


def _person_check(authority: Authority, person: Person) -> None:
    if person.authority_id != authority.pk:
        raise ServiceError({"person": ["Choose a person in this authority"]})


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
        if arr.starts_on and _overlaps(arr.starts_on, arr.ends_on, other.starts_on, other.ends_on):
            errors["starts_on"] = [f"This overlaps another arrangement for the same service: {other}"]
    if errors:
        raise ServiceError(errors)


def save_arrangement(actor: User | None, person: Person, data: Mapping[str, Any], reason: str) -> Arrangement:
    arr = Arrangement(authority=person.authority, person=person)
    return _save(actor, arr, data, reason, check=_check_arrangement, person_id=person.pk)


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
        _save(actor, old, {"ends_on": transfer_on - dt.timedelta(days=1)}, reason, person_id=old.person_id)
        new = Arrangement(authority=old.authority, person=old.person)
        data = {
            "service": old.service, "funding": Funding.BUDGET, "contract": None,
            "units_per_week": old.units_per_week, "starts_on": transfer_on, "ends_on": original_end, "previous": old,
        }  # fmt: skip
        return _save(actor, new, data, reason, check=_check_arrangement, person_id=old.person_id)


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
        employment = _save(
            actor, PAEmployment(authority=person.authority, person=person), data, reason, person_id=person.pk
        )
        for duty in Duty:
            EmployerDuty.objects.create(authority=person.authority, employment=employment, duty=duty)
        return employment


def update_duty(actor: User | None, duty: EmployerDuty, data: Mapping[str, Any], reason: str) -> EmployerDuty:
    if "status" in data and data["status"] not in DutyStatus.values:
        raise ServiceError({"status": ["Choose a status"]})
    return _save(actor, duty, data, reason, person_id=duty.employment.person_id)


# --- CSV import of providers, services and rates ---------------------------------------------

IMPORT_COLUMNS = [
    "provider", "kind", "cqc_number", "companies_house_number", "support_types", "areas", "phone", "email",
    "website", "service", "support_type", "unit", "rates_from", "rates_to", "standard_rate", "evening_rate",
    "night_rate", "weekend_rate", "bank_holiday_rate",
]  # fmt: skip
IMPORT_REQUIRED = {"provider", "service", "unit", "rates_from", "standard_rate"}
RATE_COLUMNS = {
    "standard_rate": "standard_pence", "evening_rate": "evening_pence", "night_rate": "night_pence",
    "weekend_rate": "weekend_pence", "bank_holiday_rate": "bank_holiday_pence",
}  # fmt: skip


@dataclass
class _Row:
    line: int
    provider: dict[str, Any]
    areas: list[str]
    service: dict[str, Any]
    rates: dict[str, Any]


def _parse_import_row(line: int, row: Mapping[str, str]) -> tuple[_Row | None, list[RowProblem]]:
    problems: list[RowProblem] = []

    def bad(field: str, message: str) -> None:
        problems.append(RowProblem(line, field, message))

    cell = {c: (row.get(c) or "").strip() for c in IMPORT_COLUMNS}
    for column in sorted(IMPORT_REQUIRED):
        if not cell[column]:
            bad(column, "is required" + (": a rate must say what it is per" if column == "unit" else ""))
    kind = cell["kind"] or ProviderKind.AGENCY
    if kind not in ProviderKind.values:
        bad("kind", f"{kind!r} is not one of {', '.join(ProviderKind.values)}")
    types = [t.strip() for t in cell["support_types"].split(";") if t.strip()]
    for t in types:
        if t not in SupportType.values:
            bad("support_types", f"{t!r} is not a kind of support ({', '.join(SupportType.values)})")
    support_type = cell["support_type"] or (types[0] if types else "")
    # A missing support_type is a problem only for a new service: checked across rows below.
    if support_type and support_type not in SupportType.values:
        bad("support_type", f"{support_type!r} is not a kind of support")
    if cell["unit"] and cell["unit"] not in Unit.values:
        bad("unit", f"{cell['unit']!r} is not one of {', '.join(Unit.values)}")
    if cell["email"]:
        try:
            validate_email(cell["email"])
        except ValidationError:
            bad("email", f"{cell['email']!r} is not an email address")
    if cell["website"]:
        try:
            URLValidator()(cell["website"])
        except ValidationError:
            bad("website", f"{cell['website']!r} is not a web address")
    if cell["cqc_number"] and len(cell["cqc_number"]) > 20:
        bad("cqc_number", "is longer than 20 characters")
    if cell["companies_house_number"] and (
        len(cell["companies_house_number"]) != 8 or not cell["companies_house_number"].isalnum()
    ):
        bad("companies_house_number", "must be 8 letters or digits, e.g. 01234567 or SC123456")
    dates: dict[str, dt.date | None] = {}
    for column in ("rates_from", "rates_to"):
        dates[column] = None
        if cell[column]:
            try:
                dates[column] = dt.date.fromisoformat(cell[column])
            except ValueError:
                bad(column, f"{cell[column]!r} is not a date in the form YYYY-MM-DD")
    if dates["rates_from"] and dates["rates_to"] and dates["rates_to"] < dates["rates_from"]:
        bad("rates_to", "is before rates_from")
    pence: dict[str, int | None] = {}
    for column, field in RATE_COLUMNS.items():
        pence[field] = None
        if cell[column]:
            try:
                value = parse_pounds(cell[column])
            except ValueError as exc:
                bad(column, str(exc))
                continue
            if value < 0:
                bad(column, "must not be below zero")
            pence[field] = value
    if problems:
        return None, problems
    return (
        _Row(
            line,
            provider={
                "name": cell["provider"],
                "kind": kind,
                "cqc_number": cell["cqc_number"],
                "companies_house_number": cell["companies_house_number"],
                "support_types": ",".join(types),
                "phone": cell["phone"],
                "email": cell["email"],
                "website": cell["website"],
            },  # fmt: skip
            areas=[a.strip() for a in cell["areas"].split(";") if a.strip()],
            service={"name": cell["service"], "support_type": support_type, "unit": cell["unit"]},
            rates={"starts_on": dates["rates_from"], "ends_on": dates["rates_to"], **pence},
        ),
        [],
    )


def import_providers(
    actor: User | None,
    authority: Authority,
    text: str,
    reason: str,
    progress: Callable[[int, int], None] | None = None,
) -> list[RateTable]:
    """Import providers, their services and rate tables from CSV (one row per rate table). Every row
    is checked first, against the database and the rest of the file; if any row is bad nothing is
    imported and every problem is reported with its line number (the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = IMPORT_REQUIRED - set(header)
    if missing:
        raise ImportRefused([RowProblem(1, "", f"missing column(s): {', '.join(sorted(missing))}")])
    problems: list[RowProblem] = []
    unknown = set(header) - set(IMPORT_COLUMNS)
    if unknown:
        problems.append(RowProblem(1, "", f"unknown column(s): {', '.join(sorted(unknown))}"))
    parsed: list[_Row] = []
    rows = list(reader)
    for index, row in enumerate(rows):
        line = index + 2
        if None in row:
            problems.append(RowProblem(line, "", "has more cells than the header"))
            continue
        found, row_problems = _parse_import_row(line, row)
        problems.extend(row_problems)
        if found is not None:
            parsed.append(found)
    if not rows:
        problems.append(RowProblem(2, "", "the file has no rows"))
    # Checks across rows and against what is already recorded.
    existing_providers = {p.name.lower(): p for p in Provider.objects.filter(authority=authority)}
    first_line: dict[str, _Row] = {}
    periods: dict[tuple[str, str], list[tuple[int, dt.date, dt.date | None]]] = {}
    typed_services: set[tuple[str, str]] = set()  # new services an earlier row gives a support type
    for item in parsed:
        key = item.provider["name"].lower()
        if key in first_line and item.provider["kind"] != first_line[key].provider["kind"]:
            problems.append(
                RowProblem(
                    item.line, "kind", f"differs from line {first_line[key].line} for the same provider"
                )
            )
        first_line.setdefault(key, item)
        skey = (key, item.service["name"].lower())
        provider = existing_providers.get(key)
        service = provider.services.filter(name__iexact=item.service["name"]).first() if provider else None
        if service is not None and service.unit != item.service["unit"]:
            problems.append(RowProblem(item.line, "unit", f"the service is already sold per {service.unit}"))
        if service is None and skey not in typed_services and not item.service["support_type"]:
            problems.append(
                RowProblem(item.line, "support_type", "is required for a new service (or give support_types)")
            )
        if service is None and item.service["support_type"]:
            typed_services.add(skey)
        if skey not in periods:
            periods[skey] = [
                (0, t.starts_on, t.ends_on) for t in (service.rate_tables.all() if service else [])
            ]
        start, end = item.rates["starts_on"], item.rates["ends_on"]
        for other_line, other_start, other_end in periods[skey]:
            if _overlaps(start, end, other_start, other_end):
                where = f"line {other_line}" if other_line else f"the recorded rate table from {other_start}"
                problems.append(RowProblem(item.line, "rates_from", f"these rates overlap {where}"))
                break
        periods[skey].append((item.line, start, end))
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: p.line))
    created: list[RateTable] = []
    areas = {a.name.lower(): a for a in Area.objects.filter(authority=authority)}
    try:
        with transaction.atomic():
            providers = dict(existing_providers)
            for i, item in enumerate(parsed):
                key = item.provider["name"].lower()
                try:
                    for name in item.areas:
                        if name.lower() not in areas:
                            areas[name.lower()] = add_area(actor, authority, name, reason)
                    if key not in providers:
                        providers[key] = save_provider(
                            actor,
                            authority,
                            {**item.provider, "areas": [areas[a.lower()] for a in item.areas]},
                            reason,
                        )
                    provider = providers[key]
                    service = provider.services.filter(name__iexact=item.service["name"]).first()
                    if service is None:  # with its support_type: the checks above made sure
                        service = save_service(actor, provider, item.service, reason)
                    created.append(save_rate_table(actor, service, item.rates, reason))
                except ServiceError as exc:  # a check the item parser cannot make (e.g. a field too long)
                    raise ImportRefused(
                        [
                            RowProblem(item.line, "" if f == "__all__" else f, m)
                            for f, ms in exc.errors.items()
                            for m in ms
                        ]
                    ) from None
                if progress:
                    progress(i + 1, len(parsed))
    except IntegrityError as exc:
        raise ImportRefused([RowProblem(1, "", f"the database refused the import: {exc}")]) from None
    return created


# --- checking an uploaded import before it is applied (web page and API) ---------------------

MAX_IMPORT_BYTES = 256 * 1024  # about 1,200 rows: the check or the import takes ~15 s (bench)
_NOT_CSV_SIGNATURES = {
    b"PK\x03\x04": "an Excel workbook or other zipped file",
    b"\xd0\xcf\x11\xe0": "an old-style Excel or Word file",
    b"%PDF": "a PDF",
}


def read_import_file(name: str, data: bytes) -> str:
    """The text of an uploaded CSV file, or ServiceError on ``file`` saying clearly why it cannot
    be read: too large, empty, not a CSV file, or not UTF-8. Row problems are import_providers'."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""

    def refuse(message: str) -> ServiceError:
        return ServiceError({"file": [message]})

    if len(data) > MAX_IMPORT_BYTES:
        raise refuse(
            f"The file is larger than {MAX_IMPORT_BYTES // 1024} KB; split it into smaller files or ask "
            "for it to be imported from the command line"
        )
    if not data.strip():
        raise refuse("The file is empty")
    for signature, what in _NOT_CSV_SIGNATURES.items():
        if data.startswith(signature):
            raise refuse(f"The file is {what}, not a CSV file; save the spreadsheet as CSV UTF-8")
    if suffix not in ("", "csv", "txt") or b"\x00" in data:
        raise refuse("The file is not a CSV file; save the spreadsheet as CSV UTF-8 (a name ending .csv)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise refuse(f"The file is not UTF-8 text (line {line}); save the spreadsheet as CSV UTF-8") from None


@dataclass
class ImportPreview:
    """What an import would create, worked out by running it and rolling it back."""

    new_providers: list[str]
    existing_providers: list[str]
    new_services: list[str]
    new_areas: list[str]
    rate_tables: list[dict[str, Any]]


def check_providers_import(actor: User | None, authority: Authority, text: str) -> ImportPreview:
    """Every check of :func:`import_providers`, including those made while writing, with nothing
    kept: the import runs inside a transaction that is always rolled back. Raises ImportRefused."""
    preview, _ = summarised_import(actor, authority, text, "Checking an import (rolled back)", dry_run=True)
    return preview


def summarised_import(
    actor: User | None, authority: Authority, text: str, reason: str, *, dry_run: bool
) -> tuple[ImportPreview, list[RateTable]]:
    """:func:`import_providers` with a summary of what it created (or, with ``dry_run``, would
    create: everything is then rolled back and the rate tables returned are not saved)."""
    providers_before = set(Provider.objects.filter(authority=authority).values_list("pk", flat=True))
    services_before = set(Service.objects.filter(authority=authority).values_list("pk", flat=True))
    areas_before = set(Area.objects.filter(authority=authority).values_list("pk", flat=True))
    preview = ImportPreview([], [], [], [], [])
    with transaction.atomic():
        created = import_providers(actor, authority, text, reason)
        seen_providers: set[int] = set()
        seen_services: set[int] = set()
        for table in created:
            service = table.service
            provider = service.provider
            if provider.pk not in seen_providers:
                seen_providers.add(provider.pk)
                target = (
                    preview.existing_providers if provider.pk in providers_before else preview.new_providers
                )
                target.append(provider.name)
            if service.pk not in services_before and service.pk not in seen_services:
                seen_services.add(service.pk)
                preview.new_services.append(f"{provider.name}: {service.name} (per {service.unit})")
            preview.rate_tables.append(
                {
                    "provider": provider.name, "service": service.name, "unit": service.unit,
                    "starts_on": table.starts_on, "ends_on": table.ends_on,
                    **{field: getattr(table, field) for field in RATE_COLUMNS.values()},
                }
            )  # fmt: skip
        preview.new_areas = sorted(
            Area.objects.filter(authority=authority)
            .exclude(pk__in=areas_before)
            .values_list("name", flat=True)
        )
        if dry_run:
            transaction.set_rollback(True)
    return preview, created
