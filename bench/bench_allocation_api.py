"""Benchmark one allocation through the API: POST /api/v1/people/{id}/allocations, which runs the
engine, saves the allocation, its streams, its explanation and an audit event, and answers with
the structured explanation. Baseline: a trivial API view (GET /api/v1/me) in the same run, same
client, same authentication.

Run: python bench/bench_allocation_api.py [--n 400]
Uses a fresh SQLite database in a temporary directory (or DATABASE_URL if set).
Writes (or replaces) the "## Allocation API" section of bench/RESULTS.md, keeping other sections.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from results import write_section  # bench/results.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("SELFDIRECT_VAR", tempfile.mkdtemp(prefix="bench-alloc-api-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfdirect.settings")
os.environ.setdefault("SELFDIRECT_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

GOAL_MS = 50.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=400, help="Requests of each kind")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    from helpers import make_world, token_for
    from selfdirect.assessment.models import Assessment
    from selfdirect.core.constants import Role
    from selfdirect.policies import services as policy_services

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = make_world()
    side = world.north
    commissioner, assessor = side.users[Role.COMMISSIONER], side.users[Role.ASSESSOR]
    text = (ROOT / "policies" / "northshire" / "policy-2026.yaml").read_text()
    version = policy_services.publish_file(commissioner, side.authority, text, "policy-2026.yaml")
    # The seed case (24 + 11 points x £270 = £9,450 a year), made complete.
    answers = {
        "client_group": "older_people", "age": "80", "pc_trigger": True, "pc_washing": "all",
        "pc_dressing": "all", "pc_toilet": True, "eat_trigger": False, "mob_trigger": True,
        "mob_indoors": "hoist", "mob_outdoors": True, "hs_need_to_move": False, "hs_settle_in": False,
        "hs_tenancy_threat": True, "hs_manage_finances": False, "hs_repairs": True, "hs_keep_safe": False,
        "hs_avoid_eviction": True, "hs_court_orders": False, "hs_alarm": False, "hs_complaints": False,
        "hs_purchase_route": "specialist", "fin_trigger": False, "soc_trigger": False, "work_trigger": False,
        "comm_trigger": False, "safety_trigger": False, "carer_trigger": True, "informal_care_hours": "25",
        "carer_needs_break": True,
    }  # fmt: skip
    person = side.caseload_person
    Assessment.objects.create(
        authority=side.authority, person=person, policy_version=version, on=date(2026, 5, 1),
        person_answers=answers, status="submitted",
    )  # fmt: skip
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(assessor, side.authority)}"}
    body = json.dumps({"reason": "benchmark"})
    url = f"/api/v1/people/{person.pk}/allocations"

    def post() -> dict:
        r = client.post(url, data=body, content_type="application/json", **auth)
        assert r.status_code == 201, r.content
        return r.json()

    def get_me() -> None:
        r = client.get("/api/v1/me", **auth)
        assert r.status_code == 200

    first = post()
    for _ in range(20):  # warm up both paths
        post()
        get_me()
    alloc_ms: list[float] = []
    base_ms: list[float] = []
    for _ in range(args.n):  # interleaved so both see the same machine load
        t = time.perf_counter()
        get_me()
        base_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        post()
        alloc_ms.append((time.perf_counter() - t) * 1000)

    p50, p95 = statistics.median(alloc_ms), percentile(alloc_ms, 95)
    b50, b95 = statistics.median(base_ms), percentile(base_ms, 95)
    engine = connection.vendor
    print(f"allocation POST: p50 {p50:.1f} ms, p95 {p95:.1f} ms (n={args.n})")
    print(f"baseline GET /me: p50 {b50:.1f} ms, p95 {b95:.1f} ms")
    print(f"total {first['total_annual_pence']} pence, {len(first['lines'])} lines")
    section = (
        "## Allocation API\n\n"
        f"One indicative budget through the API (`POST /api/v1/people/{{id}}/allocations`: permission checks, "
        f"the Northshire 2026 policy from the per-process cache, the engine, saving the allocation, its "
        f"{len(first['streams'])} stream rows, its {len(first['lines'])}-line explanation and an audit event, "
        f"and the JSON answer) against a trivial API view (`GET /api/v1/me`) with the same token "
        f"authentication, interleaved in the same run. `bench/bench_allocation_api.py`, {date.today().isoformat()}, "
        f"os.cpu_count() = {os.cpu_count()}, Python {sys.version.split()[0]}, database {engine}, "
        f"{args.n} requests of each, Django test client (no network).\n\n"
        "| request | p50 (ms) | p95 (ms) |\n|---|---:|---:|\n"
        f"| allocate one person (engine + save + explanation) | {p50:.1f} | {p95:.1f} |\n"
        f"| trivial view baseline | {b50:.1f} | {b95:.1f} |\n\n"
        f"Goal p95 <= {GOAL_MS:.0f} ms: {'yes' if p95 <= GOAL_MS else 'no'} "
        f"(allocation costs {p95 - b95:.1f} ms at p95 above the baseline).\n"
    )
    if not args.no_write:
        write_section(section)


if __name__ == "__main__":
    main()
