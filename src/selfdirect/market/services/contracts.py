"""Contracts with providers, the usage recorded against them, and what the authority pays for a
period under the contract's kind and its rule against paying twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from selfdirect.core.dates import add_months
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User
from selfdirect.core.money import format_pence, round_pence

from ..constants import BlockBasis, ContractKind, DoubleFunding
from ..models import Contract, ContractUsage
from .common import save_audited, settings_for

EXTRA_CARE_ADVISED_YEARS = 3
"""Seed 003 Section 2B, 2.2: a contract for the care "should probably be no longer than three
years, with an annual review built in". Advice, not a rule: 2.5 describes integrated housing and
care agreements of 20 or 25 years, so a longer contract is shown with a warning, never refused."""


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
        f"{EXTRA_CARE_ADVISED_YEARS} years. The Housing LIN technical brief advises that such a contract should probably be no "
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
    return save_audited(actor, contract, data, reason, check=_check_contract)


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
    return save_audited(actor, ContractUsage(authority=contract.authority, contract=contract), data, reason)


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
