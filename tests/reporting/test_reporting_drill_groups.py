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
    # Budgets running in May from social_care (no policy titles it: shown in words), agreed or active: self, caseload, low = 3
    # (other_person's is a draft).
    assert report.table("streams").rows == [["Social care", 3, 1560000]]
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


@pytest.mark.parametrize("listed", [1000, 0], ids=["by-ids", "by-anti-join"])
def test_people_recorded_after_the_period_are_not_counted_unfiltered(world, monkeypatch, listed):
    """A record dated in the period for someone whose own record was made after its end (entered
    late): like the drill-down and the team figures, the whole-authority count leaves it out."""
    import datetime as dt

    from reporting_support import aware, budget

    from helpers import make_person
    from selfdirect.ledger.constants import Route
    from selfdirect.people.models import Person

    monkeypatch.setattr("selfdirect.reporting.queries.LATER_LISTED", listed)
    build_north(world)
    side = world.north
    late = make_person(side.authority, side.home_team, "Late", "Comer")
    budget(late, Route.DIRECT_PAYMENT)
    Person.objects.filter(pk=late.pk).update(created_at=aware(dt.date(2026, 6, 2)))
    whole = build_report(side.authority, MAY, sections=("streams",))
    assert whole.scope.recorded_later == ([late.pk] if listed else None)
    # self, caseload and low (as without the late record), the drill-down's people
    assert whole.table("streams").rows == [["Social care", 3, 1560000]]
    assert late not in set(cohort(whole.scope, "stream_social_care"))
    teams = [build_report(side.authority, MAY, team_id=t.pk, sections=("streams",)) for t in
             (side.home_team, side.other_team)]  # fmt: skip
    assert sum(r.table("streams").rows[0][1] for r in teams) == 3


def test_nobody_recorded_after_the_period_keeps_the_figures(world, monkeypatch):
    """With everyone recorded by the period's end, the whole-authority report asks once whether
    anyone was recorded later and adds no condition; forcing the condition in changes no figure."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from selfdirect.reporting.queries import Scope

    build_north(world)
    side = world.north
    with CaptureQueriesContext(connection) as asked:
        report = build_report(side.authority, MAY)
    assert report.scope.recorded_later == []
    assert report.table("streams").rows == [["Social care", 3, 1560000]]
    assert len(report.tables) > 10
    # Leaving out by ids (none of them anyone's) or by anti-join changes no figure; the check is
    # one query for the whole report, however many tables ask it.
    for later in ([-1], None):
        monkeypatch.setattr(Scope, "recorded_later", property(lambda self, later=later: later))
        with CaptureQueriesContext(connection) as forced_asked:
            forced = build_report(side.authority, MAY)
        assert [(t.key, t.rows) for t in forced.tables] == [(t.key, t.rows) for t in report.tables]
        assert len(asked.captured_queries) == len(forced_asked.captured_queries) + 1


@pytest.mark.parametrize("listed", [1000, 0], ids=["by-ids", "by-anti-join"])
def test_recorded_on_the_last_evening_counts_and_after_midnight_does_not(world, monkeypatch, listed):
    """The period ends at midnight in Europe/London, in summer time (BST, UTC+1) in May: someone
    recorded at 23:30 on 31 May is counted; someone recorded at 00:10 on 1 June (23:10 on 31 May in
    UTC) is not. The same cut-off with no filter, with a team filter and in the drill-down."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from reporting_support import budget

    from helpers import make_person
    from selfdirect.ledger.constants import Route
    from selfdirect.people.models import Person
    from selfdirect.reporting.queries import people, take_up

    assert settings.TIME_ZONE == "Europe/London"
    monkeypatch.setattr("selfdirect.reporting.queries.LATER_LISTED", listed)
    london = ZoneInfo("Europe/London")
    data = build_north(world)
    side = world.north
    evening = make_person(side.authority, side.home_team, "Eve", "Ning")
    midnight = make_person(side.authority, side.home_team, "Mid", "Night")
    for who, at in ((evening, dt.datetime(2026, 5, 31, 23, 30, tzinfo=london)),
                    (midnight, dt.datetime(2026, 6, 1, 0, 10, tzinfo=london))):  # fmt: skip
        budget(who, Route.DIRECT_PAYMENT)
        Person.objects.filter(pk=who.pk).update(created_at=at)
    assert Person.objects.get(pk=midnight.pk).created_at.astimezone(dt.UTC).date() == dt.date(2026, 5, 31)
    whole = build_report(side.authority, MAY, sections=("streams",))
    assert whole.scope.recorded_later == ([midnight.pk] if listed else None)
    # self, caseload, low and the evening's newcomer; not the one after midnight
    assert whole.table("streams").rows == [["Social care", 4, 2080000]]
    counted = {side.self_person, side.caseload_person, data.low, evening}
    assert set(cohort(whole.scope, "stream_social_care")) == counted
    assert evening in set(people(whole.scope)) and midnight not in set(people(whole.scope))
    home = build_report(side.authority, MAY, team_id=side.home_team.pk, sections=("streams",))
    other = build_report(side.authority, MAY, team_id=side.other_team.pk, sections=("streams",))
    # home: self, caseload, evening (3); other: low (1); together the whole authority's 4
    assert [home.table("streams").rows[0][1], other.table("streams").rows[0][1]] == [3, 1]
    assert set(cohort(home.scope, "stream_social_care")) == {side.self_person, side.caseload_person, evening}
    # Take-up (people, through people()): self, caseload, other, ld and the evening's newcomer
    assert take_up(whole.scope, MAY.end)["eligible"] == 5
    assert take_up(home.scope, MAY.end)["eligible"] == 3
    eligible = set(cohort(whole.scope, "eligible"))
    assert evening in eligible and midnight not in eligible
    # A day earlier, neither was recorded yet
    assert take_up(whole.scope, dt.date(2026, 5, 30))["eligible"] == 4


def test_equity_leaves_out_people_recorded_after_the_period(world):
    """An allocation in the period for someone recorded after its end (entered late) changes no
    equity figure, with or without a filter: the same cut-off as the drill-down's."""
    import datetime as dt

    from reporting_support import allocate, aware

    from helpers import make_person
    from selfdirect.allocation.models import PolicyVersion
    from selfdirect.people.models import Person

    build_south_equity(world)
    s = world.south
    keys = ("equity_client_group", "equity_age_band", "equity_sex")
    before = build_report(s.authority, MAY, sections=keys)
    team_before = build_report(s.authority, MAY, team_id=s.other_team.pk, sections=keys)
    late = make_person(s.authority, s.other_team, "Late", "Comer")
    allocate(late, PolicyVersion.objects.get(authority=s.authority), 300000, on=dt.date(2026, 5, 1))
    Person.objects.filter(pk=late.pk).update(created_at=aware(dt.date(2026, 6, 2)))
    after = build_report(s.authority, MAY, sections=keys)
    team_after = build_report(s.authority, MAY, team_id=s.other_team.pk, sections=keys)
    assert after.scope.recorded_later == [late.pk]
    for key in keys:
        assert after.table(key).rows == before.table(key).rows, key
        assert team_after.table(key).rows == team_before.table(key).rows, key
    assert late not in set(cohort(after.scope, "equity_client_group_older"))
    # Recorded on the period's last day, the same allocation counts: one more older person.
    Person.objects.filter(pk=late.pk).update(created_at=aware(dt.date(2026, 5, 31)))
    counted = build_report(s.authority, MAY, sections=keys)
    assert [r[:2] for r in before.table("equity_client_group").rows] == [
        ["Older people", 3],
        ["Severe learning disabilities", 2],
    ]
    assert [r[:2] for r in counted.table("equity_client_group").rows] == [
        ["Older people", 4],
        ["Severe learning disabilities", 2],
    ]
    assert late in set(cohort(counted.scope, "equity_client_group_older"))
