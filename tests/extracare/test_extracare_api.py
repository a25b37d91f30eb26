"""The API: schemes CRUD, the calculators' results, runs (202 + status URL) and rotas as JSON and CSV."""

from __future__ import annotations

import copy
import json

from helpers import client_for, token_for
from selfdirect.api.openapi import current_schema
from selfdirect.core.constants import Role
from selfdirect.extracare.inputs import seed_inputs
from selfdirect.extracare.models import Scheme


def call(world, method, url, body=None, role=Role.COMMISSIONER):
    user = world.north.users[role]
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user, world.north.authority)}"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client_for(user), method)(url, **kwargs)


def test_create_read_update_delete(world):
    response = call(
        world, "post", "/api/v1/extracare/schemes", {"name": "Oak", "inputs": seed_inputs(), "reason": "New"}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["version"] == 1 and data["inputs"]["scheme"]["flats"] == 40
    sid = data["id"]
    changed = copy.deepcopy(data["inputs"])
    changed["scheme"]["flats"] = 50
    put = call(
        world,
        "put",
        f"/api/v1/extracare/schemes/{sid}",
        {"name": "Oak", "inputs": changed, "reason": "More flats"},
    )
    assert put.status_code == 200 and put.json()["version"] == 2
    assert [s["name"] for s in call(world, "get", "/api/v1/extracare/schemes").json()] == ["Oak"]
    assert call(world, "delete", f"/api/v1/extracare/schemes/{sid}", {"reason": "done"}).status_code == 204
    assert not Scheme.objects.exists()


def test_bad_inputs_answer_422_with_field_paths(world):
    inputs = seed_inputs()
    inputs["scheme"]["flats"] = -3
    inputs["scheme"]["need_mix"]["bands"][0]["share"] = "1/2"
    inputs["costing"]["rate_card"]["day_rate_pence"] = -1
    response = call(
        world, "post", "/api/v1/extracare/schemes", {"name": "Bad", "inputs": inputs, "reason": "x"}
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    paths = {tuple(e["path"]): e["message"] for e in response.json()["errors"]}
    assert paths[("body", "inputs", "scheme", "flats")] == "must be at least 1 (got -3)"
    assert "shares must sum to 1" in paths[("body", "inputs", "scheme", "need_mix", "bands")]
    assert ("body", "inputs", "costing", "rate_card", "day_rate_pence") in paths
    assert not Scheme.objects.exists()
    dup = call(world, "post", "/api/v1/extracare/schemes/from-seed", {"name": "Same"})
    assert dup.status_code == 201
    clash = call(
        world, "post", "/api/v1/extracare/schemes", {"name": "Same", "inputs": seed_inputs(), "reason": "x"}
    )
    assert clash.status_code == 422 and clash.json()["errors"][0]["path"] == ["body", "name"]


def test_results_carry_the_seed_figures_and_the_version(world, scheme):
    data = call(world, "get", f"/api/v1/extracare/schemes/{scheme.pk}/results").json()
    totals = {h["key"]: h["total"] for h in data["hours"]}
    assert totals["minimum_block"] == "310" and totals["minimum_block_phased"] == "273"
    assert totals["core_and_add_on"] == "175" and totals["phasing"] == "400"
    thirds = {
        s["key"]: s["hours"] for s in next(h for h in data["hours"] if h["key"] == "thirds")["subtotals"]
    }
    assert thirds == {"contact": "342.5", "with_nights": "412.5", "with_team_leader": "449.5"}
    assert data["costing"][0]["itemised"]["weekly_pence"] == 872297
    assert data["version"] == 1 and data["viability"]["occupied"] == 40


def test_runs_start_with_202_and_report_status_and_rota(world, scheme, worker):
    with worker():
            response = call(world, "post", f"/api/v1/extracare/schemes/{scheme.pk}/runs",
                        {"kind": "sweep", "params": {"levels": 2, "replications": 1, "days": 3}})  # fmt: skip
    assert response.status_code == 202, response.content
    run = response.json()
    assert run["status_url"] == f"/api/v1/extracare/runs/{run['id']}"
    status = call(world, "get", run["status_url"]).json()
    assert status["status"] == "done" and status["done"] == status["total"] == 2
    assert [lv["floating_share"] for lv in status["result"]["levels"]] == [0.0, 1.0]
    assert "charts" not in status["result"]

    bad = call(world, "post", f"/api/v1/extracare/schemes/{scheme.pk}/runs",
               {"kind": "rota", "params": {"staff": 0, "colour": "red"}})  # fmt: skip
    assert bad.status_code == 422
    assert {tuple(e["path"]) for e in bad.json()["errors"]} == {
        ("body", "params", "staff"),
        ("body", "params", "colour"),
    }

    with worker():
        rota = call(
            world,
            "post",
            f"/api/v1/extracare/schemes/{scheme.pk}/runs",
            {"kind": "rota", "params": {"staff": 12}},
        )
    body = call(world, "get", rota.json()["status_url"]).json()
    assert body["result"]["feasible"] and body["result"]["objective_hours"] == "392"
    assert body["result"]["assignments"][0]["worker"] == "W01"
    csv = call(world, "get", f"/api/v1/extracare/runs/{body['id']}/rota.csv")
    assert csv.status_code == 200 and csv.content.decode().startswith("worker,day,date,start,end")


def test_openapi_lists_the_extracare_endpoints(world):
    paths = current_schema()["paths"]
    assert "/api/v1/extracare/schemes/{scheme_id}/runs" in paths
    assert paths["/api/v1/extracare/schemes"]["get"]["tags"] == ["extracare"]
