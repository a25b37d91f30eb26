"""The allocation and assessment API: structured explanations, 422 for bad answers and policies."""

from __future__ import annotations

import json

from alloc_testdata import COMPLETE, POLICIES, make_assessment

from helpers import client_for, token_for
from selfdirect.allocation.models import Allocation, PolicyVersion
from selfdirect.core.constants import Role


def call(world, role, method, url, body=None, side=None):
    side = side or world.north
    user = side.users[role]
    client = client_for(user)
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user, side.authority)}"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def test_allocate_one_person_returns_a_structured_explanation(world, north_2026):
    person = world.north.caseload_person
    make_assessment(person, north_2026, status="submitted")
    response = call(
        world, Role.ASSESSOR, "post", f"/api/v1/people/{person.pk}/allocations", {"reason": "review"}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["indicative"] is True and data["policy_version"] == north_2026.version_id
    assert data["total_annual_pence"] == 945000 and data["total_weekly_pence"] == 18173
    asc = next(s for s in data["streams"] if s["stream"] == "adult_social_care")
    assert asc == {"stream": "adult_social_care", "title": "Adult social care", "annual_pence": 945000,
                   "weekly_pence": 18173, "method": "points"}  # fmt: skip
    lines = [ln for ln in data["lines"] if ln["stream"] == "adult_social_care"]
    assert sum(ln["amount_pence"] for ln in lines) == 945000
    assert all(ln["staff_text"] for ln in lines) and data["rates_used"] == {"asc_price_per_point": "£270.00"}
    # The person sees the lines without the staff derivation; finance sees money only.
    own = call(world, Role.FINANCE, "get", f"/api/v1/allocations/{data['id']}").json()
    assert own["total_annual_pence"] == 945000 and own["lines"] is None and own["assessment_id"] is None


def test_allocating_an_incomplete_assessment_is_422_listing_what_is_missing(world, north_2026):
    person = world.north.caseload_person
    make_assessment(person, north_2026, {"client_group": "older_people"})
    response = call(world, Role.ASSESSOR, "post", f"/api/v1/people/{person.pk}/allocations", {})
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["path"] == ["body", "answers"]
    assert "How old are you?" in problem["errors"][0]["message"]
    assert Allocation.objects.count() == 0


def test_answers_out_of_range_are_422_at_the_field(world, north_2026):
    person = world.north.self_person
    started = call(
        world, Role.PERSON, "post", f"/api/v1/people/{person.pk}/assessments", {"on": "2026-05-01"}
    )
    assert started.status_code == 201
    aid = started.json()["id"]
    bad = call(world, Role.PERSON, "patch", f"/api/v1/assessments/{aid}/answers",
               {"answers": {"age": 12, "client_group": "martian", "pc_trigger": "maybe"}})  # fmt: skip
    assert bad.status_code == 422
    paths = {tuple(e["path"]) for e in bad.json()["errors"]}
    assert paths == {("body", "age"), ("body", "client_group"), ("body", "pc_trigger")}
    ok = call(world, Role.PERSON, "patch", f"/api/v1/assessments/{aid}/answers", {"answers": COMPLETE})
    assert ok.status_code == 200 and ok.json()["missing"] == [] and ok.json()["assessor_answers"] is None
    sent = call(world, Role.PERSON, "post", f"/api/v1/assessments/{aid}/submit")
    assert sent.status_code == 201
    body = sent.json()
    assert body["total_annual_pence"] == 945000 and body["source"] == "self_assessment"
    assert all(ln["staff_text"] is None for ln in body["lines"])
    # The assessor's side is the assessor's to write.
    denied = call(world, Role.PERSON, "patch", f"/api/v1/assessments/{aid}/answers",
                  {"side": "assessor", "answers": {"age": 81}})  # fmt: skip
    assert denied.status_code == 403


def test_policy_endpoints_validate_upload_and_publish(world):
    text = (POLICIES / "northshire" / "policy-2026.yaml").read_text()
    bad = text.replace("amount: 27000", "amount: -27000")
    checked = call(
        world, Role.ASSESSOR, "post", "/api/v1/policies/validate", {"yaml": bad, "filename": "p.yaml"}
    )
    assert checked.status_code == 200 and checked.json()["valid"] is False
    assert checked.json()["errors"][0]["path"] == "rates.asc_price_per_point.amount"
    refused = call(world, Role.COMMISSIONER, "post", "/api/v1/policies", {"yaml": bad, "filename": "p.yaml"})
    assert refused.status_code == 422 and "must not be negative" in refused.json()["errors"][0]["message"]
    uploaded = call(
        world, Role.COMMISSIONER, "post", "/api/v1/policies", {"yaml": text, "filename": "p.yaml"}
    )
    assert uploaded.status_code == 201 and uploaded.json()["status"] == "draft"
    pk = uploaded.json()["id"]
    assert call(world, Role.ADMIN, "post", f"/api/v1/policies/{pk}/publish", {}).status_code == 403
    published = call(world, Role.COMMISSIONER, "post", f"/api/v1/policies/{pk}/publish", {"reason": "ok"})
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = call(world, Role.COMMISSIONER, "post", f"/api/v1/policies/{pk}/publish", {})
    assert again.status_code == 422
    other = call(world, Role.COMMISSIONER, "post", f"/api/v1/policies/{pk}/publish", {}, side=world.south)
    assert other.status_code == 404
    assert PolicyVersion.objects.get(pk=pk).published_by == world.north.users[Role.COMMISSIONER]


def test_what_if_endpoint_queues_and_reports(world, published, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    v26, v27 = published[("northshire", "policy-2026.yaml")], published[("northshire", "policy-2027.yaml")]
    with django_capture_on_commit_callbacks(execute=True):
        response = call(world, Role.COMMISSIONER, "post", "/api/v1/what-ifs",
                        {"base_id": v26.pk, "proposed_id": v27.pk, "population": "synthetic", "synthetic_size": 50})  # fmt: skip
    assert response.status_code == 202
    status = call(world, Role.COMMISSIONER, "get", f"/api/v1/what-ifs/{response.json()['id']}").json()
    assert status["status"] == "done" and status["result"]["people"] == 50
