"""Role × action × whose record, for every page and endpoint of the assessment and allocation apps.

Targets as in tests/people/test_permissions.py: "self" (the person user's own record, which the
representative - here allowed to complete the assessment - acts for), "caseload" (someone else on
the caseload workers' team), "other_team", "other_authority". Not visible at all -> 404; visible
but not permitted -> 403.
"""

from __future__ import annotations

import json

import pytest
from alloc_testdata import make_assessment, publish_demo_policies

from helpers import client_for, token_for
from selfdirect.allocation import services
from selfdirect.allocation.models import WhatIfRun
from selfdirect.core.constants import Role
from selfdirect.policies import services as policy_services

TARGETS = ["self", "caseload", "other_team", "other_authority"]

# S = fill in and see the self-assessment (and its budget); W = the worker's actions (assessor
# answers, comparison, eligibility, allocate, full derivation); M = see the allocation's money.
ACCESS = {
    Role.PERSON: {"self": "SM"},
    Role.REPRESENTATIVE: {"self": "SM"},
    Role.ASSESSOR: {"self": "SWM", "caseload": "SWM"},
    Role.PLANNER: {"self": "SWM", "caseload": "SWM"},
    Role.PANEL: {},
    Role.FINANCE: {"self": "M", "caseload": "M", "other_team": "M"},
    Role.COMMISSIONER: {},
    Role.PROVIDER: {},
    Role.ADMIN: {"self": "SWM", "caseload": "SWM", "other_team": "SWM"},
}
# Roles that see the record at all (so the answer is 403 rather than 404 for what they may not do).
SEES = {
    Role.PERSON: {"self"},
    Role.REPRESENTATIVE: {"self"},
    Role.ASSESSOR: {"self", "caseload"},
    Role.PLANNER: {"self", "caseload"},
    Role.FINANCE: {"self", "caseload", "other_team"},
    Role.ADMIN: {"self", "caseload", "other_team"},
}

# (name, method, url, letter, expected status when allowed); GETs first, then changes.
WEB = [
    ("start", "get", "/assessment/people/{pk}/self/", "S", 200),
    ("question", "get", "/assessment/{draft}/questions/client_group/", "S", 200),
    ("check", "get", "/assessment/{draft}/check/", "S", 200),
    ("comparison", "get", "/assessment/{sent}/", "W", 200),
    ("assessor-form", "get", "/assessment/{sent}/assessor/", "W", 200),
    ("assessments", "get", "/assessment/people/{pk}/", "W", 200),
    ("budget", "get", "/allocation/people/{pk}/budget/", "M", 200),
    ("allocation", "get", "/allocation/{alloc}/", "M", 200),
    ("confirm", "post", "/assessment/{sent}/confirm/", "W", 302),
    ("allocate", "post", "/allocation/assessments/{sent}/allocate/", "W", 302),
    ("start-post", "post", "/assessment/people/{pk}/self/", "S", 302),
    ("send", "post", "/allocation/assessments/{draft}/send/", "S", 302),
]
WEB_BODIES = {"confirm": {"band": "substantial", "reason": "Agreed"}}
API = [
    ("list-allocations", "get", "/api/v1/people/{pk}/allocations", "M", None, 200),
    ("get-allocation", "get", "/api/v1/allocations/{alloc}", "M", None, 200),
    ("get-assessment", "get", "/api/v1/assessments/{sent}", "S", None, 200),
    ("answer", "patch", "/api/v1/assessments/{draft}/answers", "S", {"answers": {"age": 70}}, 200),
    ("answer-assessor", "patch", "/api/v1/assessments/{sent}/answers", "W",
     {"side": "assessor", "answers": {"age": 70}}, 200),
    ("eligibility", "post", "/api/v1/assessments/{sent}/eligibility", "W", {"band": "critical", "reason": "ok"}, 200),
    ("allocate", "post", "/api/v1/people/{pk}/allocations", "W", {"reason": "review"}, 201),
    ("submit", "post", "/api/v1/assessments/{draft}/submit", "S", None, 201),
    ("start", "post", "/api/v1/people/{pk}/assessments", "S", {"on": "2026-05-01"}, 201),
]  # fmt: skip


def setup_target(world, target):
    published = publish_demo_policies(world, names=("policy-2026.yaml",))
    rep = world.north.representative
    rep.may_complete_assessment = True
    rep.save()
    person = {
        "self": world.north.self_person,
        "caseload": world.north.caseload_person,
        "other_team": world.north.other_person,
        "other_authority": world.south.self_person,
    }[target]
    version = published[(person.authority.slug, "policy-2026.yaml")]
    if person.authority.slug == "southvale":  # any complete answers will do for another authority's record
        import random

        answers = services.synthetic_answers(policy_services.policy_for(version), random.Random(1))
    else:
        answers = None
    sent = make_assessment(person, version, answers, status="submitted")
    allocation = services.allocate_assessment(None, sent)
    draft = make_assessment(person, version, answers)
    return {"pk": person.pk, "sent": sent.pk, "draft": draft.pk, "alloc": allocation.pk}


def expected(role, target, letter, ok):
    if target not in SEES.get(role, set()):
        return 404
    return ok if letter in ACCESS[role].get(target, "") else 403


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("target", TARGETS)
def test_web_pages(world, role, target):
    ids = setup_target(world, target)
    client = client_for(world.north.users[role])
    wrong = []
    for name, method, url, letter, ok in WEB:
        response = getattr(client, method)(url.format(**ids), WEB_BODIES.get(name, {}))
        want = expected(role, target, letter, ok)
        if response.status_code != want:
            wrong.append((name, response.status_code, want))
    assert wrong == []


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("target", TARGETS)
def test_api(world, role, target):
    ids = setup_target(world, target)
    user = world.north.users[role]
    client = client_for(user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user, world.north.authority)}"}
    wrong = []
    for name, method, url, letter, body, ok in API:
        kwargs = dict(auth)
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        response = getattr(client, method)(url.format(**ids), **kwargs)
        want = expected(role, target, letter, ok)
        if response.status_code != want:
            wrong.append((name, response.status_code, want, response.content[:200]))
        elif want >= 400:
            assert response["Content-Type"] == "application/problem+json"
    assert wrong == []


COMMISSIONER = {Role.COMMISSIONER}


@pytest.mark.parametrize("role", list(Role))
def test_authority_pages_and_endpoints(world, role, settings):
    published = publish_demo_policies(world)
    north = published[("northshire", "policy-2026.yaml")]
    north27 = published[("northshire", "policy-2027.yaml")]
    south = published[("southvale", "policy-2026.yaml")]
    run = WhatIfRun.objects.create(authority=world.north.authority, base=north, proposed=north27,
                                   population="synthetic", synthetic_size=20)  # fmt: skip
    services.execute_what_if(run)
    south_run = WhatIfRun.objects.create(authority=world.south.authority, base=south, proposed=south)
    draft_text = (
        (north.yaml_text)
        .replace("amount: 27000", "amount: 27500")
        .replace("id: northshire-2026", "id: northshire-2026b")
    )
    draft = policy_services.upload_policy(None, world.north.authority, draft_text, "draft.yaml")
    make_assessment(world.north.self_person, north, status="submitted")  # a pot to size over
    everyone = set(Role)
    pages = [
        ("/allocation/policies/", everyone, 200, False),
        ("/allocation/policies/upload/", COMMISSIONER, 200, False),
        (f"/allocation/policies/{north.pk}/", everyone, 200, False),
        (f"/allocation/policies/{south.pk}/", everyone, 200, True),
        ("/allocation/what-if/", COMMISSIONER, 200, False),
        (
            f"/allocation/price-per-point/?version={north.pk}&stream=adult_social_care&pot=1000",
            COMMISSIONER,
            200,
            False,
        ),
        (f"/allocation/price-per-point/?version={south.pk}", COMMISSIONER, 200, True),
        (f"/allocation/what-if/{run.pk}/", COMMISSIONER, 200, False),
        (f"/allocation/what-if/{run.pk}/what-if.csv", COMMISSIONER, 200, False),
        (f"/allocation/what-if/{south_run.pk}/", COMMISSIONER, 200, True),
        (f"/allocation/policies/{north27.pk}/recalculate/", {Role.COMMISSIONER, Role.ADMIN}, 200, False),
    ]
    client = client_for(world.north.users[role])
    wrong = []
    for url, allowed, ok, other_authority in pages:
        response = client.get(url)
        # Another authority's record is 404 for those who may use the page at all.
        want = (404 if other_authority else ok) if role in allowed else 403
        if response.status_code != want:
            wrong.append((url, response.status_code, want))
    token = token_for(world.north.users[role], world.north.authority)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}", "content_type": "application/json"}
    text = json.dumps({"yaml": north.yaml_text, "filename": "p.yaml"})
    api = [
        ("get", "/api/v1/policies", None, everyone, 200, False),
        ("post", "/api/v1/policies/validate", text, everyone, 200, False),
        ("post", "/api/v1/policies", text, COMMISSIONER, 201, False),
        ("post", f"/api/v1/policies/{draft.pk}/publish", "{}", COMMISSIONER, 200, False),
        ("get", f"/api/v1/what-ifs/{run.pk}", None, COMMISSIONER, 200, False),
        (
            "get",
            f"/api/v1/policies/{north.pk}/price-per-point?stream=adult_social_care&pot_pence=100",
            None,
            COMMISSIONER,
            200,
            False,
        ),
        (
            "get",
            f"/api/v1/policies/{south.pk}/price-per-point?stream=adult_social_care&pot_pence=100",
            None,
            COMMISSIONER,
            200,
            True,
        ),
        ("get", f"/api/v1/what-ifs/{south_run.pk}", None, COMMISSIONER, 200, True),
        ("post", f"/api/v1/policies/{south.pk}/publish", "{}", COMMISSIONER, 200, True),
    ]
    for method, url, body, allowed, ok, other_authority in api:
        kwargs = dict(auth)
        if body is not None:
            kwargs["data"] = body
        response = getattr(client, method)(url, **kwargs)
        want = (404 if other_authority else ok) if role in allowed else 403
        if response.status_code != want:
            wrong.append((url, response.status_code, want))
    assert wrong == []
