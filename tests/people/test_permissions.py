"""Role × action × whose record, for every page and API endpoint that touches people.

Targets: "self" is the person user's own record (on the caseload workers' team, and the one the
representative acts for); "caseload" is someone else on that team; "other_team" is someone on a
team no caseload worker belongs to; "other_authority" is the "self" record in the other authority.
A record the user may not see at all answers 404; one they may see but not act on answers 403.
"""

from __future__ import annotations

import json

import pytest

from helpers import client_for, token_for
from selfdirect.core.constants import Role

TARGETS = ["self", "caseload", "other_team", "other_authority"]

# What each role may do to each target: V = view, C = case notes & history, E = edit,
# A = admin-only actions (allocate, delete).
ACCESS = {
    Role.PERSON: {"self": "VC"},
    Role.REPRESENTATIVE: {"self": "V"},
    Role.ASSESSOR: {"self": "VCE", "caseload": "VCE"},
    Role.PLANNER: {"self": "VCE", "caseload": "VCE"},
    Role.PANEL: {},
    Role.FINANCE: {"self": "V", "caseload": "V", "other_team": "V"},
    Role.COMMISSIONER: {},
    Role.PROVIDER: {},
    Role.ADMIN: {"self": "VCEA", "caseload": "VCEA", "other_team": "VCEA"},
}

# (name, method, url template, letter needed, body for the API)
WEB_PAGES = [
    ("detail", "get", "/people/{pk}/", "V"),
    ("history", "get", "/people/{pk}/history/", "C"),
    ("contacts", "get", "/people/{pk}/contacts/", "C"),
    ("edit", "get", "/people/{pk}/edit/", "E"),
    ("contact-add", "get", "/people/{pk}/contacts/new/", "E"),
    ("rep-add", "get", "/people/{pk}/representatives/new/", "E"),
    ("rep-edit", "get", "/people/{pk}/representatives/{rep}/", "E"),
    ("rep-delete", "get", "/people/{pk}/representatives/{rep}/delete/", "E"),
    ("allocate", "get", "/people/{pk}/allocate/", "A"),
    ("delete", "get", "/people/{pk}/delete/", "A"),
]
API_CALLS = [
    ("get", "get", "/api/v1/people/{pk}", "V", None),
    ("reps", "get", "/api/v1/people/{pk}/representatives", "V", None),
    ("history", "get", "/api/v1/people/{pk}/history", "C", None),
    ("contacts", "get", "/api/v1/people/{pk}/contacts", "C", None),
    ("patch", "patch", "/api/v1/people/{pk}", "E", {"reason": "check", "phone": "01632 000000"}),
    ("add-contact", "post", "/api/v1/people/{pk}/contacts", "E",
     {"happened_at": "2026-03-01T10:00:00Z", "kind": "phone", "summary": "Called"}),
    ("add-rep", "post", "/api/v1/people/{pk}/representatives", "E",
     {"name": "Jo", "type": "friend", "starts_on": "2026-01-01", "reason": "asked"}),
    ("remove-rep", "delete", "/api/v1/people/{pk}/representatives/{rep}", "E", {"reason": "ended"}),
    ("allocate", "put", "/api/v1/people/{pk}/allocation", "A",
     {"team_id": None, "allocated_worker_id": None, "reason": "moved"}),
    ("delete", "delete", "/api/v1/people/{pk}", "A", {"reason": "created in error"}),
]  # fmt: skip

OK = {"get": 200, "post": 201, "patch": 200, "put": 200, "delete": 204}


def target_person(world, target):
    side = world.north
    return {
        "self": side.self_person,
        "caseload": side.caseload_person,
        "other_team": side.other_person,
        "other_authority": world.south.self_person,
    }[target]


def expected(role, target, letter, ok):
    granted = ACCESS[role].get(target, "")
    if not granted:
        return 404  # cannot see the record at all
    return ok if letter in granted else 403


def rep_id(world, person):
    rep = person.representatives.first()
    if rep is None:  # give every target a representative to act on
        from selfdirect.people.models import Representative

        rep = Representative.objects.create(
            authority=person.authority, person=person, name="Kim", type="friend", starts_on="2020-01-01"
        )
    return rep.pk


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("page", WEB_PAGES, ids=[p[0] for p in WEB_PAGES])
def test_web_page_access(world, role, target, page):
    name, method, url, letter = page
    person = target_person(world, target)
    client = client_for(world.north.users[role])
    response = getattr(client, method)(url.format(pk=person.pk, rep=rep_id(world, person)))
    assert response.status_code == expected(role, target, letter, 200), (name, role, target)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("call", API_CALLS, ids=[c[0] for c in API_CALLS])
def test_api_access(world, role, target, call):
    name, method, url, letter, body = call
    person = target_person(world, target)
    token = token_for(world.north.users[role], world.north.authority)
    client = client_for(world.north.users[role])
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    response = getattr(client, method)(url.format(pk=person.pk, rep=rep_id(world, person)), **kwargs)
    want = expected(role, target, letter, OK[method])
    assert response.status_code == want, (name, role, target, response.content[:300])
    if want >= 400:
        assert response["Content-Type"] == "application/problem+json"


# Pages and endpoints about the authority as a whole, not one person.
AUTHORITY_PAGES = {
    "/people/": {Role.ASSESSOR, Role.PLANNER, Role.FINANCE, Role.ADMIN},
    "/people/new/": {Role.ASSESSOR, Role.PLANNER, Role.ADMIN},
    "/people/teams/": {Role.ASSESSOR, Role.PLANNER, Role.ADMIN},
    "/people/import/": {Role.ADMIN},
    "/people/export.csv": {Role.ADMIN},
    "/audit/": {Role.ADMIN},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("url", list(AUTHORITY_PAGES))
def test_authority_pages(world, role, url):
    response = client_for(world.north.users[role]).get(url)
    assert response.status_code == (200 if role in AUTHORITY_PAGES[url] else 403)


@pytest.mark.parametrize("role", list(Role))
def test_home_page_for_every_role(world, role):
    response = client_for(world.north.users[role]).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Northshire County Council" in html
    assert Role(role).label in html


@pytest.mark.parametrize("role", list(Role))
def test_people_lists_hold_only_what_the_role_may_see(world, role):
    user = world.north.users[role]
    token = token_for(user, world.north.authority)
    response = client_for(user).get("/api/v1/people", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    seen = {item["id"] for item in response.json()["items"]}
    want = {target_person(world, t).pk for t, letters in ACCESS[role].items() if "V" in letters}
    assert seen == want
    if role in AUTHORITY_PAGES["/people/"]:
        html = client_for(user).get("/people/").content.decode()
        for target in TARGETS:
            assert (target_person(world, target).family_name in html) == (target in ACCESS[role])


def test_team_caseload_of_another_team_or_authority_is_404(world):
    assessor = world.north.users[Role.ASSESSOR]
    client = client_for(assessor)
    assert client.get(f"/people/teams/{world.north.home_team.pk}/").status_code == 200
    assert client.get(f"/people/teams/{world.north.other_team.pk}/").status_code == 404
    assert client.get(f"/people/teams/{world.south.home_team.pk}/").status_code == 404
    token = token_for(assessor, world.north.authority)
    assert (
        client.get(
            f"/api/v1/teams/{world.south.home_team.pk}/caseload", HTTP_AUTHORIZATION=f"Bearer {token}"
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/v1/teams/{world.north.home_team.pk}/caseload", HTTP_AUTHORIZATION=f"Bearer {token}"
        ).status_code
        == 200
    )


def test_finance_sees_money_details_not_case_notes(world):
    client = client_for(world.north.users[Role.FINANCE])
    html = client.get(f"/people/{world.north.caseload_person.pk}/").content.decode()
    assert "1 High Street" in html
    assert "Private capacity note" not in html
    assert "Contact log" not in html
    token = token_for(world.north.users[Role.FINANCE], world.north.authority)
    data = client.get(
        f"/api/v1/people/{world.north.caseload_person.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    assert data["case_notes"] is None


def test_a_user_in_both_authorities_sees_each_only_when_working_for_it(world):
    from selfdirect.core.models import Membership

    admin = world.north.users[Role.ADMIN]
    Membership.objects.create(user=admin, authority=world.south.authority, role=Role.ADMIN)
    client = client_for(admin)
    assert client.get(f"/people/{world.south.self_person.pk}/").status_code == 404
    response = client.post("/authority/", {"authority": world.south.authority.pk})
    assert response.status_code == 302
    assert client.get(f"/people/{world.south.self_person.pk}/").status_code == 200
    assert client.get(f"/people/{world.north.self_person.pk}/").status_code == 404
    # A token is tied to the authority it was issued for, whatever the session says.
    token = token_for(admin, world.north.authority)
    assert (
        client.get(
            f"/api/v1/people/{world.south.self_person.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
        ).status_code
        == 404
    )


def test_choosing_an_authority_you_do_not_belong_to_is_refused(world):
    client = client_for(world.north.users[Role.ADMIN])
    response = client.post("/authority/", {"authority": world.south.authority.pk})
    assert response.status_code == 400
    assert client.get(f"/people/{world.south.self_person.pk}/").status_code == 404


def test_ended_representative_loses_access(world):
    import datetime as dt

    rep = world.north.representative
    rep.ends_on = dt.date(2021, 1, 1)
    rep.save()
    client = client_for(world.north.users[Role.REPRESENTATIVE])
    assert client.get(f"/people/{world.north.self_person.pk}/").status_code == 404


def test_unknown_ids_are_404_not_500(world):
    client = client_for(world.north.users[Role.ADMIN])
    assert client.get("/people/999999/").status_code == 404
    assert client.get("/people/999999/edit/").status_code == 404
    token = token_for(world.north.users[Role.ADMIN], world.north.authority)
    response = client.get("/api/v1/people/999999", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_anonymous_users_are_sent_to_sign_in_or_refused(world):
    from django.test import Client

    client = Client()
    response = client.get(f"/people/{world.north.self_person.pk}/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert client.get("/api/v1/people").status_code == 401
    assert client.get("/api/v1/people", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
