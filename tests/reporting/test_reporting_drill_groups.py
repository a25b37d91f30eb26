"""Drill-down from the people counts of the funding-stream and equity tables to the people
behind them, for those allowed to see them (figures from reporting_support.py)."""

from __future__ import annotations

import pytest
from reporting_support import build_north, build_south_equity

from helpers import client_for
from selfdirect.core.constants import Role
from selfdirect.reporting.indicators import build_report, parse_period
from selfdirect.reporting.queries import cohort

MAY = parse_period("2026-05")


def test_stream_people_are_the_ones_counted(world):
    data = build_north(world)
    side = world.north
    report = build_report(side.authority, MAY, sections=("streams",))
    # Budgets running in May from social_care, agreed or active: self, caseload, low = 3
    # (other_person's is a draft).
    assert report.table("streams").rows == [["social_care", 3, 1560000]]
    assert report.table("streams").cohorts == ["stream_social_care"]
    assert set(cohort(report.scope, "stream_social_care")) == {
        side.self_person,
        side.caseload_person,
        data.low,
    }
    assert set(cohort(report.scope, "stream_nonsense")) == set()


def test_equity_groups_are_the_people_counted(world):
    build_south_equity(world)
    s = world.south
    report = build_report(s.authority, MAY, sections=("equity_client_group", "equity_age_band", "equity_sex"))
    # Older people with an allocation by 31 May: self, caseload, Olive Crit (3); severe LD: Lee Sub,
    # Lara Crit (2). Born 1990 -> 18-64; born 1950 -> 75-84 on 31 May 2026.
    tables = [report.table(k) for k in ("equity_client_group", "equity_age_band", "equity_sex")]
    assert tables[0].cohorts == ["equity_client_group_older", "equity_client_group_severe_ld"]
    assert tables[1].cohorts == ["equity_age_band_18-64", "equity_age_band_75-84"]
    assert tables[2].cohorts == ["equity_sex_not_said"]
    for table in tables:
        for row, name in zip(table.rows, table.cohorts, strict=True):
            assert cohort(report.scope, name).count() == row[1], name
    older = {p.family_name for p in cohort(report.scope, "equity_client_group_older")}
    assert older == {s.self_person.family_name, s.caseload_person.family_name, "Crit"}
    assert {p.given_name for p in cohort(report.scope, "equity_age_band_18-64")} == {"Lee", "Lara"}
    assert set(cohort(report.scope, "equity_age_band_nonsense")) == set()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ASSESSOR, Role.COMMISSIONER, Role.PERSON])
def test_pages_link_the_people_for_those_allowed(world, role):
    build_south_equity(world)
    s = world.south
    client = client_for(s.users[role])
    page = client.get("/reports/indicator/equity_age_band/?period=2026-05")
    listing = client.get("/reports/people/equity_age_band_75-84/?period=2026-05")
    if role == Role.PERSON:
        assert page.status_code == listing.status_code == 403
        return
    html = page.content.decode()
    linked = "/reports/people/equity_age_band_75-84/?period=2026-05" in html
    assert linked == (role != Role.COMMISSIONER)
    if role == Role.COMMISSIONER:
        assert listing.status_code == 403
        return
    text = listing.content.decode()
    assert listing.status_code == 200 and "age band: 75-84" in text
    # The admin sees all three; the assessor only their home team's (self, caseload), never
    # Olive Crit on the other team, and never anyone from Northshire
    assert s.self_person.family_name in text and s.caseload_person.family_name in text
    assert ("Crit, Olive" in text) == (role == Role.ADMIN)
    assert "northshire" not in text
    # An unknown group is not found; another authority's admin sees none of Southvale's people
    assert client.get("/reports/people/equity_age_band_nonsense/").status_code == 404
    assert client.get("/reports/people/equity_client_group_martians/").status_code == 404
    north = client_for(world.north.users[Role.ADMIN]).get(
        "/reports/people/equity_age_band_75-84/?period=2026-05"
    )
    assert s.self_person.family_name not in north.content.decode()


@pytest.mark.xfail(
    strict=True,
    reason="known bug, not fixed yet: with no filter, queries.among() does not limit records to people "
    "recorded by the period's end. The one-line fix made the dashboard about 1.3 s at 100,000 people "
    "(goal 1 s), so it waits for a faster form; see the issue 9 note",
)
def test_people_recorded_after_the_period_are_not_counted_unfiltered(world):
    """A record dated in the period for someone whose own record was made after its end (entered
    late): like the drill-down and the team figures, the whole-authority count leaves it out."""
    import datetime as dt

    from reporting_support import aware, budget

    from helpers import make_person
    from selfdirect.ledger.constants import Route
    from selfdirect.people.models import Person

    build_north(world)
    side = world.north
    late = make_person(side.authority, side.home_team, "Late", "Comer")
    budget(late, Route.DIRECT_PAYMENT)
    Person.objects.filter(pk=late.pk).update(created_at=aware(dt.date(2026, 6, 2)))
    whole = build_report(side.authority, MAY, sections=("streams",))
    # self, caseload and low (as without the late record), the drill-down's people
    assert whole.table("streams").rows == [["social_care", 3, 1560000]]
    assert late not in set(cohort(whole.scope, "stream_social_care"))
    teams = [build_report(side.authority, MAY, team_id=t.pk, sections=("streams",)) for t in
             (side.home_team, side.other_team)]  # fmt: skip
    assert sum(r.table("streams").rows[0][1] for r in teams) == 3
