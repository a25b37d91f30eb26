"""The people import reports every problem of every row in one go, on the web and on the command
line, and writes nothing: a bad cell never hides another, nor a duplicate reference."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from helpers import client_for
from selfdirect.core.constants import Role
from selfdirect.core.models import AuditEvent
from selfdirect.people.models import Person

HEADER = (
    "reference,given_name,family_name,date_of_birth,address_line_1,town,postcode,client_group,"
    "primary_support_reason,nhs_number,email,team\n"
)


def bad_file(existing: str) -> str:
    return HEADER + (
        # line 2: a bad date, and (checked by the model) a bad NHS number and a bad email
        "NEW1,Bad,Date,1948-13-01,1 Road,Kelby,NX1 1AA,older,physical,9434765918,not-an-email,\n"
        # line 3: an unknown team, and an unknown client group, and a reference already in use
        f"{existing},Ann,Team,1950-01-01,1 Road,Kelby,NX1 1AA,aliens,physical,,,Nowhere team\n"
        # line 4: a good row
        "NEW2,Grace,Hall,1948-03-27,4 Mill Lane,Kelby,NX4 4TF,older,physical,943 476 5919,,Home team\n"
        # line 5: a missing name, and a reference line 4 already uses
        "NEW2,,NoName,1950-01-01,1 Road,Kelby,NX1 1AA,older,aliens,,,\n"
        # line 6: more cells than the header, and a bad primary support reason
        "NEW3,Too,Many,1950-01-01,1 Road,Kelby,NX1 1AA,older,martian,,,,extra\n"
    )


def expected(existing: str) -> set[tuple[int, str, str]]:
    """(line, column, a word of the message) for every problem in ``bad_file``."""
    return {
        (2, "date_of_birth", "not a date"),
        (2, "nhs_number", "valid NHS number"),
        (2, "email", "valid email"),
        (3, "team", "no team called 'Nowhere team'"),
        (3, "client_group", "not a valid choice"),
        (3, "reference", f"{existing} already exists"),
        (5, "given_name", "is required"),
        (5, "primary_support_reason", "not a valid choice"),
        (5, "reference", "NEW2 repeats line 4"),
        (6, "", "more cells than the header"),
        (6, "primary_support_reason", "not a valid choice"),
    }


def matches(found: list[tuple[int, str, str]], wanted: set[tuple[int, str, str]]) -> None:
    unmatched = [w for w in wanted if not any(f[:2] == w[:2] and w[2] in f[2] for f in found)]
    assert unmatched == [], found
    assert len(found) == len(wanted), found  # nothing else, nothing twice


def test_the_web_import_lists_every_problem_of_every_row_and_writes_nothing(world):
    existing = world.north.caseload_person.reference
    before, events = Person.objects.count(), AuditEvent.objects.count()
    client = client_for(world.north.users[Role.ADMIN])
    upload = SimpleUploadedFile("people.csv", bad_file(existing).encode(), content_type="text/csv")
    response = client.post("/people/import/", {"file": upload, "reason": "Transfer"})
    assert response.status_code == 400
    html = response.content.decode()
    rows = re.findall(
        r'<tr class="govuk-table__row"><td class="govuk-table__cell">(\d+)</td>'
        r'<td class="govuk-table__cell">([^<]*)</td><td class="govuk-table__cell">([^<]*)</td></tr>',
        html,
    )
    found = [(int(line), field, message.replace("&#x27;", "'")) for line, field, message in rows]
    matches(found, expected(existing))
    assert f"The file has {len(found)} problem(s). Nothing was imported." in html
    assert Person.objects.count() == before and AuditEvent.objects.count() == events
    assert not Person.objects.filter(family_name="Hall").exists()


def test_the_cli_import_prints_every_problem_of_every_row_and_writes_nothing(world, tmp_path):
    existing = world.north.caseload_person.reference
    path = tmp_path / "people.csv"
    path.write_text(bad_file(existing))
    before = Person.objects.count()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_people", str(path), authority="northshire", username="northshire-admin", stderr=err
        )
    found = []
    for text in err.getvalue().splitlines():
        line, rest = re.fullmatch(rf"{re.escape(str(path))}:line (\d+): (.*)", text).groups()
        field, _, message = rest.partition(": ") if ": " in rest else ("", "", rest)
        if field not in {"", *HEADER.strip().split(",")}:  # a message with ": " but no column
            field, message = "", rest
        found.append((int(line), field, message))
    matches(found, expected(existing))
    assert Person.objects.count() == before


def test_a_missing_column_is_reported_once_with_the_rows_other_problems(world):
    header = HEADER.replace("town,", "")
    text = header + "NEW1,Bad,Date,1948-13-01,1 Road,NX1 1AA,older,physical,,,\n"
    client = client_for(world.north.users[Role.ADMIN])
    response = client.post(
        "/people/import/", {"file": SimpleUploadedFile("p.csv", text.encode()), "reason": "Transfer"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "missing column(s): town" in html and "not a date in the form YYYY-MM-DD" in html
    assert html.count("is required") == 0  # not repeated as a problem on every row
