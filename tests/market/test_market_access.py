"""The market's scopes (market/access.py): one per model with an authority, none showing another
authority's rows to anyone; a provider user sees their own organisation and what hangs from it; a
person's PA employments and employer duties follow who may see the person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from selfdirect.core import access
from selfdirect.core.constants import Role
from selfdirect.market import services
from selfdirect.market.models import (
    Area,
    BankHoliday,
    Contract,
    EmployerDuty,
    PAEmployment,
    PersonalAssistant,
    Provider,
    QualityAssessment,
    Service,
    SpotCheck,
    StarRating,
)

TENANT_MODELS = [
    model
    for model in apps.get_app_config("market").get_models()
    if any(field.name == "authority" for field in model._meta.get_fields())
]
PUBLIC = {Area, BankHoliday}


def test_every_market_model_with_an_authority_has_one_scope():
    assert {m.__name__ for m in TENANT_MODELS} >= {"Provider", "Service", "Contract", "EmployerDuty"}
    scopes = access.registered()
    assert [m.__name__ for m in TENANT_MODELS if m not in scopes] == []
    assert {scopes[m].__module__ for m in TENANT_MODELS} == {"selfdirect.market.access"}


@pytest.mark.parametrize("role", list(Role))
def test_no_scope_shows_another_authoritys_rows(market, world, role):
    north = world.north
    user = north.users[role]
    for model in TENANT_MODELS:
        rows = access.scoped(model, user, north.authority)
        assert not rows.exclude(authority=north.authority).exists(), model.__name__
    # In an authority where the user has no role, nothing but what is public.
    for model in TENANT_MODELS:
        if model not in PUBLIC:
            assert not access.scoped(model, user, world.south.authority).exists(), model.__name__


def test_a_provider_user_sees_their_own_organisation_and_what_hangs_from_it(market, world):
    north = world.north
    own = market.north.providers[0]  # the demo links the provider user to the first provider

    def seen(model, role=Role.PROVIDER):
        return set(access.scoped(model, north.users[role], north.authority))

    assert seen(Provider) == {own}
    assert seen(Service) == set(own.services.all()) != set()
    for model in (StarRating, QualityAssessment, SpotCheck):
        assert seen(model) == set(model.objects.filter(provider=own)) != set(), model.__name__
    assert seen(Contract) == seen(PersonalAssistant) == set()
    # Those who view the market see all of it.
    assert seen(Provider, Role.PLANNER) == set(Provider.objects.filter(authority=north.authority))
    assert seen(Contract, Role.FINANCE) == {market.north.contract}


def test_a_persons_employer_duties_follow_who_may_see_the_person(market, world):
    north = world.north
    for person in (north.self_person, north.other_person):
        services.save_employment(
            north.users[Role.ADMIN], person, {"pa_name": "Sam Reid", "starts_on": dt.date(2026, 4, 1)}, "hired"
        )

    def seen(model, role):
        return {row.pk for row in access.scoped(model, north.users[role], north.authority)}

    own = PAEmployment.objects.get(person=north.self_person)
    assert seen(PAEmployment, Role.PERSON) == {own.pk}
    assert seen(EmployerDuty, Role.PERSON) == {d.pk for d in own.duties.all()} != set()
    assert seen(PAEmployment, Role.ADMIN) == set(PAEmployment.objects.values_list("pk", flat=True))
    assert seen(PAEmployment, Role.COMMISSIONER) == seen(EmployerDuty, Role.PROVIDER) == set()
