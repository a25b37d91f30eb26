"""The reports pages, exports, API and CLI: who reaches what (role x own caseload / other
caseload / other authority), empty states, and exports that open."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from reporting_support import build_north

from helpers import client_for, token_for
from selfdirect.core.constants import Role
from selfdirect.reporting.exports import SUPPRESSED, open_data_csv, suppress_row
from selfdirect.reporting.indicators import Column, Table, build_report, parse_period

MAY = "period=2026-05"
AGGREGATE_ROLES = {Role.COMMISSIONER, Role.ADMIN, Role.FINANCE, Role.ASSESSOR, Role.PLANNER}
DRILL_ROLES = {Role.ADMIN, Role.FINANCE, Role.ASSESSOR, Role.PLANNER}


@pytest.fixture
def north(world):
    build_north(world)
    return world


@pytest.mark.parametrize("role", list(Role))
def test_dashboard_and_exports_by_role(north, role):
    client = client_for(north.north.users[role])
    expected = 200 if role in AGGREGATE_ROLES else 403
    for url in (f"/reports/?{MAY}", f"/reports/export/take_up.csv?{MAY}", f"/reports/export/all.xlsx?{MAY}",
                f"/reports/open-data.csv?{MAY}"):  # fmt: skip
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("role", list(Role))
def test_drill_down_by_role(north, role):
    side = north.north
    response = client_for(side.users[role]).get(f"/reports/people/personal_budget/?{MAY}")
    assert response.status_code == (200 if role in DRILL_ROLES else 403)
    if response.status_code != 200:
        return
    html = response.content.decode()
    # Own caseload (home team) always; other caseload (ld, on the other team) only for
    # authority-wide roles; never another authority's people.
    assert side.self_person.family_name in html and side.caseload_person.family_name in html
    assert ("Day, Leon" in html) == (role in {Role.ADMIN, Role.FINANCE})
    assert "southvale" not in html


def test_commissioner_sees_totals_but_no_links_to_people(north):
    html = client_for(north.north.users[Role.COMMISSIONER]).get(f"/reports/?{MAY}").content.decode()
    assert "75.0%" in html and "meets the 30% target" in html
    assert "/reports/people/" not in html
    assert 'class="app-bars"' in html and "How this is worked out" in html
    admin_html = client_for(north.north.users[Role.ADMIN]).get(f"/reports/?{MAY}").content.decode()
    assert "/reports/people/personal_budget/" in admin_html


def test_caseload_worker_dashboard_is_filtered(north):
    html = client_for(north.north.users[Role.ASSESSOR]).get(f"/reports/?{MAY}").content.decode()
    # home team: 2 eligible, both on budgets
    assert "count only the people on your team" in html
    assert "100.0%" in html and "75.0%" not in html


def test_other_authority_never_reachable(north):
    # Southvale's commissioner sees Southvale (2 running budgets, 3 eligible people), never Northshire.
    side = north.south
    html = client_for(side.users[Role.COMMISSIONER]).get(f"/reports/?{MAY}").content.decode()
    assert "Southvale" in html and "Northshire" not in html
    report = build_report(side.authority, parse_period("2026-05"), sections=("take_up",))
    assert [r[1] for r in report.table("take_up").rows] == [3, 2, 2]
    # Northshire's team id as a filter in Southvale is refused, not used
    response = client_for(side.users[Role.ADMIN]).get(f"/reports/?{MAY}&team={north.north.home_team.pk}")
    assert response.status_code == 400 and "Choose a team from the list" in response.content.decode()
    token = token_for(side.users[Role.ADMIN], side.authority)
    api = client_for(side.users[Role.ADMIN]).get(
        f"/api/v1/reports/take_up?{MAY}&team={north.north.home_team.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert api.status_code == 422


def test_empty_states_never_error(north):
    client = client_for(north.north.users[Role.ADMIN])
    for query in ("period=2025-05", f"{MAY}&client_group=refugees"):
        response = client.get(f"/reports/?{query}")
        assert response.status_code == 200
        assert 'data-testid="empty-state"' in response.content.decode()
        assert client.get(f"/reports/people/eligible/?{query}").status_code == 200
        assert client.get(f"/reports/export/all.xlsx?{query}").status_code == 200
    from selfdirect.core.models import Authority, Membership

    empty = Authority.objects.create(slug="emptyshire", name="Emptyshire")
    user = north.north.users[Role.COMMISSIONER]
    Membership.objects.create(user=user, authority=empty, role=Role.COMMISSIONER)
    client = client_for(user)
    client.post("/authority/", {"authority": empty.pk})
    response = client.get("/reports/")
    assert response.status_code == 200 and "Emptyshire" in response.content.decode()


def test_bad_filters_are_named(north):
    client = client_for(north.north.users[Role.ADMIN])
    response = client.get("/reports/?period=2026-13&client_group=nonsense")
    html = response.content.decode()
    assert response.status_code == 400
    assert "enter a month like May 2026" in html and "Choose a client group from the list" in html
    assert client.get("/reports/export/take_up.csv?period=nope").status_code == 400
    assert client.get("/reports/export/nonsense.csv").status_code == 404
    assert client.get("/reports/people/nonsense/").status_code == 404


def test_csv_and_xlsx_open(north):
    client = client_for(north.north.users[Role.FINANCE])
    response = client.get(f"/reports/export/money_stream.csv?{MAY}")
    parsed = list(csv.reader(io.StringIO(response.content.decode())))
    assert parsed == [
        ["Funding stream", "Agreed a year (£)", "Paid (£)", "Spent (£)", "Spent of paid (%)"],
        ["Social care", "15600.00", "400.00", "350.00", "87.5"],
    ]
    response = client.get(f"/reports/export/all.xlsx?{MAY}")
    book = load_workbook(io.BytesIO(response.content))
    assert "take_up" in book.sheetnames and "close" in book.sheetnames
    sheet = book["take_up"]
    assert [c.value for c in sheet[4]] == ["Eligible people", 4, 100.0, None]


def test_open_data_suppresses_small_counts_of_people_only(north):
    # Counts from 1 to 4 are hidden; zeros stay (they disclose nobody). Shares, targets, money and
    # days are never hidden, even on a row with a small count.
    table = Table("t", "T", "d", [Column("Group", "text"), Column("People"), Column("Share", "percent"),
                                  Column("Target", "percent"), Column("Money", "pence"), Column("Wait", "days")])  # fmt: skip
    assert suppress_row(table, ["A", 3, Decimal("75.0"), Decimal(30), 500, Decimal("12.5")]) == [
        "A", SUPPRESSED, Decimal("75.0"), Decimal(30), Decimal("5.00"), Decimal("12.5")
    ]  # fmt: skip
    assert suppress_row(table, ["B", 5, 10, None, 500, None]) == ["B", 5, 10, "", Decimal("5.00"), ""]
    assert suppress_row(table, ["C", 0, None, None, 0, None]) == ["C", 0, "", "", Decimal("0.00"), ""]
    text = (
        client_for(north.north.users[Role.COMMISSIONER]).get(f"/reports/open-data.csv?{MAY}").content.decode()
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    take_up = {(r["row"], r["measure"]): r["value"] for r in rows if r["table"] == "take_up"}
    # May's Northshire take-up (reporting_support): 4 eligible, 3 on a personal budget (75.0%
    # against the 30% target), 1 on a direct payment (25.0%).
    assert take_up[("Eligible people", "People")] == SUPPRESSED
    assert take_up[("On a personal budget", "People")] == SUPPRESSED
    assert take_up[("On a personal budget", "Share of eligible (%)")] == "75.0"
    assert take_up[("On a personal budget", "Target (%)")] == "30"
    assert take_up[("On a direct payment", "Share of eligible (%)")] == "25.0"
    # Money is never hidden: the stream's £15,600 agreed a year stands beside its 3 (hidden) people.
    streams = {(r["row"], r["measure"]): r["value"] for r in rows if r["table"] == "streams"}
    assert streams[("Social care", "People")] == SUPPRESSED
    assert streams[("Social care", "Agreed a year (£)")] == "15600.00"
    assert "Okafor" not in text and "Smith" not in text
    report = build_report(north.north.authority, parse_period("2026-05"), sections=("streams",))
    assert "<5" in open_data_csv(report)


@pytest.mark.parametrize("role", list(Role))
def test_api_by_role(north, role):
    side = north.north
    user = side.users[role]
    token = token_for(user, side.authority)
    response = client_for(user).get(f"/api/v1/reports?{MAY}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == (200 if role in AGGREGATE_ROLES else 403)
    if response.status_code == 200:
        body = response.json()
        take_up = next(t for t in body["tables"] if t["key"] == "take_up")
        eligible = take_up["rows"][0][1]
        assert eligible == (2 if role in {Role.ASSESSOR, Role.PLANNER} else 4)
        assert body["caseload_only"] == (role in {Role.ASSESSOR, Role.PLANNER})


def test_api_one_table_and_errors(north):
    user = north.north.users[Role.COMMISSIONER]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user, north.north.authority)}"}
    client = client_for(user)
    body = client.get(f"/api/v1/reports/reviews?{MAY}", **auth).json()
    assert body["tables"][0]["rows"] == [["Due", 2], ["Done", 2], ["Overdue", 1]]
    bad = client.get("/api/v1/reports/reviews?period=2026-99", **auth)
    assert bad.status_code == 422 and "period" in json.dumps(bad.json())
    assert client.get("/api/v1/reports/nonsense", **auth).status_code == 404


def test_cli_indicators(north, capsys):
    call_command("indicators", "--authority", "northshire", "--period", "2026-05", "--format", "csv",
                 "--table", "take_up")  # fmt: skip
    out = capsys.readouterr().out
    assert "On a personal budget,3,75.0,30" in out
    call_command("indicators", "--authority", "northshire", "--period", "2026-05", "--table", "reviews")
    assert "Overdue" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--authority"):
        call_command("indicators", "--authority", "nowhere", "--period", "2026-05")
    with pytest.raises(CommandError, match="--period"):
        call_command("indicators", "--authority", "northshire", "--period", "May")


def test_nav_shows_reports_to_commissioner_admin_finance(north):
    for role in Role:
        html = client_for(north.north.users[role]).get("/").content.decode()
        assert ('href="/reports/"' in html) == (role in {Role.COMMISSIONER, Role.ADMIN, Role.FINANCE}), role


def test_more_numbers_link_to_their_people(north):
    side = north.north
    admin = client_for(side.users[Role.ADMIN])
    html = admin.get(f"/reports/?{MAY}").content.decode()
    for name in (
        "route_direct_payment",
        "route_council_managed",
        "reviews_due",
        "reviews_done",
        "refusals_recorded",
    ):
        assert f"/reports/people/{name}/?{MAY}" in html, name
    listed = admin.get(f"/reports/people/route_direct_payment/?{MAY}").content.decode()
    assert "People with a budget running in the period, held as: Direct payment" in listed
    assert side.self_person.family_name in listed and "Band, Lo" in listed
    assert side.caseload_person.family_name not in listed
    assert admin.get(f"/reports/people/route_nonsense/?{MAY}").status_code == 404
    ni = admin.get(f"/reports/indicator/independent_living/?{MAY}").content.decode()
    assert f"/reports/people/moved_on/?{MAY}" in ni and f"/reports/people/ni142/?{MAY}" in ni
    journey = admin.get(f"/reports/indicator/journey/?{MAY}").content.decode()
    assert f"/reports/people/journey_payment/?{MAY}" in journey
    paid = admin.get(f"/reports/people/journey_payment/?{MAY}").content.decode()
    assert "People paid by the period" in paid and side.self_person.family_name in paid
    assert "Day, Leon" not in paid
    panel = admin.get(f"/reports/people/panel_approved/?{MAY}").content.decode()
    assert "referred to the panel in the period: approved" in panel and "Day, Leon" in panel
    assert client_for(side.users[Role.COMMISSIONER]).get(f"/reports/people/ni142/?{MAY}").status_code == 403
    # Southvale's admin never sees Northshire's people behind the same number
    south = client_for(north.south.users[Role.ADMIN]).get(f"/reports/people/moved_on/?{MAY}").content.decode()
    assert "Band, Lo" not in south and "Day, Leon" not in south
