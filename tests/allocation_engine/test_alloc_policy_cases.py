"""Runs every YAML test case in policies/*/tests/*.yaml against its authority's policy versions."""

from pathlib import Path

import pytest

from selfdirect.policies.engine import load_cases, load_policy_dir, run_case

POLICIES = Path(__file__).resolve().parents[2] / "policies"
CASES = [
    (authority_dir, case)
    for authority_dir in sorted(p for p in POLICIES.iterdir() if (p / "tests").is_dir())
    for case_file in sorted((authority_dir / "tests").glob("*.yaml"))
    for case in load_cases(case_file)
]


@pytest.fixture(scope="module")
def policy_sets():
    return {}


def test_cases_were_found():
    assert {d.name for d, _ in CASES} >= {"northshire", "southvale"}


@pytest.mark.parametrize(("authority_dir", "case"), CASES, ids=[f"{d.name}: {c.name}" for d, c in CASES])
def test_policy_case(authority_dir, case, policy_sets):
    if authority_dir not in policy_sets:
        policy_sets[authority_dir] = load_policy_dir(authority_dir)
    failures = run_case(case, policy_sets[authority_dir])
    assert not failures, f"{case.where} {case.name}: " + "; ".join(failures)
