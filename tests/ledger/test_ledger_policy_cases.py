"""Runs every YAML test case in policies/*/ledger-tests/*.yaml against its authority's rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from selfdirect.ledger.policy import close_decision, midpoint_pence, parse

CASES = []
for authority_dir in sorted(Path(settings.PROJECT_DIR, "policies").iterdir()):
    for case_file in sorted((authority_dir / "ledger-tests").glob("*.yaml")):
        for case in yaml.safe_load(case_file.read_text()):
            CASES.append(pytest.param(authority_dir, case, id=f"{authority_dir.name}: {case['name']}"))


def test_there_are_cases_for_both_demo_authorities():
    assert {p.values[0].name for p in CASES} >= {"northshire", "southvale"}


def test_there_are_mid_point_cases_for_every_authority_that_allows_mid_point_budgets():
    for authority_dir in sorted(Path(settings.PROJECT_DIR, "policies").iterdir()):
        rules = parse((authority_dir / "ledger.yaml").read_text(), str(authority_dir)).midpoint
        if rules is not None and rules.allowed:
            assert any(p.values[0] == authority_dir and p.values[1].get("kind") == "midpoint" for p in CASES)


@pytest.mark.parametrize(("authority_dir", "case"), CASES)
def test_ledger_case(authority_dir, case):
    """A case is a period close (the default) or, with ``kind: midpoint``, a mid-point budget."""
    pol = parse((authority_dir / "ledger.yaml").read_text(), str(authority_dir))
    if case.get("kind") == "midpoint":
        assert pol.midpoint is not None
        annual = midpoint_pence(pol.midpoint, case["settled_annual_pence"], case["higher_annual_pence"])
        assert {"annual_pence": annual} == case["expect"]
        return
    kept, clawed, _ = close_decision(
        pol.period_close,
        annual_pence=case["annual_pence"],
        month_allocation_pence=case["month_allocation_pence"],
        carried_in_pence=case["carried_in_pence"],
        unspent_pence=case["unspent_pence"],
    )
    assert {"kept_pence": kept, "clawed_back_pence": clawed} == case["expect"]
