"""Spending lines that name an entry of the authority's market registers (a service, a personal
assistant, a broker): which entries may be named, which kinds of spending each pays for, and the
rate and unit the market gives. The market app is looked up by name, so plans run without it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

from ..constants import LineKind
from ..models import SupportPlan

# A spending line may name one entry of the authority's market registers (market app).
MARKET_LINKS = {"market_service": "Service", "personal_assistant": "PersonalAssistant", "broker": "Broker"}
# Which kinds of spending each kind of market entry pays for: a PA is paid as a personal assistant,
# a broker's fee is support planning, a provider's service is a service (and, for a service of
# equipment and adaptations, equipment or a one-off purchase too). Anything else is refused.
MARKET_LINK_KINDS: dict[str, frozenset[str]] = {
    "personal_assistant": frozenset({LineKind.PERSONAL_ASSISTANT.value}),
    "broker": frozenset({LineKind.BROKER.value}),
    "market_service": frozenset({LineKind.SERVICE.value}),
}
EQUIPMENT_SERVICE_KINDS = frozenset(
    {LineKind.SERVICE.value, LineKind.EQUIPMENT.value, LineKind.ONE_OFF.value}
)


def market_links(plan: SupportPlan, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The market entries a spending line names (``market_service``, ``personal_assistant`` or
    ``broker``: an id or the row), each only from the plan's own authority and one the budget may
    pay; at most one."""
    found: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, model_name in MARKET_LINKS.items():
        value = data.get(name)
        if value in (None, ""):
            continue
        row = market_entry(plan, model_name, value)
        if row is None:
            errors[name] = [not_in_register(model_name)]
        elif unpayable := market_unpayable_error(row):
            errors[name] = [unpayable]
        else:
            found[name] = row
    if len(found) > 1:
        errors["market"] = [
            "Link the spending to one market entry only: a service, a personal assistant or a broker"
        ]
    return found, errors


def market_register(authority_id: int, model_name: str) -> QuerySet[Any] | None:
    """One authority's entries in a market register, or None when the market app is absent."""
    if not apps.is_installed("selfdirect.market"):
        return None
    return apps.get_model("market", model_name).objects.filter(authority_id=authority_id)


def market_entry(plan: SupportPlan, model_name: str, value: Any) -> Any:
    """Entry ``value`` (an id or the row) of a market register, only from the plan's authority;
    None when it is not one of them."""
    rows = market_register(plan.authority_id, model_name)
    if rows is None:
        return None
    pk = value.pk if isinstance(value, rows.model) else value
    return rows.filter(pk=pk).first() if isinstance(pk, int) and not isinstance(pk, bool) else None


def not_in_register(model_name: str) -> str:
    what = {"Service": "service", "PersonalAssistant": "personal assistant", "Broker": "broker"}[model_name]
    return f"Choose a {what} from this authority's market register"


def market_unpayable_error(entry: Any) -> str:
    """Why the budget cannot pay market ``entry``, or "" when it can. A spending line is money out
    of the budget, so it may not name a broker whose fee the register says is paid another way
    (``Broker.payable_from_budget``); the plan may still record them as who helped write it."""
    if not getattr(entry, "payable_from_budget", True):  # only brokers say
        return (
            f"From the market register: the fee of {entry} cannot be paid from the budget. "
            "Choose another entry, or leave this spending out of the plan"
        )
    return ""


def market_link_kinds(name: str, entry: Any) -> frozenset[str]:
    """The spending kinds a line linked to market ``entry`` (through field ``name``) may have."""
    if name == "market_service" and getattr(entry, "support_type", "") == "equipment":
        return EQUIPMENT_SERVICE_KINDS
    return MARKET_LINK_KINDS[name]


def market_kind_error(name: str, entry: Any, kind: str) -> str:
    """Why a line of ``kind`` cannot be paid to market ``entry``, or "" when it can."""
    allowed = market_link_kinds(name, entry)
    if kind in allowed:
        return ""
    what = {"market_service": "the provider's service", "personal_assistant": "the personal assistant",
            "broker": "the broker"}[name]  # fmt: skip
    wanted = " or ".join(f"'{LineKind(k).label}'" for k in LineKind.values if k in allowed)
    return (
        f"What is it: spending with {what} {entry} must be {wanted}, not '{LineKind(kind).label}'. "
        "Change the kind, or the entry from the market register"
    )


def market_day(plan: SupportPlan) -> dt.date:
    """The day the market's rates for a plan are taken on: its start, else today."""
    return plan.starts_on or timezone.localdate()


def market_rate_pence(plan: SupportPlan, entry: Any) -> int | None:
    """The market's price for one unit of ``entry`` on the plan's start date: a service's standard
    rate from its rate table, a PA's hourly rate, a broker's fee. None when the register has none."""
    model_name = type(entry).__name__
    if model_name == "Service":
        day = market_day(plan)
        in_force = getattr(entry, "rate_tables_in_force", None)  # prefetched for ``day``: market_rows
        table = entry.rate_table_on(day) if in_force is None else next(iter(in_force), None)
        return int(table.standard_pence) if table is not None else None
    if model_name == "PersonalAssistant":
        return None if entry.hourly_rate_pence is None else int(entry.hourly_rate_pence)
    if model_name == "Broker":
        return int(entry.fee_pence) if entry.fee_pence else None
    return None


def market_unit(entry: Any) -> str:
    """The unit the market prices ``entry`` by (hour, visit, night...)."""
    model_name = type(entry).__name__
    if model_name == "Service":
        return str(entry.unit)
    if model_name == "Broker":
        return "hour" if entry.fee_basis == "hour" else "item"
    return "hour"
