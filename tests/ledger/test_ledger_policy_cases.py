"""Runs every YAML test case in policies/*/ledger-tests/*.yaml against its authority's rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from selfdirect.ledger.policy import close_decision, parse

CASES = []
for authority_dir in sorted(Path(settings.PROJECT_DIR, "policies").iterdir()):
    for case_file in sorted((authority_dir / "ledger-tests").glob("*.yaml")):
        for case in yaml.safe_load(case_file.read_text()):
            CASES.append(pytest.param(authority_dir, case, id=f"{authority_dir.name}: {case['name']}"))


def test_there_are_cases_for_both_demo_authorities():
    assert {p.values[0].name for p in CASES} >= {"northshire", "southvale"}


@pytest.mark.parametrize(("authority_dir", "case"), CASES)
def test_close_case(authority_dir, case):
    rules = parse((authority_dir / "ledger.yaml").read_text(), str(authority_dir)).period_close
    kept, clawed, _ = close_decision(
        rules,
        annual_pence=case["annual_pence"],
        month_allocation_pence=case["month_allocation_pence"],
        carried_in_pence=case["carried_in_pence"],
        unspent_pence=case["unspent_pence"],
    )
    assert {"kept_pence": kept, "clawed_back_pence": clawed} == case["expect"]
