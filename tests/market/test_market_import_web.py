"""The providers-and-rates import on the web and the API: check first (every problem listed by line,
nothing saved), confirm a clean file's summary, then import all or nothing; roles and authorities."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from helpers import client_for, token_for
from selfdirect.core.constants import Role
from selfdirect.core.middleware import SESSION_KEY
from selfdirect.core.models import AuditEvent, Membership
from selfdirect.market import services
from selfdirect.market.models import Area, Provider, RateTable, Service

HEADER = "provider,kind,cqc_number,companies_house_number,support_types,areas,phone,email,website,service,support_type,unit,rates_from,rates_to,standard_rate,evening_rate,night_rate,weekend_rate,bank_holiday_rate\n"
GOOD = HEADER + (
    "Riverside Care,agency,1-234567890,01234567,personal_care;night,Northam;Kelby,01632 960500,care@riverside.example.org,https://riverside.example.org,Home care,personal_care,hour,2026-04-01,,15.00,16.50,18.00,17.00,22.50\n"
    "Riverside Care,agency,,,,,,,,Night sitting,night,night,2026-04-01,,95,,,,120\n"
    "Hillside Support,housing,,,housing_support,Aldwick,,,,Floating support,housing_support,hour,2026-04-01,2027-03-31,16.00,,,,\n"
    "Hillside Support,housing,,,,,,,,Floating support,housing_support,hour,2027-04-01,,16.50,,,,\n"
)

URL = "/market/providers/import/"
API = "/api/v1/market/providers/import"

# Line 2 has no unit; line 3 a bad email, a date the wrong way round and a negative rate; line 4
# overlaps line 2's rates for the same service.
BAD = HEADER + (
    "Broken Ltd,agency,,,,,,,,Home care,personal_care,,2026-04-01,,15.00,,,,\n"
    "Broken Ltd,agency,,,,,,not-an-email,,Day,social,visit,01/04/2026,,-3,,,,\n"
    "Riverside Care,agency,,,,,,,,Home care,personal_care,hour,2026-04-01,,15.00,,,,\n"
    "Riverside Care,agency,,,,,,,,Home care,personal_care,hour,2026-06-01,,16.00,,,,\n"
)
BAD_PROBLEMS = [
    "line 2: unit: is required: a rate must say what it is per",
    "line 3: email: 'not-an-email' is not an email address",
    "line 3: rates_from: '01/04/2026' is not a date in the form YYYY-MM-DD",
    "line 3: standard_rate: must not be below zero",
    "line 5: rates_from: these rates overlap line 4",
]


def upload(text: str | bytes, name: str = "providers.csv", reason: str = "Spring rates") -> dict:
    data = text.encode() if isinstance(text, str) else text
    return {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "reason": reason}


def counts(authority) -> tuple[int, int, int, int, int]:
    return (
        Provider.objects.filter(authority=authority).count(),
        Service.objects.filter(authority=authority).count(),
        RateTable.objects.filter(service__authority=authority).count(),
        Area.objects.filter(authority=authority).count(),
        AuditEvent.objects.filter(authority=authority).count(),
    )


def test_a_good_file_is_checked_then_imported_on_confirmation(world):
    north = world.north.authority
    client = client_for(world.north.users["commissioner"])
    page = client.get("/market/providers/").content.decode()
    assert URL in page  # the providers page links to the import
    assert client.get(URL).status_code == 200
    before = counts(north)
    response = client.post(URL, upload(GOOD))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Check what will be imported" in html and "Nothing has been saved yet" in html
    assert "New providers (2)" in html and "Riverside Care, Hillside Support" in html
    assert "New services (3)" in html and "Riverside Care: Night sitting (per night)" in html
    assert "New areas (3)" in html and "Aldwick, Kelby, Northam" in html
    assert html.count('data-testid="import-rate"') == 4 and "£22.50" in html
    assert counts(north) == before  # the check saved nothing, not even audit events
    digest = response.context["digest"]
    response = client.post(URL, {"digest": digest})
    assert response.status_code == 302 and response["Location"] == "/market/providers/"
    riverside = Provider.objects.get(authority=north, name="Riverside Care")
    table = riverside.services.get(name="Home care").rate_tables.get()
    assert (table.standard_pence, table.evening_pence, table.night_pence) == (1500, 1650, 1800)
    assert RateTable.objects.filter(service__authority=north).count() == before[2] + 4
    assert AuditEvent.objects.filter(authority=north, reason="Spring rates").count() >= 9
    assert (
        "Imported 4 rate table(s) for 2 provider(s) from providers.csv"
        in client.get("/market/providers/").content.decode()
    )
    # The checked file is used once: confirming again finds nothing to import.
    response = client.post(URL, {"digest": digest})
    assert response.status_code == 400 and "upload it again" in response.content.decode()
    assert RateTable.objects.filter(service__authority=north).count() == before[2] + 4


def test_a_bad_file_lists_every_problem_and_saves_nothing(world):
    north = world.north.authority
    client = client_for(world.north.users["commissioner"])
    before = counts(north)
    response = client.post(URL, upload(BAD))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "govuk-error-summary" in html
    assert "The file has 5 problem(s). Nothing was imported." in html
    summary = html[
        html.index('data-testid="import-problems"') : html.index("</ul>", html.index("import-problems"))
    ]
    for problem in BAD_PROBLEMS:
        assert problem.replace("'", "&#x27;") in summary, problem
    assert counts(north) == before
    assert "market_import" not in client.session  # nothing waits to be confirmed


def test_a_rates_file_for_recorded_services_needs_no_provider_details(market, world):
    north = world.north.authority
    client = client_for(world.north.users["commissioner"])
    text = (
        "provider,service,unit,rates_from,standard_rate,night_rate\n"
        "Northam Home Care Ltd,Sleep-in,night,2026-04-01,80.00,\n"
        "Northam Home Care Ltd,Waking night,night,2026-04-01,120.00,\n"
    )
    response = client.post(URL, upload(text))
    assert response.status_code == 400
    assert (
        "line 2: support_type: is required for a new service (or give support_types)"
        in response.content.decode()
    )
    text = (
        "provider,service,unit,rates_from,rates_to,support_type,standard_rate\n"
        "Northam Home Care Ltd,Sleep-in,night,2026-04-01,2027-03-31,night,80.00\n"
        "Northam Home Care Ltd,Sleep-in,night,2027-04-01,,,82.50\n"  # the service is new: line 2 typed it
    )
    response = client.post(URL, upload(text))
    assert response.status_code == 200
    html = response.content.decode()
    assert "New providers (0)" in html and "Providers already recorded (1)" in html
    client.post(URL, {"digest": response.context["digest"]})
    sleep_in = Service.objects.get(authority=north, name="Sleep-in")
    assert sleep_in.support_type == "night"
    assert [t.standard_pence for t in sleep_in.rate_tables.order_by("starts_on")] == [8000, 8250]


@pytest.mark.parametrize(
    "role", [Role.ASSESSOR, Role.PLANNER, Role.FINANCE, Role.PROVIDER, Role.PERSON, Role.PANEL]
)
def test_other_roles_may_not_import(world, role):
    client = client_for(world.north.users[role])
    before = counts(world.north.authority)
    assert client.get(URL).status_code == 403
    assert client.post(URL, upload(GOOD)).status_code == 403
    assert client.post(URL, {"digest": "x"}).status_code == 403
    token = token_for(world.north.users[role], world.north.authority)
    response = Client().post(API, upload(GOOD), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert counts(world.north.authority) == before
    assert Client().get(URL).status_code == 302  # signed out: to the sign-in page


def test_another_authority_is_never_affected(market, world):
    north, south = world.north.authority, world.south.authority
    north_before = counts(north)
    # Southvale imports rates for a provider with a Northshire provider's name and overlapping dates:
    # in Southvale it is a new provider, and Northshire's records are untouched.
    text = (
        HEADER
        + "Northam Home Care Ltd,agency,,,personal_care,,,,,Home care,personal_care,hour,2026-09-01,,19.00,,,,\n"
    )
    client = client_for(world.south.users["commissioner"])
    response = client.post(URL, upload(text))
    assert response.status_code == 200 and "New providers (1)" in response.content.decode()
    assert client.post(URL, {"digest": response.context["digest"]}).status_code == 302
    assert (
        Provider.objects.get(authority=south, name="Northam Home Care Ltd")
        .services.get()
        .rate_tables.get()
        .standard_pence
        == 1900
    )
    assert counts(north) == north_before
    # A commissioner in both authorities checks a file in Northshire, then switches to Southvale:
    # the checked file belongs to Northshire and cannot be imported into Southvale.
    user = world.north.users["commissioner"]
    Membership.objects.create(user=user, authority=south, role=Role.COMMISSIONER)
    client = client_for(user)
    response = client.post(URL, upload(GOOD))
    assert response.status_code == 200
    session = client.session
    session[SESSION_KEY] = south.pk
    session.save()
    south_before = counts(south)
    response = client.post(URL, {"digest": response.context["digest"]})
    assert response.status_code == 400 and "upload it again" in response.content.decode()
    assert counts(south) == south_before and counts(north) == north_before
    # The API acts only for the token's authority.
    token = token_for(world.south.users["commissioner"], south)
    response = Client().post(API, upload(GOOD), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201
    assert not Provider.objects.filter(authority=north, name="Riverside Care").exists()
    assert counts(north) == north_before


UNREADABLE = [
    ("Caf\xe9 Care".encode("latin-1"), "providers.csv", "The file is not UTF-8 text (line 1)"),
    (
        b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40,
        "providers.xlsx",
        "an Excel workbook or other zipped file",
    ),
    (b"%PDF-1.7\n", "rates.pdf", "is a PDF, not a CSV file"),
    (b"provider,service\x00\x00", "providers.csv", "The file is not a CSV file"),
    (GOOD.encode(), "providers.docx", "The file is not a CSV file"),
    (b"", "providers.csv", "The file is empty"),
    (GOOD.encode() + b"x" * services.MAX_IMPORT_BYTES, "providers.csv", "The file is larger than 256 KB"),
]


@pytest.mark.parametrize(("data", "name", "message"), UNREADABLE)
def test_a_file_that_cannot_be_read_is_refused_clearly(world, data, name, message):
    north = world.north.authority
    before = counts(north)
    client = client_for(world.north.users["commissioner"])
    response = client.post(URL, upload(data, name))
    assert response.status_code == 400
    assert message in response.content.decode()
    token = token_for(world.north.users["commissioner"], north)
    response = Client().post(API, upload(data, name), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert message in response.json()["title"] and response.json()["title"].startswith("file: ")
    assert counts(north) == before


def test_the_api_checks_then_imports(world):
    north = world.north.authority
    token = token_for(world.north.users["commissioner"], north)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    before = counts(north)
    response = Client().post(API, {**upload(GOOD), "dry_run": "true"}, **auth)
    assert response.status_code == 200
    body = response.json()
    assert body["dry_run"] is True and body["rate_table_ids"] == []
    assert body["new_providers"] == ["Riverside Care", "Hillside Support"]
    assert [(r["service"], r["standard_pence"], r["ends_on"]) for r in body["rate_tables"]] == [
        ("Home care", 1500, None), ("Night sitting", 9500, None),
        ("Floating support", 1600, "2027-03-31"), ("Floating support", 1650, None),
    ]  # fmt: skip
    assert counts(north) == before
    response = Client().post(API, upload(BAD), **auth)
    assert response.status_code == 422 and response.json()["title"] == "Nothing was imported"
    paths = [(e["path"], e["message"]) for e in response.json()["errors"]]
    assert (["line", "2", "unit"], "is required: a rate must say what it is per") in paths
    assert (["line", "5", "rates_from"], "these rates overlap line 4") in paths and len(paths) == 5
    assert counts(north) == before
    response = Client().post(API, upload(GOOD, reason=" "), **auth)
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == ["body", "reason"]
    response = Client().post(API, upload(GOOD), **auth)
    assert response.status_code == 201
    ids = response.json()["rate_table_ids"]
    assert len(ids) == 4 and set(
        RateTable.objects.filter(pk__in=ids).values_list("service__authority", flat=True)
    ) == {north.pk}
