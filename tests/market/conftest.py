"""Market fixtures: the shared two-authority world plus the demo market loaded into each, with
DBS dates moved relative to today so the expired/in-date split holds whatever day the tests run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from selfdirect.market.constants import CheckKind
from selfdirect.market.demo import load_authority
from selfdirect.market.models import (
    Arrangement,
    Broker,
    Contract,
    PACheck,
    PersonalAssistant,
    Provider,
    ProviderList,
)


@dataclass
class MarketSide:
    providers: list[Provider]
    pas: dict[str, PersonalAssistant]
    brokers: list[Broker]
    framework: ProviderList
    contract: Contract
    arrangement: Arrangement


def market_side(authority, towns) -> MarketSide:
    load_authority(authority, towns)
    today = timezone.localdate()
    pas = {pa.name: pa for pa in PersonalAssistant.objects.filter(authority=authority)}
    for name, pa in pas.items():
        expires = today - dt.timedelta(days=30) if name == "Lena Novak" else today + dt.timedelta(days=365)
        PACheck.objects.filter(personal_assistant=pa, kind=CheckKind.DBS).update(
            issued_on=expires - dt.timedelta(days=3 * 365), expires_on=expires
        )
    return MarketSide(
        providers=list(Provider.objects.filter(authority=authority).order_by("pk")),
        pas=pas,
        brokers=list(Broker.objects.filter(authority=authority).order_by("pk")),
        framework=ProviderList.objects.get(authority=authority),
        contract=Contract.objects.get(authority=authority),
        arrangement=Arrangement.objects.get(authority=authority),
    )


@dataclass
class Market:
    north: MarketSide
    south: MarketSide


@pytest.fixture
def market(world) -> Market:
    return Market(
        north=market_side(world.north.authority, ("Northam", "Kelby", "Aldwick")),
        south=market_side(world.south.authority, ("Southvale", "Brookmere")),
    )
