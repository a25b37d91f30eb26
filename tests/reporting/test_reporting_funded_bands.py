"""Take-up counts as eligible the FACS bands each authority funds, from its allocation policy
version in force on the day counted: Southvale's 2026 policy funds moderate, Northshire's does
not (policies/*/policy-2026.yaml, eligibility.funded_bands; both in force from 1 April 2026)."""

from __future__ import annotations

from pathlib import Path

import pytest
from reporting_support import backdate

from helpers import make_person
from selfdirect.allocation import services
from selfdirect.core.constants import Role
from selfdirect.people.constants import FacsBand
from selfdirect.reporting.indicators import build_report, parse_period
from selfdirect.reporting.queries import cohort

POLICIES = Path(__file__).resolve().parents[2] / "policies"
MAY = parse_period("2026-05")


@pytest.fixture
def both(world):
    """Each authority's 2026 policy published, and one moderate-band person in each (besides the
    three substantial people every side of the world has), all recorded on 1 January 2026."""
    moderate = {}
    for side in (world.north, world.south):
        a = side.authority
        text = (POLICIES / a.slug / "policy-2026.yaml").read_text()
        services.publish_file(side.users[Role.COMMISSIONER], a, text, "policy-2026.yaml")
        moderate[a.slug] = make_person(a, side.home_team, "Mo", "Derate", facs_band=FacsBand.MODERATE)
        backdate(a)
    return world, moderate


def take_up(report):
    return {row[0]: row[1] for row in report.table("take_up").rows}


def test_southvale_counts_its_moderate_band_and_northshire_does_not(both):
    world, moderate = both
    south = build_report(world.south.authority, MAY, sections=("take_up",))
    north = build_report(world.north.authority, MAY, sections=("take_up",))
    # Southvale funds critical, substantial and moderate: 3 substantial + 1 moderate = 4.
    assert take_up(south)["Eligible people"] == 4
    assert moderate["southvale"] in set(cohort(south.scope, "eligible"))
    # Northshire funds critical and substantial: its moderate person is not eligible, 3.
    assert take_up(north)["Eligible people"] == 3
    assert moderate["northshire"] not in set(cohort(north.scope, "eligible"))
    # The definition says which bands, and from which policy version (by its title and date).
    south_def = south.table("take_up").definition
    assert "critical, substantial or moderate" in south_def and "Southvale resource allocation policy 2026/27, from " in south_def
    north_def = north.table("take_up").definition
    assert "critical or substantial" in north_def and "Northshire resource allocation policy 2026/27, from " in north_def


def test_before_any_policy_is_in_force_the_default_bands_count_and_the_definition_says_so(both):
    world, moderate = both
    # Both policies start on 1 April 2026, so on 31 March nothing of either is in force.
    march = build_report(world.south.authority, parse_period("2026-03"), sections=("take_up", "trend"))
    assert take_up(march)["Eligible people"] == 3
    assert moderate["southvale"] not in set(cohort(march.scope, "eligible"))
    assert "no allocation policy of the authority was in force" in march.table("take_up").definition
    # The trend counts each month's end by the rule in force then: moderate joins in April.
    table = build_report(world.south.authority, MAY, sections=("trend",)).table("trend")
    trend = {r[0]: r[1] for r in table.rows}
    assert (trend["March 2026"], trend["April 2026"], trend["May 2026"]) == (3, 4, 4)
    definition = table.definition
    assert "30 June 2025 to 31 March 2026" in definition and "30 April 2026 to 31 May 2026" in definition
