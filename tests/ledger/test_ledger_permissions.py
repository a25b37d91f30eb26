"""Role x action x whose budget, for every money page and API endpoint.

Targets: "self" is the person user's own budget (the representative acts for them; the
caseload workers' team holds them), "caseload" someone else on that team, "other_team" someone
on a team no caseload worker belongs to, "other_authority" the "self" budget in the other
authority. Not visible -> 404; visible but not permitted -> 403.
"""

from __future__ import annotations

import json

import pytest
from ledger_support import make_budget

from helpers import client_for, token_for
from selfdirect.core.constants import Role
from selfdirect.ledger import services

TARGETS = ["self", "caseload", "other_team", "other_authority"]
# V: see the budget and statement (page, CSV, PDF); S: record spending; A: agree or reassess a budget.
ACCESS = {
    Role.PERSON: {"self": "VS"},
    Role.REPRESENTATIVE: {},  # may see the record, but has not been allowed to manage the money
    Role.ASSESSOR: {"self": "V", "caseload": "V"},
    Role.PLANNER: {"self": "V", "caseload": "V"},
    Role.PANEL: {},
    Role.FINANCE: dict.fromkeys(TARGETS[:3], "VSA"),
    Role.COMMISSIONER: {},
    Role.PROVIDER: {},
    Role.ADMIN: dict.fromkeys(TARGETS[:3], "VSA"),
}
# Authority-wide: F = finance internals, T = totals, L = budget list.
AUTHORITY = {
    Role.FINANCE: "FTL",
    Role.ADMIN: "FTL",
    Role.COMMISSIONER: "T",
    Role.ASSESSOR: "L",
    Role.PLANNER: "L",
}

BUDGET_PAGES = [
    ("detail", "get", "/money/budgets/{pk}/", "V"),
    ("csv", "get", "/money/budgets/{pk}/statement.csv", "V"),
    ("pdf", "get", "/money/budgets/{pk}/statement.pdf", "V"),
    ("reassess", "get", "/money/budgets/{pk}/reassess/", "A"),
    ("invoice", "get", "/money/budgets/{pk}/invoices/", "A"),
    ("spend", "get", "/money/budgets/{pk}/spending/", "S"),
    ("agree", "get", "/money/budgets/{pk}/agree/", "A"),
    ("clawback", "get", "/money/budgets/{pk}/clawback/", "A"),
    ("draft", "get", "/money/people/{person}/budgets/new/", "A"),
]
BUDGET_API = [
    ("get", "get", "/api/v1/ledger/budgets/{pk}", "V", None, 200),
    ("clawback", "get", "/api/v1/ledger/budgets/{pk}/clawback", "V", None, 200),
    ("spend", "post", "/api/v1/ledger/budgets/{pk}/spending", "S",
     {"on": "2026-04-10", "category": "other", "description": "Taxi", "amount_pence": 1250}, 201),
    ("agree", "post", "/api/v1/ledger/budgets/{pk}/agree", "A", {"approved_by": "plan", "reason": "ok"}, 200),
    ("reassess", "post", "/api/v1/ledger/budgets/{pk}/reassess", "A",
     {"on": "2026-07-01", "agreed_annual_pence": 730000, "reason": "reassessed", "approved_by": "plan"}, 201),
]  # fmt: skip
AUTHORITY_PAGES = [
    ("home", "/money/", "T"),
    ("budgets", "/money/budgets/", "L"),
    ("trial", "/money/trial-balance/", "F"),
    ("recon", "/money/reconciliation/", "F"),
    ("run", "/money/runs/{run}/", "F"),
    ("run-file", "/money/runs/{run}/payments.csv", "F"),
    ("remit", "/money/runs/{run}/remittances/", "F"),
    ("close", "/money/periods/2026-04/close/", "F"),
    ("disputes", "/money/disputes/", "F"),
    ("draft", "/money/budgets/new/", "F"),
]


@pytest.fixture
def budgets(world):
    made = {}
    for side in (world.north, world.south):
        for target, person in [
            ("self", side.self_person),
            ("caseload", side.caseload_person),
            ("other_team", side.other_person),
        ]:
            made[(side.authority.slug, target)] = make_budget(person, 624000)
    run = services.execute_run(
        services.start_run(world.north.users[Role.FINANCE], world.north.authority, "2026-04").pk
    )
    return {
        "self": made[("northshire", "self")],
        "caseload": made[("northshire", "caseload")],
        "other_team": made[("northshire", "other_team")],
        "other_authority": made[("southvale", "self")],
        "run": run,
    }


def expected(role, target, letter, ok):
    granted = ACCESS[role].get(target, "")
    if not granted:
        return 404
    return ok if letter in granted else 403


@pytest.mark.parametrize("role", list(Role))
def test_budget_pages(world, budgets, role):
    client = client_for(world.north.users[role])
    for target in TARGETS:
        for name, method, url, letter in BUDGET_PAGES:
            response = getattr(client, method)(
                url.format(pk=budgets[target].pk, person=budgets[target].person_id)
            )
            assert response.status_code == expected(role, target, letter, 200), (name, target)


@pytest.mark.parametrize("role", list(Role))
def test_budget_api(world, budgets, role):
    user = world.north.users[role]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user, world.north.authority)}"}
    from django.test import Client

    client = Client()
    for target in TARGETS:
        for name, method, url, letter, body, ok in BUDGET_API:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
            response = getattr(client, method)(url.format(pk=budgets[target].pk), **kwargs, **headers)
            assert response.status_code == expected(role, target, letter, ok), (
                name,
                target,
                response.content,
            )


@pytest.mark.parametrize("role", list(Role))
def test_authority_pages_and_api(world, budgets, role):
    user = world.north.users[role]
    client = client_for(user)
    granted = AUTHORITY.get(role, "")
    for name, url, letter in AUTHORITY_PAGES:
        response = client.get(url.format(run=budgets["run"].pk))
        assert response.status_code == (200 if letter in granted else 403), name
    # Another authority's run is not found, even for finance.
    south_run = services.start_run(world.south.users[Role.FINANCE], world.south.authority, "2026-04")
    assert client.get(f"/money/runs/{south_run.pk}/").status_code == (404 if "F" in granted else 403)
    api = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user, world.north.authority)}"}
    from django.test import Client

    c = Client()
    f_ok = "F" in granted
    assert c.get("/api/v1/ledger/trial-balance", **api).status_code == (200 if f_ok else 403)
    assert c.get(f"/api/v1/ledger/runs/{budgets['run'].pk}", **api).status_code == (200 if f_ok else 403)
    assert c.get(f"/api/v1/ledger/runs/{south_run.pk}", **api).status_code == (404 if f_ok else 403)
    body = {"data": json.dumps({"reason": "month end"}), "content_type": "application/json"}
    assert c.post("/api/v1/ledger/periods/2026-04/close", **body, **api).status_code == (200 if f_ok else 403)
    run_body = {"data": json.dumps({"period": "2026-05"}), "content_type": "application/json"}
    assert c.post("/api/v1/ledger/runs", **run_body, **api).status_code == (202 if f_ok else 403)


def test_a_representative_allowed_to_manage_money_sees_and_records(world, budgets):
    rep = world.north.representative
    rep.may_manage_money = True
    rep.save()
    client = client_for(world.north.users[Role.REPRESENTATIVE])
    assert client.get(f"/money/budgets/{budgets['self'].pk}/").status_code == 200
    assert client.get(f"/money/budgets/{budgets['self'].pk}/spending/").status_code == 200
    assert client.get(f"/money/budgets/{budgets['self'].pk}/agree/").status_code == 403
    assert client.get(f"/money/budgets/{budgets['caseload'].pk}/").status_code == 404
