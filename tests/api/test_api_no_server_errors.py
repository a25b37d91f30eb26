"""Issue 17, point 1: no input answers 5xx. Each case here once answered 500 on SQLite, PostgreSQL
or both; each now answers a 4xx problem whose `errors` name the field, and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client, override_settings

from helpers import client_for, token_for
from selfdirect.core.constants import Role
from selfdirect.core.models import AuditEvent
from selfdirect.people.models import Person

POLICIES = Path(__file__).resolve().parents[2] / "policies"
TOO_BIG = 2**64


def call(world, role, method, url, body=None, side="north"):
    user = getattr(world, side).users[role]
    token = token_for(user, getattr(world, side).authority)
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client_for(user), method)(url, **kwargs)


def paths(response) -> set[tuple[str, ...]]:
    assert response["Content-Type"] == "application/problem+json", response.content
    return {tuple(e["path"]) for e in response.json().get("errors", [])}


NEW = {
    "given_name": "Grace", "family_name": "Hall", "date_of_birth": "1948-03-27", "address_line_1": "4 Mill Lane",
    "town": "Kelby", "postcode": "NX4 4TF", "client_group": "older", "primary_support_reason": "physical",
}  # fmt: skip


# --- deleting someone whose records refer to them ---------------------------------------------------


def test_deleting_a_person_with_a_budget_or_plan_is_a_conflict_that_says_why(world):
    from ledger_support import make_budget
    from plans_support import write_plan

    person = world.north.caseload_person
    make_budget(person, agree=False)
    write_plan(world.north, person)
    response = call(world, Role.ADMIN, "delete", f"/api/v1/people/{person.pk}", {"reason": "Created in error"})
    assert response.status_code == 409, response.content
    problem = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert "budget" in problem["detail"] and "support plan" in problem["detail"]
    assert Person.objects.filter(pk=person.pk).exists()
    assert not AuditEvent.objects.filter(person_id=person.pk, action="delete").exists()


def test_deleting_a_person_with_nothing_attached_still_works(world):
    person = world.north.other_person
    response = call(world, Role.ADMIN, "delete", f"/api/v1/people/{person.pk}", {"reason": "Created in error"})
    assert response.status_code == 204
    assert not Person.objects.filter(pk=person.pk).exists()


# --- numbers beyond the database's integers ----------------------------------------------------------


def test_a_page_beyond_any_database_integer_is_refused(world):
    response = call(world, Role.ADMIN, "get", f"/api/v1/people?page={2**70}")
    assert response.status_code == 422
    assert ("query", "page") in paths(response)


def test_a_page_past_the_end_is_empty(world):
    response = call(world, Role.ADMIN, "get", "/api/v1/people?page=1000")
    assert response.status_code == 200 and response.json()["items"] == []


@pytest.mark.parametrize("pk", [TOO_BIG, 0, -1])
def test_ids_in_the_path_outside_the_database_range_are_not_found_or_refused(world, pk):
    response = call(world, Role.ADMIN, "get", f"/api/v1/people/{pk}")
    assert response.status_code in (404, 422)


def test_ids_in_lists_beyond_the_database_range_are_refused(world):
    response = call(
        world, Role.ADMIN, "post", "/api/v1/market/providers", {"name": "Big Care", "area_ids": [TOO_BIG]}
    )
    assert response.status_code == 422, response.content
    assert ("body", "payload", "area_ids", "0") in paths(response)


def test_framework_outcome_ids_beyond_the_database_range_are_refused(world):
    from plans_support import write_plan

    plan = write_plan(world.north)
    response = call(
        world, Role.PLANNER, "post", f"/api/v1/plans/{plan.pk}/outcomes",
        {"text": "Keep my flat", "framework_outcome_ids": [TOO_BIG]},
    )  # fmt: skip
    assert response.status_code == 422, response.content
    assert ("body", "body", "framework_outcome_ids", "0") in paths(response)


def test_amounts_beyond_the_database_range_are_refused(world):
    service = _service(world)
    response = call(
        world, Role.ADMIN, "post", f"/api/v1/market/services/{service.pk}/rates",
        {"starts_on": "2030-01-01", "standard_pence": TOO_BIG},
    )  # fmt: skip
    assert response.status_code == 422, response.content
    assert ("body", "payload", "standard_pence") in paths(response)


def _service(world):
    """A home-care service with no rates yet."""
    from selfdirect.market.models import Provider, Service

    provider = Provider.objects.create(authority=world.north.authority, name="Kelby Care")
    return Service.objects.create(
        authority=world.north.authority, provider=provider, name="Home care", support_type="personal_care",
        unit="hour",
    )  # fmt: skip


# --- null where the record needs a value -----------------------------------------------------------


@pytest.mark.parametrize("field", ["nhs_number", "given_name", "sex", "email", "consents_to_share"])
def test_null_for_a_field_that_cannot_be_empty_is_refused(world, field):
    pk = world.north.caseload_person.pk
    response = call(world, Role.ADMIN, "patch", f"/api/v1/people/{pk}", {field: None, "reason": "Tidy"})
    assert response.status_code == 422, response.content
    assert ("body", "payload", field) in paths(response)


def test_null_clears_a_field_that_may_be_unknown(world):
    pk = world.north.caseload_person.pk
    call(world, Role.ADMIN, "patch", f"/api/v1/people/{pk}", {"has_capacity": True, "reason": "Assessed"})
    response = call(world, Role.ADMIN, "patch", f"/api/v1/people/{pk}", {"has_capacity": None, "reason": "Error"})
    assert response.status_code == 200 and response.json()["changes"] == {"has_capacity": [True, None]}


# --- NUL characters --------------------------------------------------------------------------------


def test_a_nul_character_in_a_name_is_refused(world):
    body = {**NEW, "given_name": "Gr\x00ace", "team_id": world.north.home_team.pk}
    response = call(world, Role.ADMIN, "post", "/api/v1/people", body)
    assert response.status_code == 422
    assert ("body", "payload", "given_name") in paths(response)
    assert not Person.objects.filter(family_name="Hall").exists()


def test_a_nul_character_inside_free_form_answers_is_refused(world):
    pk = world.north.caseload_person.pk
    response = call(
        world, Role.ADMIN, "patch", f"/api/v1/people/{pk}", {"contact_notes": "a\x00b", "reason": "x"}
    )
    assert response.status_code == 422 and ("body", "payload", "contact_notes") in paths(response)


def test_a_nul_character_in_a_search_is_refused(world):
    response = call(world, Role.ADMIN, "get", "/api/v1/people?q=Smi%00th")
    assert response.status_code == 422
    assert ("query", "q") in paths(response)


def test_a_nul_character_in_the_web_search_is_a_bad_request(world):
    response = client_for(world.north.users[Role.ADMIN]).get("/people/?q=Smi%00th")
    assert response.status_code == 400


# --- times with an offset ----------------------------------------------------------------------------


def test_a_rate_time_with_an_offset_is_refused_and_nothing_is_saved(world):
    from selfdirect.market.models import RateTable

    service = _service(world)
    before = RateTable.objects.count()
    response = call(
        world, Role.ADMIN, "post", f"/api/v1/market/services/{service.pk}/rates",
        {"starts_on": "2030-01-01", "standard_pence": 1900, "night_until": "07:00:00+01:00", "reason": "New"},
    )  # fmt: skip
    assert response.status_code == 422, response.content
    assert ("body", "payload", "night_until") in paths(response)
    assert RateTable.objects.count() == before


# --- policies the loader refuses ----------------------------------------------------------------------


def _policy_text() -> str:
    return (POLICIES / "northshire" / "policy-2026.yaml").read_text()


@pytest.mark.parametrize("url", ["/api/v1/policies", "/api/v1/policies/validate"])
def test_a_policy_with_an_impossible_date_is_a_4xx(world, url):
    text = _policy_text().replace("effective_from: 2026-04-01", "effective_from: 2027-02-30")
    response = call(world, Role.COMMISSIONER, "post", url, {"yaml": text, "filename": "p.yaml"})
    assert 200 <= response.status_code < 500, response.content
    if response.status_code == 200:
        assert response.json()["valid"] is False


@pytest.mark.parametrize("url", ["/api/v1/policies", "/api/v1/policies/validate"])
def test_a_policy_with_a_control_character_is_a_4xx(world, url):
    text = "authority: northshire\nid: \x1c\n"  # found by schemathesis: the YAML reader refused it
    response = call(world, Role.COMMISSIONER, "post", url, {"yaml": text, "filename": "p.yaml"})
    assert 200 <= response.status_code < 500, response.content
    if response.status_code == 200:
        assert response.json()["valid"] is False


@pytest.mark.parametrize("url", ["/api/v1/policies", "/api/v1/policies/validate"])
def test_a_policy_nested_thousands_deep_is_a_4xx(world, url):
    text = "authority: northshire\nid: deep\nx: " + "[" * 5000 + "]" * 5000 + "\n"
    response = call(world, Role.COMMISSIONER, "post", url, {"yaml": text, "filename": "p.yaml"})
    assert 200 <= response.status_code < 500, response.content
    if response.status_code == 200:
        assert response.json()["valid"] is False


# --- an unknown Host header with DEBUG off ----------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/api/v1/me", "/people/"])
def test_an_unknown_host_is_a_bad_request_with_debug_off(world, url):
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["selfdirect.example"]):
        response = Client(raise_request_exception=False).get(url, HTTP_HOST="evil.example")
    assert response.status_code == 400


def test_the_remove_page_says_why_a_person_with_a_budget_cannot_be_removed(world):
    from ledger_support import make_budget

    person = world.north.caseload_person
    make_budget(person, agree=False)
    client = client_for(world.north.users[Role.ADMIN])
    response = client.post(f"/people/{person.pk}/delete/", {"reason": "Created in error"})
    assert response.status_code == 409
    assert "Other records still refer to this one (1 budget)" in response.content.decode()
    assert Person.objects.filter(pk=person.pk).exists()


@pytest.mark.parametrize("value", ["1.5x", "0", "0.001", True, "", "1e3"])
def test_a_quantity_the_contract_does_not_allow_is_refused_by_its_shape(world, value):
    from plans_support import write_plan

    plan = write_plan(world.north)
    line = {"kind": "other", "category": "equipment", "description": "Kettle tipper", "frequency": "one_off",
            "unit": "item", "unit_cost_pence": 2500, "quantity": value}  # fmt: skip
    response = call(world, Role.PLANNER, "post", f"/api/v1/plans/{plan.pk}/lines", line)
    assert response.status_code == 422, response.content
    assert ("body", "body", "quantity") in paths(response)
    ok = call(world, Role.PLANNER, "post", f"/api/v1/plans/{plan.pk}/lines", {**line, "quantity": "0.5"})
    assert ok.status_code == 201, ok.content


def test_true_is_not_a_number(world):
    pk = world.north.caseload_person.pk
    response = call(world, Role.ADMIN, "post", f"/api/v1/ledger/people/{pk}/disputes", {"subject": "x", "amount_pence": False})
    assert response.status_code == 422 and ("body", "payload", "amount_pence") in paths(response)


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/market/settings", {"accredits_pas": 0, "reason": "x"}, ("body", "payload", "accredits_pas")),
        ("/api/v1/people/{pk}", {"consents_to_share": 1, "reason": "x"}, ("body", "payload", "consents_to_share")),
        ("/api/v1/people/{pk}", {"date_of_birth": 0, "reason": "x"}, ("body", "payload", "date_of_birth")),
        ("/api/v1/people/{pk}", [None, None], ("body", "payload")),
    ],
)
def test_json_types_are_taken_as_the_document_states_them(world, url, body, field):
    """Found by schemathesis: 0 was read as false, a number as a date, a list as an empty object."""
    response = call(world, Role.ADMIN, "patch", url.format(pk=world.north.caseload_person.pk), body)
    assert response.status_code == 422, response.content
    assert field in paths(response)
