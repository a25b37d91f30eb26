import json

from helpers import client_for, token_for
from selfdirect.api.openapi import OPENAPI_PATH, current_schema, render
from selfdirect.core.constants import Role
from selfdirect.core.models import AuditEvent
from selfdirect.people.models import Person

NEW = {
    "given_name": "Grace", "family_name": "Hall", "date_of_birth": "1948-03-27", "address_line_1": "4 Mill Lane",
    "town": "Kelby", "postcode": "NX4 4TF", "client_group": "older", "primary_support_reason": "physical",
    "nhs_number": "9434765919",
}  # fmt: skip


def call(world, role, method, url, body=None, side="north"):
    user = getattr(world, side).users[role]
    token = token_for(user, getattr(world, side).authority)
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client_for(user), method)(url, **kwargs)


def test_create_and_read_a_person(world):
    response = call(
        world, Role.ASSESSOR, "post", "/api/v1/people", {**NEW, "team_id": world.north.home_team.pk}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["reference"].startswith("NO") and data["case_notes"]["has_capacity"] is None
    person = Person.objects.get(pk=data["id"])
    assert person.authority == world.north.authority
    assert call(world, Role.ASSESSOR, "get", f"/api/v1/people/{person.pk}").json()["family_name"] == "Hall"


def test_validation_errors_are_problem_details_with_field_paths(world):
    body = {
        **NEW,
        "date_of_birth": "1948-02-31",
        "client_group": "martians",
        "team_id": world.north.home_team.pk,
    }
    del body["given_name"]
    response = call(world, Role.ASSESSOR, "post", "/api/v1/people", body)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    paths = {tuple(e["path"]) for e in problem["errors"]}
    assert ("body", "payload", "given_name") in paths
    assert ("body", "payload", "date_of_birth") in paths
    assert ("body", "payload", "client_group") in paths
    assert not Person.objects.filter(family_name="Hall").exists()


def test_model_rules_come_back_as_field_errors(world):
    body = {**NEW, "nhs_number": "9434765918", "team_id": world.north.home_team.pk}
    response = call(world, Role.ASSESSOR, "post", "/api/v1/people", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == ["body", "nhs_number"]
    response = call(
        world, Role.ASSESSOR, "post", "/api/v1/people", {**NEW, "team_id": world.south.home_team.pk}
    )
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == ["body", "team_id"]
    assert not AuditEvent.objects.exists()


def test_malformed_json_is_a_4xx(world):
    user = world.north.users[Role.ADMIN]
    token = token_for(user, world.north.authority)
    response = client_for(user).post(
        "/api/v1/people",
        data="{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert 400 <= response.status_code < 500


def test_patch_changes_and_reports_what_changed(world):
    pk = world.north.caseload_person.pk
    response = call(
        world, Role.PLANNER, "patch", f"/api/v1/people/{pk}", {"postcode": "NX2 2BB", "reason": "Moved"}
    )
    assert response.json() == {"changes": {"postcode": ["NX1 1AA", "NX2 2BB"]}}
    response = call(world, Role.PLANNER, "patch", f"/api/v1/people/{pk}", {"postcode": "NX3 3CC"})
    assert response.status_code == 422  # a reason is required
    history = call(world, Role.PLANNER, "get", f"/api/v1/people/{pk}/history").json()
    assert history["count"] == 1 and history["items"][0]["reason"] == "Moved"


def test_pagination_and_search(world):
    from helpers import make_person

    for i in range(60):
        make_person(world.north.authority, world.north.home_team, f"P{i}", "Bulk")
    page = call(world, Role.ADMIN, "get", "/api/v1/people?q=bulk").json()
    assert page["count"] == 60 and len(page["items"]) == 50
    page2 = call(world, Role.ADMIN, "get", "/api/v1/people?q=bulk&page=2").json()
    assert len(page2["items"]) == 10
    assert call(world, Role.ADMIN, "get", "/api/v1/people?facs_band=critical").json()["count"] == 0


def test_session_writes_need_csrf(world):
    from django.test import Client

    user = world.north.users[Role.ADMIN]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/v1/me").json()["authority"] == "northshire"
    response = client.patch(
        f"/api/v1/people/{world.north.caseload_person.pk}", data=json.dumps({"phone": "1", "reason": "x"}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code in (401, 403)


def test_allocation_through_the_api(world):
    body = {
        "team_id": world.north.home_team.pk,
        "allocated_worker_id": world.north.users[Role.PLANNER].pk,
        "reason": "Cover",
    }
    response = call(
        world, Role.ADMIN, "put", f"/api/v1/people/{world.north.other_person.pk}/allocation", body
    )
    assert response.status_code == 200
    assert response.json()["changes"]["team"] == ["Other team", "Home team"]
    teams = call(world, Role.ADMIN, "get", "/api/v1/teams").json()
    assert {t["name"]: t["people"] for t in teams} == {"Home team": 3, "Other team": 0}
    body["allocated_worker_id"] = world.south.users[Role.ASSESSOR].pk
    assert (
        call(
            world, Role.ADMIN, "put", f"/api/v1/people/{world.north.other_person.pk}/allocation", body
        ).status_code
        == 422
    )


def test_the_committed_openapi_document_matches_the_code():
    assert OPENAPI_PATH.read_text() == render(current_schema()), (
        "src/selfdirect/api/openapi.json is out of date: run `manage.py export_openapi` and commit it"
    )


def test_openapi_is_served(world):
    response = client_for(world.north.users[Role.ADMIN]).get("/api/v1/openapi.json")
    assert response.status_code == 200 and "/api/v1/people" in response.json()["paths"]


def test_api_docs_are_a_page_that_needs_no_script(world):
    response = client_for(world.north.users[Role.ADMIN]).get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script src" not in html and "cdn." not in html and 'lang="en-GB"' in html
    # The description's `backticked` words are shown as code, not with their backticks.
    assert "whose <code>errors</code> name the field path" in html and "`errors`" not in html
    # Every operation of the document is on the page, with its answers and a link to its body's schema.
    document = client_for(world.north.users[Role.ADMIN]).get("/api/v1/openapi.json").json()
    operations = [(m.upper(), p) for p, item in document["paths"].items() for m in item if m != "parameters"]
    assert operations and all(f"<code>{path}</code>" in html for _, path in operations)
    assert html.count('class="govuk-tag govuk-tag--grey"') == len(operations)
    section = html[html.index('id="op-selfdirect_people_api_create_person"'):]
    section = section[: section.index("</section>")]
    assert '<a class="govuk-link" href="#schema-PersonIn">PersonIn</a> (application/json)' in section
    assert "<td class=\"govuk-table__cell\">422</td>" in section
    assert 'id="schema-PersonIn"' in html and 'id="schema-Problem"' in html


def test_the_docs_say_a_schema_in_words():
    from selfdirect.api.docs import describe

    assert describe({"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]}) == {
        "text": "X or null", "ref": "X"
    }
    assert describe({"type": "array", "items": {"type": "string", "format": "date"}})["text"] == "list of string (date)"
    assert describe({"enum": ["queued", "done"]})["text"] == "one of queued, done"


def test_a_contact_is_kept_in_utc_and_one_no_calendar_holds_is_refused_by_field(world):
    """RFC 3339 allows an offset up to 23:59, PostgreSQL holds one up to 15:59: a contact in the year
    700 at +18:35 reached the database and broke the request's transaction (the contract test found it)."""
    import datetime as dt

    from django.utils import timezone

    person = world.north.caseload_person
    url = f"/api/v1/people/{person.pk}/contacts"
    body = {"kind": "phone", "summary": "Called"}
    ok = call(world, Role.PLANNER, "post", url, {**body, "happened_at": "2026-03-01T23:30:00+18:35"})
    assert ok.status_code == 201, ok.content
    kept = person.contacts.get()
    assert kept.happened_at == dt.datetime(2026, 3, 1, 4, 55, tzinfo=dt.UTC)
    # No offset: the council's clock (British Summer Time in July).
    assert call(world, Role.PLANNER, "post", url, {**body, "happened_at": "2026-07-01T10:00:00"}).status_code == 201
    assert person.contacts.order_by("-pk").first().happened_at == dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    refusals = {
        "0700-08-15T01:37:52+18:35": "must be in 1900 or later",
        "0001-01-01T00:00:00+01:00": "must be in 1900 or later",
        "9999-12-31T23:59:59-14:00": "today or in the past",
        f"{tomorrow.isoformat()}T09:00:00Z": "today or in the past",
    }
    for moment, message in refusals.items():
        response = call(world, Role.PLANNER, "post", url, {**body, "happened_at": moment})
        assert response.status_code == 422, (moment, response.content)
        errors = response.json()["errors"]
        assert [e["path"] for e in errors] == [["body", "happened_at"]], moment
        assert message in errors[0]["message"], moment
    assert person.contacts.count() == 2
