"""The ledger's scopes (ledger/access.py): one per model with an authority, none showing another
authority's rows to anyone, and commissioners seeing budgets only as totals."""

from __future__ import annotations

import pytest
from django.apps import apps
from ledger_support import make_budget

from selfdirect.core import access
from selfdirect.core.constants import Role
from selfdirect.ledger import services
from selfdirect.ledger.models import Budget, ChargeAssessment, Dispute, PaymentRun

TENANT_MODELS = [
    model
    for model in apps.get_app_config("ledger").get_models()
    if any(field.name == "authority" for field in model._meta.get_fields())
]


def test_every_ledger_model_with_an_authority_has_one_scope():
    assert {m.__name__ for m in TENANT_MODELS} >= {"Budget", "PaymentRun", "Transaction", "Dispute"}
    scopes = access.registered()
    assert [m.__name__ for m in TENANT_MODELS if m not in scopes] == []
    assert {scopes[m].__module__ for m in TENANT_MODELS} == {"selfdirect.ledger.access"}


@pytest.fixture
def money(world):
    for side in (world.north, world.south):
        finance = side.users[Role.FINANCE]
        budget = make_budget(side.self_person, 624000)
        make_budget(side.other_person, 312000)
        services.execute_run(services.start_run(finance, side.authority, "2026-04").pk)
        services.assess_charge(
            finance, side.self_person, weekly_pence=1000, starts_on=budget.starts_on, reason="assessed"
        )
        services.open_dispute(finance, side.self_person, subject="too much", raised_by="them", budget=budget)
    return world


@pytest.mark.parametrize("role", list(Role))
def test_no_scope_shows_another_authoritys_rows(money, role):
    north = money.north
    user = north.users[role]
    for model in TENANT_MODELS:
        for options in ({}, {"purpose": "totals"}) if model in (Budget, PaymentRun) else ({},):
            rows = access.scoped(model, user, north.authority, **options)
            assert not rows.exclude(authority=north.authority).exists(), (model.__name__, options)
    # And in an authority where the user has no role, nothing at all.
    for model in TENANT_MODELS:
        assert not access.scoped(model, user, money.south.authority).exists(), model.__name__


def test_who_sees_which_budgets(money):
    north = money.north
    every = set(Budget.objects.filter(authority=north.authority).values_list("pk", flat=True))
    own = set(Budget.objects.filter(person=north.self_person).values_list("pk", flat=True))

    def seen(role, **options):
        found = access.scoped(Budget, north.users[role], north.authority, **options)
        return set(found.values_list("pk", flat=True))

    assert seen(Role.FINANCE) == seen(Role.ADMIN) == every
    assert seen(Role.PERSON) == own
    assert seen(Role.COMMISSIONER) == set()  # no one's budget as such...
    assert seen(Role.COMMISSIONER, purpose="totals") == every  # ...but all of them summed
    assert seen(Role.PERSON, purpose="totals") == own
    assert seen(Role.PROVIDER) == set()


def test_contributions_and_disputes_follow_the_budgets(money):
    north = money.north
    for model in (ChargeAssessment, Dispute):
        assert access.scoped(model, north.users[Role.PERSON], north.authority).count() == 1
        assert access.scoped(model, north.users[Role.FINANCE], north.authority).count() == 1
        assert not access.scoped(model, north.users[Role.COMMISSIONER], north.authority).exists()
    assert access.scoped(PaymentRun, north.users[Role.FINANCE], north.authority).count() == 1
    assert not access.scoped(PaymentRun, north.users[Role.COMMISSIONER], north.authority).exists()
    assert access.scoped(PaymentRun, north.users[Role.COMMISSIONER], north.authority, purpose="totals").count() == 1
