"""Monthly PDF packs (command, background task, pages, access), each indicator on its own page,
recording move-ons from short-term support (NI 141), and the charts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from reporting_support import build_north

from helpers import client_for
from selfdirect.core import charts as core_charts
from selfdirect.core.constants import Role
from selfdirect.core.models import AuditEvent
from selfdirect.core.runs import RunStatus
from selfdirect.reporting import charts
from selfdirect.reporting.indicators import TABLE_KEYS, Column, Table
from selfdirect.reporting.models import MoveOn, ReportPack
from selfdirect.reporting.services import pack_context

TASKS_NOW = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PACK_ROLES = {Role.COMMISSIONER, Role.ADMIN, Role.FINANCE}
MOVE_ON_ROLES = {Role.ADMIN, Role.ASSESSOR, Role.PLANNER}


@pytest.fixture
def north(world):
    build_north(world)
    return world


def test_command_makes_a_pack_with_every_indicator(north, capsys):
    call_command("report_pack", "--authority", "northshire", "--month", "2026-05")
    pack = ReportPack.objects.get()
    assert pack.authority == north.north.authority and pack.period == "2026-05"
    assert pack.status == RunStatus.DONE and pack.requested_by is None
    assert bytes(pack.pdf).startswith(b"%PDF") and pack.size_bytes == len(bytes(pack.pdf))
    assert "northshire 2026-05: pack" in capsys.readouterr().out
    assert AuditEvent.objects.filter(
        object_type="reporting.reportpack", reason__contains="(scheduled)"
    ).exists()
    # The pack holds the whole authority's figures: every table, with its chart where it has one.
    context = pack_context(north.north.authority, "2026-05")
    assert [s["table"].key for s in context["sections"]] == list(TABLE_KEYS)
    take_up = context["sections"][0]
    assert take_up["rows"][1] == ["On a personal budget", "3", "75.0%", "30%"]
    assert take_up["chart"].rows[1].label == "On a personal budget" and take_up["chart"].rows[1].bars[0].figure == "75.0%"


def test_command_bad_input(north):
    with pytest.raises(CommandError, match="--authority"):
        call_command("report_pack", "--authority", "nowhere", "--month", "2026-05")
    with pytest.raises(CommandError, match="--authority"):
        call_command("report_pack", "--month", "2026-05")
    with pytest.raises(CommandError, match="--month: Enter a month like October 2026"):
        call_command("report_pack", "--authority", "northshire", "--month", "2026")
    with pytest.raises(CommandError, match="--month: The month has not started"):
        call_command("report_pack", "--authority", "northshire", "--month", "2099-01")
    assert not ReportPack.objects.exists()


def test_command_queues_for_the_worker(north, settings, django_capture_on_commit_callbacks):
    settings.TASKS = TASKS_NOW
    with django_capture_on_commit_callbacks(execute=True):
        call_command("report_pack", "--all", "--month", "2026-05", "--queue")
    # Northshire and Southvale, each made by the (immediate) task backend
    assert sorted(ReportPack.objects.values_list("authority__slug", "status")) == [
        ("northshire", "done"), ("southvale", "done"),
    ]  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
def test_packs_page_by_role(north, role):
    pack = ReportPack.objects.create(authority=north.north.authority, period="2026-05", status=RunStatus.DONE,
                                     pdf=b"%PDF-1.7 test", size_bytes=13)  # fmt: skip
    client = client_for(north.north.users[role])
    expected = 200 if role in PACK_ROLES else 403
    assert client.get("/reports/packs/").status_code == expected
    assert client.get(f"/reports/packs/{pack.pk}/").status_code == expected
    response = client.get(f"/reports/packs/{pack.pk}.pdf")
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf" and response.content == b"%PDF-1.7 test"


def test_commissioner_makes_a_pack_from_the_page(north, settings, django_capture_on_commit_callbacks):
    settings.TASKS = TASKS_NOW
    client = client_for(north.north.users[Role.COMMISSIONER])
    page = client.get("/reports/packs/").content.decode()
    assert 'data-testid="empty-state"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/packs/", {"period": "2026-05"})
    pack = ReportPack.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/packs/{pack.pk}/"
    assert pack.requested_by == north.north.users[Role.COMMISSIONER]
    page = client.get(f"/reports/packs/{pack.pk}/").content.decode()
    assert "Ready" in page and f"/reports/packs/{pack.pk}.pdf" in page
    assert client.get(f"/reports/packs/{pack.pk}.pdf").content.startswith(b"%PDF")
    assert "May 2026" in client.get("/reports/packs/").content.decode()
    # Bad months are named and nothing is written
    for bad, message in (("May", "Enter a month like October 2026"), ("2099-01", "has not started")):
        response = client.post("/reports/packs/", {"period": bad})
        assert response.status_code == 400 and message in response.content.decode()
    assert ReportPack.objects.count() == 1


def test_pack_waiting_or_failed_says_so(north):
    client = client_for(north.north.users[Role.FINANCE])
    waiting = ReportPack.objects.create(authority=north.north.authority, period="2026-05")
    assert "Waiting to start" in client.get(f"/reports/packs/{waiting.pk}/").content.decode()
    assert client.get(f"/reports/packs/{waiting.pk}.pdf").status_code == 409
    failed = ReportPack.objects.create(authority=north.north.authority, period="2026-04",
                                       status=RunStatus.FAILED, error="WeasyPrint went wrong")  # fmt: skip
    assert "WeasyPrint went wrong" in client.get(f"/reports/packs/{failed.pk}/").content.decode()


def test_other_authoritys_packs_are_not_found(north):
    theirs = ReportPack.objects.create(authority=north.south.authority, period="2026-05", status=RunStatus.DONE,
                                       pdf=b"%PDF south", size_bytes=10)  # fmt: skip
    client = client_for(north.north.users[Role.COMMISSIONER])
    assert client.get(f"/reports/packs/{theirs.pk}/").status_code == 404
    assert client.get(f"/reports/packs/{theirs.pk}.pdf").status_code == 404
    assert "/reports/packs/" not in client.get("/reports/packs/").content.decode().split("<h2")[-1]


def test_each_indicator_has_its_own_page(north):
    client = client_for(north.north.users[Role.ADMIN])
    html = client.get("/reports/indicator/take_up/?period=2026-05").content.decode()
    assert "75.0%" in html and "How this is worked out" in html and 'class="app-bars"' in html
    assert "/reports/people/personal_budget/?period=2026-05" in html  # drill-down for those allowed
    assert "Monthly report packs" not in html
    assert client.get("/reports/indicator/nonsense/").status_code == 404
    assert client.get("/reports/indicator/take_up/?period=2026-99").status_code == 400
    # The dashboard links to each page
    dashboard = client.get("/reports/?period=2026-05").content.decode()
    assert all(f"/reports/indicator/{k}/?period=2026-05" in dashboard for k in TABLE_KEYS)
    for role in Role:
        status = client_for(north.north.users[role]).get("/reports/indicator/reviews/").status_code
        assert status == (200 if role in PACK_ROLES | MOVE_ON_ROLES else 403), role


@pytest.mark.parametrize("role", list(Role))
def test_recording_a_move_on_by_role(north, role):
    side = north.north
    client = client_for(side.users[role])
    before = MoveOn.objects.count()
    post = {"reference": side.self_person.reference, "service": "supported_accommodation",
            "left_on": "2026-05-30", "planned": "yes", "destination": "Own tenancy"}  # fmt: skip
    response = client.post("/reports/move-ons/", post)
    if role not in MOVE_ON_ROLES:
        assert response.status_code == 403 and MoveOn.objects.count() == before
        return
    assert response.status_code == 302
    move = MoveOn.objects.latest("pk")
    assert (move.person, move.left_on, move.planned, move.destination) == (
        side.self_person, dt.date(2026, 5, 30), True, "Own tenancy",
    )  # fmt: skip
    event = AuditEvent.objects.get(object_type="reporting.moveon", object_id=str(move.pk))
    assert event.person_id == side.self_person.pk and "planned" in event.reason
    assert "Own tenancy" in client.get("/reports/move-ons/").content.decode()


def test_move_on_bad_input_and_other_caseloads(north):
    side = north.north
    client = client_for(side.users[Role.ASSESSOR])
    before = MoveOn.objects.count()
    response = client.post(
        "/reports/move-ons/", {"reference": "", "service": "hotel", "left_on": "31/13/2026"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    for message in ("Enter the person&#x27;s reference", "Choose the support they left",
                    "Enter the date they left", "Say whether they moved on in a planned way"):  # fmt: skip
        assert message in html, message
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    response = client.post("/reports/move-ons/", {"reference": side.self_person.reference,
                           "service": "floating_support", "left_on": future, "planned": "no"})  # fmt: skip
    assert response.status_code == 400 and "today or in the past" in response.content.decode()
    # Someone on another team's caseload, and someone in another authority: not found for this user
    for person in (side.other_person, north.south.self_person):
        response = client.post("/reports/move-ons/", {"reference": person.reference, "service": "floating_support",
                               "left_on": "2026-05-01", "planned": "no"})  # fmt: skip
        assert response.status_code == 400 and "No one you work with" in response.content.decode()
    assert MoveOn.objects.count() == before
    # The list shows only move-ons of people this user may see (home team): moderate's, not ld's or low's
    page = client.get("/reports/move-ons/").content.decode()
    assert "Derate, Mo" in page and "Day, Leon" not in page and "Band, Lo" not in page


def test_chart_draws_negative_gaps_and_skips_empty_tables():
    table = Table("t", "Gap", "d", [Column("Group", "text"), Column("Gap", "pence")], chart=(0, 1))
    assert charts.table_chart(table) is None
    table.rows = [["Older people with a long name that no longer gets cut short", -166667], ["Learning disabilities", 250000]]
    chart = charts.table_chart(table)
    assert chart is not None
    assert [row.label for row in chart.rows] == [table.rows[0][0], "Learning disabilities"]  # whole labels
    low, high = (row.bars[0] for row in chart.rows)
    assert (low.figure, high.figure) == ("\u2212£1,667", "£2,500")  # a true minus before the pound sign
    assert low.colour == core_charts.RED and high.colour == core_charts.BLUE  # the negative bar is red
    # From −£1,667 to £2,500: nought is 40% along the track; the bars meet there.
    assert chart.zero == 40.0 and (low.start, low.length) == (0.0, 40.0) and (high.start, high.length) == (40.0, 60.0)
    assert chart.caption == "Bar chart of gap by group, on a scale from \u2212£1,667 to £2,500. The table gives the figures."
    html = render_to_string("core/includes/bar_chart.html", {"chart": chart})
    assert 'aria-hidden="true"' in html and 'x="40.0%" width="60.0%"' in html and "Older people with a long name" in html
    # A share is drawn on a scale from 0% to 100%, whatever the largest share: 3.1% is a sliver.
    percent = Table("p", "Share", "d", [Column("M", "text"), Column("Share", "percent")],
                    [["A", Decimal("3.1")], ["B", Decimal("66.7")]], chart=(0, 1))  # fmt: skip
    chart = charts.table_chart(percent)
    assert chart is not None and [row.bars[0].length for row in chart.rows] == [3.1, 66.7]
    assert chart.scale == "0% to 100%"
    # Large figures are written out, never in scientific notation.
    assert core_charts.figure(123456789012.0, "pence") == "£123,456,789,012"


def test_pack_stores_the_trend_as_reported(north):
    from reporting_support import aware

    from helpers import make_person
    from selfdirect.reporting.indicators import build_report, parse_period
    from selfdirect.reporting.models import TakeUpSnapshot

    side = north.north
    call_command("report_pack", "--authority", "northshire", "--month", "2026-05")
    # The 12 month-ends from June 2025 to May 2026 have all passed: each stored once.
    assert TakeUpSnapshot.objects.filter(authority=side.authority).count() == 12
    may = TakeUpSnapshot.objects.get(authority=side.authority, month_end=dt.date(2026, 5, 31))
    assert (may.eligible, may.personal_budget, may.direct_payment) == (4, 3, 1)
    call_command("report_pack", "--authority", "northshire", "--month", "2026-05")
    assert TakeUpSnapshot.objects.filter(authority=side.authority).count() == 12
    # Someone recorded later, dated back to March: reported months keep their figures; a
    # filtered view works them out afresh (home team: self, caseload and the newcomer = 3).
    late = make_person(side.authority, side.home_team, "Late", "Entry")
    type(late).objects.filter(pk=late.pk).update(created_at=aware(dt.date(2026, 3, 1)))
    report = build_report(side.authority, parse_period("2026-05"), sections=("trend",))
    assert report.table("trend").rows[-1] == ["May 2026", 4, 3, Decimal("75.0"), 1]
    assert "as recorded then" in report.table("trend").definition
    team = build_report(
        side.authority, parse_period("2026-05"), team_id=side.home_team.pk, sections=("trend",)
    )
    assert team.table("trend").rows[-1] == ["May 2026", 3, 2, Decimal("66.7"), 1]
    assert "as recorded then" not in team.table("trend").definition


def test_dashboard_is_a_summary_linking_every_other_indicator(north):
    from selfdirect.reporting.indicators import DASHBOARD_KEYS, TITLES, build_report, parse_period

    # The titles the dashboard links with are the tables' own
    report = build_report(north.north.authority, parse_period("2026-05"))
    assert {t.key: t.title for t in report.tables} == TITLES
    html = client_for(north.north.users[Role.ADMIN]).get("/reports/?period=2026-05").content.decode()
    for key in TABLE_KEYS:
        shown = f'<section id="{key}"' in html
        assert shown == (key in DASHBOARD_KEYS), key
        assert f"/reports/indicator/{key}/?period=2026-05" in html
    # the headline figures are still there: take-up 3 of 4 (75.0%), streams' 1 person and £15,600.00
    assert "75.0%" in html and "£15,600.00" in html
    # the others are worked out on their own page: money by stream, as in the CSV export
    money = client_for(north.north.users[Role.ADMIN]).get("/reports/indicator/money_stream/?period=2026-05")
    assert "£400.00" in money.content.decode() and "87.5%" in money.content.decode()


def test_open_data_is_served_from_the_months_pack(north):
    from selfdirect.reporting.exports import open_data_csv
    from selfdirect.reporting.indicators import build_report, parse_period

    side = north.north
    commissioner = client_for(side.users[Role.COMMISSIONER])
    live = commissioner.get("/reports/open-data.csv?period=2026-05")
    assert live.status_code == 200 and "Last-Modified" not in live  # no pack yet: worked out now
    call_command("report_pack", "--authority", "northshire", "--month", "2026-05")
    pack = ReportPack.objects.get(authority=side.authority, period="2026-05")
    expected = open_data_csv(build_report(side.authority, parse_period("2026-05")))
    assert pack.open_data == expected == live.content.decode()
    # The download is the stored extract (marked here to tell it from a fresh one), as made then
    ReportPack.objects.filter(pk=pack.pk).update(open_data="authority,period\r\nstored,2026-05\r\n")
    stored = commissioner.get("/reports/open-data.csv?period=2026-05")
    assert stored.content.decode() == "authority,period\r\nstored,2026-05\r\n" and "Last-Modified" in stored
    assert 'filename="northshire-2026-05-open-data.csv"' in stored["Content-Disposition"]
    assert (
        "/reports/open-data.csv?period=2026-05"
        in commissioner.get(f"/reports/packs/{pack.pk}/").content.decode()
    )
    # Filters, a caseload, another month or a year are worked out now, not taken from the pack
    for query in ("period=2026-05&client_group=older", "period=2026-04", "period=2026"):
        assert "stored" not in commissioner.get(f"/reports/open-data.csv?{query}").content.decode(), query
    caseload = client_for(side.users[Role.ASSESSOR]).get("/reports/open-data.csv?period=2026-05")
    assert caseload.status_code == 200 and "stored" not in caseload.content.decode()
    # Another authority's pack is never served: Southvale's commissioner gets Southvale's figures
    south = client_for(north.south.users[Role.COMMISSIONER]).get("/reports/open-data.csv?period=2026-05")
    assert "stored" not in south.content.decode() and "southvale" in south.content.decode()
    assert "northshire" not in south.content.decode()
    # A pack still being made (or failed) is not used
    ReportPack.objects.filter(pk=pack.pk).update(status=RunStatus.RUNNING)
    assert "stored" not in commissioner.get("/reports/open-data.csv?period=2026-05").content.decode()
