"""Role × page/endpoint × whose record, for every market page and API endpoint.

Targets: "own" is a record of the user's authority (for provider pages: the provider the provider
user belongs to); "other_provider" another provider in the same authority; "other_authority" the
matching record of the other authority (always 404). Staff who view the market: assessor, planner,
finance, commissioner, admin; who manage it: commissioner, admin. Person pages: "self" is the
person user's own record (on the caseload workers' team); "other_authority" the one in the south.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from helpers import client_for, token_for
from selfdirect.core.constants import Role
from selfdirect.market.models import RateTable

VIEW = {Role.ASSESSOR, Role.PLANNER, Role.FINANCE, Role.COMMISSIONER, Role.ADMIN}
MANAGE = {Role.COMMISSIONER, Role.ADMIN}
SEES_PERSON = {Role.PERSON, Role.REPRESENTATIVE, Role.ASSESSOR, Role.PLANNER, Role.FINANCE, Role.ADMIN}
KEEPS_DUTIES = {Role.PERSON, Role.ASSESSOR, Role.PLANNER, Role.ADMIN}
EDITS_PERSON = {Role.ASSESSOR, Role.PLANNER, Role.ADMIN}


def authority_page(allowed):
    return lambda role, target: 200 if role in allowed else 403


def provider_page(level):
    """view: seen by viewers and the provider's own users; edit: managers and own users; manage:
    managers only (the provider's own users are refused); staff: market staff only (404 for providers)."""

    def expect(role, target):
        if target == "other_authority":
            return 404
        sees = role in VIEW or (level != "staff" and role == Role.PROVIDER and target == "own")
        if not sees:
            return 404
        if level == "view":
            return 200
        if level == "edit":
            return 200 if role in MANAGE or role == Role.PROVIDER else 403
        return 200 if role in MANAGE else 403

    return expect


def market_record(level):
    def expect(role, target):
        if target == "other_authority" or role not in VIEW:
            return 404
        return 200 if level == "view" or role in MANAGE else 403

    return expect


def person_page(allowed):
    def expect(role, target):
        if target == "other_authority" or role not in SEES_PERSON:
            return 404
        return 200 if role in allowed else 403

    return expect


def ids(market, world, target):
    side = market.south if target == "other_authority" else market.north
    wside = world.south if target == "other_authority" else world.north
    provider = side.providers[1] if target == "other_provider" else side.providers[0]
    service = provider.services.order_by("pk").first()
    return {
        "p": provider.pk, "s": service.pk, "pa": side.pas["Joy Adeyemi"].pk, "b": side.brokers[0].pk,
        "l": side.framework.pk, "c": side.contract.pk, "person": wside.self_person.pk, "a": side.arrangement.pk,
        "sv": service.pk, "pu": world.north.users[Role.PROVIDER].pk,
    }  # fmt: skip


WEB = [
    ("/market/settings/", "authority", authority_page(MANAGE)),
    ("/market/areas/new/", "authority", authority_page(MANAGE)),
    ("/market/providers/", "authority", authority_page(VIEW)),
    ("/market/providers/new/", "authority", authority_page(MANAGE)),
    ("/market/providers/import/", "authority", authority_page(MANAGE)),
    ("/market/pas/", "authority", authority_page(VIEW)),
    ("/market/pas/new/", "authority", authority_page(MANAGE)),
    ("/market/brokers/", "authority", authority_page(VIEW)),
    ("/market/brokers/new/", "authority", authority_page(MANAGE)),
    ("/market/lists/", "authority", authority_page(VIEW)),
    ("/market/lists/new/", "authority", authority_page(MANAGE)),
    ("/market/contracts/", "authority", authority_page(VIEW)),
    ("/market/contracts/new/", "authority", authority_page(MANAGE)),
    ("/market/providers/{p}/", "provider", provider_page("view")),
    ("/market/providers/{p}/edit/", "provider", provider_page("edit")),
    ("/market/providers/{p}/services/new/", "provider", provider_page("edit")),
    ("/market/providers/{p}/members/new/", "provider", provider_page("manage")),
    ("/market/services/{s}/", "provider", provider_page("view")),
    ("/market/services/{s}/?at=2026-04-05T23:00", "provider", provider_page("view")),
    ("/market/services/{s}/edit/", "provider", provider_page("edit")),
    ("/market/services/{s}/rates/new/", "provider", provider_page("edit")),
    ("/market/providers/{p}/quality/new/", "provider", provider_page("staff")),
    ("/market/providers/{p}/spot-checks/new/", "provider", provider_page("staff")),
    ("/market/providers/{p}/ratings/new/", "provider", provider_page("staff")),
    ("/market/pas/{pa}/", "record", market_record("view")),
    ("/market/pas/{pa}/edit/", "record", market_record("manage")),
    ("/market/pas/{pa}/checks/new/", "record", market_record("manage")),
    ("/market/pas/{pa}/ratings/new/", "record", market_record("manage")),
    ("/market/brokers/{b}/", "record", market_record("view")),
    ("/market/brokers/{b}/edit/", "record", market_record("manage")),
    ("/market/brokers/{b}/ratings/new/", "record", market_record("manage")),
    ("/market/lists/{l}/", "record", market_record("view")),
    ("/market/lists/{l}/entries/new/", "record", market_record("manage")),
    ("/market/contracts/{c}/", "record", market_record("view")),
    ("/market/contracts/{c}/edit/", "record", market_record("manage")),
    ("/market/contracts/{c}/usage/new/", "record", market_record("manage")),
    ("/market/people/{person}/", "person", person_page(SEES_PERSON)),
    ("/market/people/{person}/employments/new/", "person", person_page(KEEPS_DUTIES)),
    ("/market/people/{person}/arrangements/new/", "person", person_page(EDITS_PERSON)),
    ("/market/people/{person}/arrangements/{a}/transfer/", "person", person_page(EDITS_PERSON)),
]
TARGETS = {"authority": ["own"], "provider": ["own", "other_provider", "other_authority"],
           "record": ["own", "other_authority"], "person": ["own", "other_authority"]}  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
def test_every_market_page(market, world, role):
    client = client_for(world.north.users[role])
    wrong = []
    for url, kind, expect in WEB:
        for target in TARGETS[kind]:
            got = client.get(url.format(**ids(market, world, target))).status_code
            want = expect(role, target)
            if got != want:
                wrong.append((url, target, got, want))
    assert wrong == []


@pytest.mark.parametrize("role", list(Role))
def test_market_home_and_directory(market, world, role):
    client = client_for(world.north.users[role])
    response = client.get("/market/")
    if role in VIEW:
        assert response.status_code == 200
    elif role == Role.PROVIDER:
        assert (
            response.status_code == 302
            and response["Location"] == f"/market/providers/{market.north.providers[0].pk}/"
        )
    else:
        assert response.status_code == 403
    assert client.get("/directory/").status_code == 200
    assert client.get("/market/nonsense/1/ratings/new/").status_code in (403, 404)


def test_the_public_directory_needs_no_sign_in_and_staff_pages_do(market):
    anonymous = Client()
    assert anonymous.get("/directory/?council=southvale").status_code == 200
    assert anonymous.get("/api/v1/directory?council=southvale").status_code == 200
    assert anonymous.get("/market/").status_code == 302
    assert anonymous.get("/api/v1/market/providers").status_code == 401


def api_calls(market, world):
    stamp = dt.date(2026, 4, 1).isoformat()
    return [
        ("get", "/api/v1/market/providers", "authority", lambda r, t: 200 if r in VIEW | {Role.PROVIDER} else 403, None),
        ("post", "/api/v1/market/providers", "authority", authority_page(MANAGE),
         {"name": "API Care {role}", "reason": "x"}),
        ("get", "/api/v1/market/pas", "authority", authority_page(VIEW), None),
        ("post", "/api/v1/market/pas", "authority", authority_page(MANAGE), {"name": "New PA", "reason": "x"}),
        ("get", "/api/v1/market/brokers", "authority", authority_page(VIEW), None),
        ("post", "/api/v1/market/brokers", "authority", authority_page(MANAGE), {"name": "New broker", "reason": "x"}),
        ("get", "/api/v1/market/lists", "authority", authority_page(VIEW), None),
        ("post", "/api/v1/market/lists", "authority", authority_page(MANAGE),
         {"name": "List {role}", "kind": "preferred", "starts_on": stamp, "reason": "x"}),
        ("get", "/api/v1/market/contracts", "authority", authority_page(VIEW), None),
        ("get", "/api/v1/market/settings", "authority", authority_page(VIEW), None),
        ("patch", "/api/v1/market/settings", "authority", authority_page(MANAGE), {"accredits_pas": True, "reason": "x"}),
        ("get", "/api/v1/market/areas", "authority", authority_page(VIEW), None),
        ("post", "/api/v1/market/areas", "authority", authority_page(MANAGE), {"name": "Area {role}", "reason": "x"}),
        ("patch", "/api/v1/market/services/{s}", "provider", provider_page("edit"),
         {"description": "Changed by {role}", "reason": "x"}),
        ("patch", "/api/v1/market/pas/{pa}", "record", market_record("manage"), {"availability": "Sundays", "reason": "x"}),
        ("post", "/api/v1/market/pas/{pa}/ratings", "record", market_record("manage"),
         {"stars": 4, "rated_on": stamp, "reason": "x"}),
        ("get", "/api/v1/market/brokers/{b}", "record", market_record("view"), None),
        ("patch", "/api/v1/market/brokers/{b}", "record", market_record("manage"), {"fee_pence": 2600, "reason": "x"}),
        ("post", "/api/v1/market/brokers/{b}/ratings", "record", market_record("manage"),
         {"stars": 5, "rated_on": stamp, "reason": "x"}),
        ("get", "/api/v1/market/providers/{p}", "provider", provider_page("view"), None),
        ("patch", "/api/v1/market/providers/{p}", "provider", provider_page("edit"), {"phone": "01632 960999", "reason": "x"}),
        ("get", "/api/v1/market/providers/{p}/users", "provider", provider_page("manage"), None),
        ("post", "/api/v1/market/providers/{p}/users", "provider", provider_page("manage"),
         {"user_id": "{pu}", "reason": "x"}),
        ("get", "/api/v1/market/providers/{p}/services", "provider", provider_page("view"), None),
        ("post", "/api/v1/market/providers/{p}/services", "provider", provider_page("edit"),
         {"name": "Service {role}", "support_type": "social", "unit": "visit", "reason": "x"}),
        ("get", "/api/v1/market/services/{s}/rates", "provider", provider_page("view"), None),
        ("post", "/api/v1/market/services/{s}/rates", "provider", provider_page("edit"),
         {"starts_on": "2040-01-01", "standard_pence": 1900, "reason": "x"}),
        ("get", "/api/v1/market/services/{s}/rate?at=2026-04-05T23:00:00%2B01:00", "provider", provider_page("view"), None),
        ("post", "/api/v1/market/providers/{p}/ratings", "provider", provider_page("staff"),
         {"stars": 4, "rated_on": stamp, "reason": "x"}),
        ("post", "/api/v1/market/providers/{p}/quality", "provider", provider_page("staff"),
         {"assessed_on": stamp, "level": "B", "reason": "x"}),
        ("post", "/api/v1/market/providers/{p}/spot-checks", "provider", provider_page("staff"),
         {"checked_on": stamp, "checked_by": "CC", "outcome": "met", "reason": "x"}),
        ("get", "/api/v1/market/pas/{pa}", "record", market_record("view"), None),
        ("post", "/api/v1/market/pas/{pa}/checks", "record", market_record("manage"),
         {"kind": "training", "title": "First aid", "issued_on": stamp, "reason": "x"}),
        ("get", "/api/v1/market/lists/{l}", "record", market_record("view"), None),
        ("post", "/api/v1/market/lists/{l}/entries", "record", market_record("manage"),
         {"service_id": "{sv_night}", "fixed_price_pence": 9000, "reason": "x"}),
        ("get", "/api/v1/market/contracts/{c}", "record", market_record("view"), None),
        ("post", "/api/v1/market/contracts/{c}/usage", "record", market_record("manage"),
         {"period_start": "2026-05-01", "period_end": "2026-05-07", "units_used": "170", "reason": "x"}),
        ("get", "/api/v1/market/people/{person}/employments", "person", person_page(SEES_PERSON), None),
        ("post", "/api/v1/market/people/{person}/employments", "person", person_page(KEEPS_DUTIES),
         {"pa_name": "Kim", "starts_on": stamp, "reason": "x"}),
        ("get", "/api/v1/market/people/{person}/arrangements", "person", person_page(SEES_PERSON), None),
        ("post", "/api/v1/market/people/{person}/arrangements/{a}/transfer", "person", person_page(EDITS_PERSON),
         {"transfer_on": "2026-06-15", "reason": "x"}),
    ]  # fmt: skip


OK = {"get": 200, "post": 201, "patch": 200, "put": 200}


@pytest.mark.parametrize("role", list(Role))
def test_every_market_endpoint(market, world, role):
    token = token_for(world.north.users[role], world.north.authority)
    client = Client()
    RateTable.objects.update(ends_on=dt.date(2039, 12, 31))  # room for a new rate table from 2040
    wrong = []
    for method, url, kind, expect, body in api_calls(market, world):
        for target in TARGETS[kind]:
            values = ids(market, world, target)
            side = market.south if target == "other_authority" else market.north
            values["sv_night"] = side.providers[0].services.get(name="Night sitting").pk
            kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
            if body is not None:
                text = (
                    json.dumps(body)
                    .replace("{role}", f"{role}-{target}")
                    .replace('"{sv_night}"', str(values["sv_night"]))
                    .replace('"{pu}"', str(values["pu"]))
                )
                kwargs.update(data=text, content_type="application/json")
            response = getattr(client, method)(url.format(**values), **kwargs)
            want = expect(role, target)
            want = OK[method] if want == 200 else want
            if response.status_code != want:
                wrong.append((method, url, target, response.status_code, want, response.content[:200]))
            elif want >= 400:
                assert response["Content-Type"] == "application/problem+json"
    assert wrong == []
