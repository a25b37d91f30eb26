"""Issue 17, point 8: a date of birth in the future, a reason of any length, and a fault's traceback
shown to API callers when DEBUG is on. (Panel records answering 404 to those who may not see them
are tested with the rest of the plans' permissions, tests/plans/test_plans_permissions.py.)"""

from __future__ import annotations

import datetime as dt
import json

from django.test import Client

from helpers import client_for, token_for
from selfdirect.core.constants import Role
from selfdirect.core.models import AuditEvent
from selfdirect.people.models import Person

NEW = {
    "given_name": "Grace", "family_name": "Hall", "address_line_1": "4 Mill Lane", "town": "Kelby",
    "postcode": "NX4 4TF", "client_group": "older", "primary_support_reason": "physical",
}  # fmt: skip


def call(world, role, method, url, body=None):
    user = world.north.users[role]
    token = token_for(user, world.north.authority)
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(Client(), method)(url, **kwargs)


def test_a_date_of_birth_in_the_future_is_refused_by_the_api(world, today):
    tomorrow = today + dt.timedelta(days=1)
    body = {**NEW, "date_of_birth": tomorrow.isoformat(), "team_id": world.north.home_team.pk}
    response = call(world, Role.ADMIN, "post", "/api/v1/people", body)
    assert response.status_code == 422
    assert ["body", "date_of_birth"] in [e["path"] for e in response.json()["errors"]]
    assert not Person.objects.filter(family_name="Hall").exists()
    pk = world.north.caseload_person.pk
    changed = call(world, Role.ADMIN, "patch", f"/api/v1/people/{pk}",
                   {"date_of_birth": tomorrow.isoformat(), "reason": "Typo"})  # fmt: skip
    assert changed.status_code == 422
    born_today = call(world, Role.ADMIN, "patch", f"/api/v1/people/{pk}",
                      {"date_of_birth": today.isoformat(), "reason": "A new baby"})  # fmt: skip
    assert born_today.status_code == 200


def test_a_date_of_birth_in_the_future_is_refused_by_the_person_form(world, today):
    tomorrow = today + dt.timedelta(days=1)
    form = {
        **NEW, "date_of_birth_0": str(tomorrow.day), "date_of_birth_1": str(tomorrow.month),
        "date_of_birth_2": str(tomorrow.year), "sex": "female", "facs_band": "substantial",
        "contact_preference": "phone", "reason": "Referred by GP", "team": world.north.home_team.pk,
    }  # fmt: skip
    response = client_for(world.north.users[Role.ASSESSOR]).post("/people/new/", form)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Date of birth must be today or in the past" in html and 'href="#id_date_of_birth_0"' in html
    assert not Person.objects.filter(family_name="Hall").exists()


def test_a_reason_longer_than_the_pages_allow_is_refused(world):
    pk = world.north.caseload_person.pk
    response = call(world, Role.ADMIN, "patch", f"/api/v1/people/{pk}", {"phone": "1", "reason": "x" * 1001})
    assert response.status_code == 422
    assert ["body", "payload", "reason"] in [e["path"] for e in response.json()["errors"]]
    assert not AuditEvent.objects.exists()
    kept = call(world, Role.ADMIN, "patch", f"/api/v1/people/{pk}", {"phone": "1", "reason": "x" * 1000})
    assert kept.status_code == 200, kept.content


def test_every_reason_in_the_api_has_the_same_limit():
    from selfdirect.api.openapi import current_schema
    from selfdirect.core.forms import REASON_MAX_LENGTH

    schemas = current_schema()["components"]["schemas"]
    unlimited = [
        name for name, schema in schemas.items()
        if schema.get("properties", {}).get("reason", {}).get("type") == "string"
        and (name.endswith("In") or name.endswith("Patch"))
        and schema["properties"]["reason"].get("maxLength", 10**9) > REASON_MAX_LENGTH
    ]  # fmt: skip
    assert unlimited == []


def test_an_api_fault_with_debug_on_does_not_show_the_traceback(world, settings, monkeypatch, caplog):
    from selfdirect.people import services

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals: /srv/selfdirect/people/services.py")

    monkeypatch.setattr(services, "update_person", broken)
    settings.DEBUG = True
    pk = world.north.caseload_person.pk
    response = call(world, Role.ADMIN, "patch", f"/api/v1/people/{pk}", {"phone": "1", "reason": "x"})
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.content.decode()
    assert "secret" not in body and "Traceback" not in body
    assert response.json()["title"] == "Internal server error"
    assert "secret internals" in caplog.text  # logged for the people who run it


def test_an_unknown_api_address_is_a_problem_not_a_page(world, settings):
    settings.DEBUG = False
    response = call(world, Role.ADMIN, "get", "/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_reason_of_only_spaces_is_refused_not_a_fault(world):
    """Found by schemathesis: the audit log refuses an empty reason once stripped, which was a 500."""
    pk = world.north.caseload_person.pk
    for reason in ["   ", "\x1c", "\u3000\t"]:
        response = call(world, Role.ADMIN, "post", f"/api/v1/people/{pk}/representatives",
                        {"name": "Sam", "type": "family", "starts_on": "2026-01-01", "reason": reason})  # fmt: skip
        assert response.status_code == 422, (reason, response.content)
        assert ["body", "payload", "reason"] in [e["path"] for e in response.json()["errors"]]
    assert not AuditEvent.objects.exists()
