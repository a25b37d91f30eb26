"""Role x action x (own authority's scheme / another authority's scheme) for every page and endpoint.

Commissioners and authority admins view and change schemes; finance views; every other role is
refused (403). Another authority's scheme is not found (404), whatever the role.
"""

from __future__ import annotations

import json

import pytest

from helpers import client_for, token_for
from selfdirect.core.constants import Role
from selfdirect.extracare.constants import RunKind, RunStatus
from selfdirect.extracare.models import AnalysisRun

ALLOWED = {Role.COMMISSIONER: "VE", Role.ADMIN: "VE", Role.FINANCE: "V"}
TARGETS = ["own", "other_authority"]

ROTA_RESULT = {"feasible": True, "status": "OPTIMAL", "csv": "worker,day\nW01,Mon\n", "assignments": [],
               "hours_by_worker": {}, "solve_seconds": 0.1, "gap": 0.0, "objective_hours": "1",
               "best_bound_hours": "1", "required_staff_hours": "1", "blocking_rules": [], "core_rules": []}  # fmt: skip

# (name, method, url, letter, data, ok status)
WEB = [
    ("detail", "get", "/extracare/{pk}/", "V", None, 200),
    ("models", "get", "/extracare/{pk}/models/", "V", None, 200),
    ("viability", "get", "/extracare/{pk}/viability/", "V", None, 200),
    ("simulate", "get", "/extracare/{pk}/simulate/", "V", None, 200),
    ("rota", "get", "/extracare/{pk}/rota/", "V", None, 200),
    ("run", "get", "/extracare/{pk}/runs/{run}/", "V", None, 200),
    ("run-csv", "get", "/extracare/{pk}/runs/{run}/rota.csv", "V", None, 200),
    ("edit", "get", "/extracare/{pk}/edit/", "E", None, 200),
    ("edit-post", "post", "/extracare/{pk}/edit/", "E", {"name": ""}, 400),
    ("delete", "get", "/extracare/{pk}/delete/", "E", None, 200),
    ("model-edit", "get", "/extracare/{pk}/models/B/", "E", None, 200),
    ("model-post", "post", "/extracare/{pk}/models/B/", "E", {"reason": ""}, 400),
    ("simulate-post", "post", "/extracare/{pk}/simulate/", "E", {"kind": "simulation"}, 400),
    ("rota-post", "post", "/extracare/{pk}/rota/", "E", {"staff": "0"}, 400),
]
API = [
    ("get", "get", "/api/v1/extracare/schemes/{pk}", "V", None, 200),
    ("results", "get", "/api/v1/extracare/schemes/{pk}/results", "V", None, 200),
    ("run", "get", "/api/v1/extracare/runs/{run}", "V", None, 200),
    ("run-csv", "get", "/api/v1/extracare/runs/{run}/rota.csv", "V", None, 200),
    ("put", "put", "/api/v1/extracare/schemes/{pk}", "E", "same", 200),
    ("start-run", "post", "/api/v1/extracare/schemes/{pk}/runs", "E", {"kind": "sweep", "params": {"levels": 0}}, 422),
    ("delete", "delete", "/api/v1/extracare/schemes/{pk}", "E", {"reason": "gone"}, 204),
]  # fmt: skip


def expected(role, target, letter, ok):
    if target == "other_authority":
        return 404
    return ok if letter in ALLOWED.get(role, "") else 403


def _targets(scheme, south_scheme):
    out = {}
    for name, s in (("own", scheme), ("other_authority", south_scheme)):
        run = AnalysisRun.objects.create(
            authority=s.authority, scheme=s, version=s.current, kind=RunKind.ROTA, params={},
            status=RunStatus.DONE, result=ROTA_RESULT,
        )  # fmt: skip
        out[name] = (s, run)
    return out


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("page", WEB, ids=[p[0] for p in WEB])
def test_web_pages(world, scheme, south_scheme, role, target, page):
    name, method, url, letter, data, ok = page
    s, run = _targets(scheme, south_scheme)[target]
    client = client_for(world.north.users[role])
    response = getattr(client, method)(url.format(pk=s.pk, run=run.pk), data or {})
    assert response.status_code == expected(role, target, letter, ok), (name, role, target)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("call", API, ids=[c[0] for c in API])
def test_api(world, scheme, south_scheme, role, target, call):
    name, method, url, letter, body, ok = call
    s, run = _targets(scheme, south_scheme)[target]
    user = world.north.users[role]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user, world.north.authority)}"}
    if body == "same":
        body = {"name": s.name, "inputs": s.current.inputs, "reason": "no change"}
    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    response = getattr(client_for(user), method)(url.format(pk=s.pk, run=run.pk), **kwargs, **headers)
    assert response.status_code == expected(role, target, letter, ok), (
        name,
        role,
        target,
        response.content[:300],
    )


@pytest.mark.parametrize("role", list(Role))
def test_authority_wide_pages_and_endpoints(world, role):
    client = client_for(world.north.users[role])
    viewer, editor = role in ALLOWED, "E" in ALLOWED.get(role, "")
    assert client.get("/extracare/").status_code == (200 if viewer else 403)
    assert client.get("/extracare/new/").status_code == (200 if editor else 403)
    assert client.post("/extracare/new/from-seed/").status_code == (302 if editor else 403)
    token = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world.north.users[role], world.north.authority)}"}
    assert client.get("/api/v1/extracare/schemes", **token).status_code == (200 if viewer else 403)
    response = client.post(
        "/api/v1/extracare/schemes/from-seed", data="{}", content_type="application/json", **token
    )
    assert response.status_code == (201 if editor else 403)


def test_anonymous_is_sent_to_sign_in(client, scheme):
    assert client.get("/extracare/").status_code == 302
    assert client.get(f"/extracare/{scheme.pk}/").status_code == 302
    assert client.get(f"/api/v1/extracare/schemes/{scheme.pk}").status_code == 401
