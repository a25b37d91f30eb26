"""CSV import of providers, services and rates: all or nothing, every bad row named by line."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from selfdirect.core.models import AuditEvent
from selfdirect.market import services
from selfdirect.market.models import Provider, RateTable, Service

HEADER = "provider,kind,cqc_number,companies_house_number,support_types,areas,phone,email,website,service,support_type,unit,rates_from,rates_to,standard_rate,evening_rate,night_rate,weekend_rate,bank_holiday_rate\n"
GOOD = HEADER + (
    "Riverside Care,agency,1-234567890,01234567,personal_care;night,Northam;Kelby,01632 960500,care@riverside.example.org,https://riverside.example.org,Home care,personal_care,hour,2026-04-01,,15.00,16.50,18.00,17.00,22.50\n"
    "Riverside Care,agency,,,,,,,,Night sitting,night,night,2026-04-01,,95,,,,120\n"
    "Hillside Support,housing,,,housing_support,Aldwick,,,,Floating support,housing_support,hour,2026-04-01,2027-03-31,16.00,,,,\n"
    "Hillside Support,housing,,,,,,,,Floating support,housing_support,hour,2027-04-01,,16.50,,,,\n"
)


def test_a_good_file_imports_every_row(world):
    ticks = []
    created = services.import_providers(
        world.north.users["commissioner"],
        world.north.authority,
        GOOD,
        "Spring rates",
        progress=lambda d, t: ticks.append(d),
    )
    assert len(created) == 4 and ticks == [1, 2, 3, 4]
    riverside = Provider.objects.get(authority=world.north.authority, name="Riverside Care")
    assert riverside.cqc_number == "1-234567890" and riverside.support_types == "personal_care,night"
    assert sorted(a.name for a in riverside.areas.all()) == ["Kelby", "Northam"]
    home = riverside.services.get(name="Home care")
    table = home.rate_tables.get()
    assert (table.standard_pence, table.night_pence, table.bank_holiday_pence) == (1500, 1800, 2250)
    assert Service.objects.get(name="Floating support").rate_tables.count() == 2
    assert AuditEvent.objects.filter(authority=world.north.authority, reason="Spring rates").count() >= 9


def test_a_bad_file_reports_every_problem_by_line_and_imports_nothing(world):
    bad = (
        GOOD
        + (
            "Broken Ltd,agency,,,,,,,,Home care,personal_care,,2026-04-01,,15.00,,,,\n"  # line 6: no unit
            "Broken Ltd,agency,,,,,,not-an-email,,Day,social,visit,01/04/2026,,-3,,,,\n"  # line 7
            "Hillside Support,housing,,,,,,,,Floating support,housing_support,hour,2027-01-01,,17.00,,,,\n"  # line 8: overlap
            "Odd,spaceship,,,,,,,,X,social,week,2026-04-01,,abc,,,,\n"  # line 9
        )
    )
    with pytest.raises(services.ImportRefused) as exc:
        services.import_providers(world.north.users["commissioner"], world.north.authority, bad, "x")
    found = {(p.line, p.field) for p in exc.value.problems}
    assert (6, "unit") in found
    assert {(7, "email"), (7, "rates_from"), (7, "standard_rate")} <= found
    assert (8, "rates_from") in found
    assert {(9, "kind"), (9, "standard_rate")} <= found
    assert "overlap line 4" in next(str(p) for p in exc.value.problems if p.line == 8)
    assert not Provider.objects.filter(name__in=["Riverside Care", "Hillside Support"]).exists()
    assert not RateTable.objects.exists()


def test_rates_overlapping_what_is_already_recorded_are_refused(market, world):
    text = HEADER + "Northam Home Care Ltd,agency,,,,,,,,Home care,personal_care,hour,2026-09-01,,16.00,,,,\n"
    with pytest.raises(services.ImportRefused) as exc:
        services.import_providers(world.north.users["commissioner"], world.north.authority, text, "x")
    assert exc.value.problems[0].line == 2 and "recorded rate table" in exc.value.problems[0].message


def test_missing_columns(world):
    with pytest.raises(services.ImportRefused) as exc:
        services.import_providers(
            world.north.users["commissioner"], world.north.authority, "provider,service\nA,B\n", "x"
        )
    assert "missing column(s): rates_from, standard_rate, unit" in str(exc.value.problems[0])


def test_the_command_line(world, tmp_path, capsys):
    path = tmp_path / "providers.csv"
    path.write_text(GOOD, encoding="utf-8")
    call_command(
        "import_providers", str(path), "--authority", "northshire", "--as", "northshire-commissioner"
    )
    assert "Imported 4 rate table(s) for 2 provider(s)" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "X,agency,,,,,,,,Y,social,,2026-04-01,,1,,,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 problem"):
        call_command(
            "import_providers", str(bad), "--authority", "northshire", "--as", "northshire-commissioner"
        )
    assert "bad.csv:line 2: unit: is required" in capsys.readouterr().err
    with pytest.raises(CommandError, match="may not"):
        call_command(
            "import_providers", str(path), "--authority", "northshire", "--as", "northshire-assessor"
        )


def test_market_cli_reports(market, world, capsys):
    service = market.north.providers[0].services.get(name="Home care")
    call_command(
        "market",
        "--authority",
        "northshire",
        "--as",
        "northshire-finance",
        "rate",
        str(service.pk),
        "2026-04-05T23:00",
    )
    out = capsys.readouterr().out
    assert out.startswith("£18.00 (night)")
    call_command("market", "--authority", "northshire", "--as", "northshire-finance", "contracts")
    assert "pay £2,445.00" in capsys.readouterr().out
    call_command("market", "--authority", "northshire", "--as", "northshire-finance", "pas")
    assert "Lena Novak: DBS EXPIRED" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("market", "--authority", "northshire", "--as", "northshire-person", "pas")


def test_market_cli_brokers_lists_directory_duties_and_transfer(market, world, capsys):
    def run(username, *args):
        call_command("market", "--authority", "northshire", "--as", f"northshire-{username}", *args)
        return capsys.readouterr().out

    out = run("finance", "brokers")
    assert (
        "Amira Hassan (Support planning and brokerage): £25.00 per hour, can be paid from the budget" in out
    )
    assert "Dev Sharma (Support planner): £0.00 fixed fee, not paid from the budget" in out
    out = run("finance", "lists")
    assert (
        "Home support framework 2026-2029" in out
        and "Northam Home Care Ltd: Home care, £15.00 per hour" in out
    )
    out = run("finance", "directory", "--support-type", "personal_care")
    assert out.splitlines() == [
        "provider  Northam Home Care Ltd: 4 stars",
        "PA        Joy Adeyemi: - stars",
        "broker    Amira Hassan (Support planning and brokerage): - stars",
        "broker    Dev Sharma (Support planner): - stars",
    ]
    person = world.north.self_person
    services.save_employment(
        world.north.users["admin"], person, {"pa_name": "Kim", "starts_on": dt.date(2026, 5, 1)}, "x"
    )
    out = run("assessor", "duties", str(person.pk))
    assert (
        out.splitlines()[0] == "Kim from 2026-05-01" and "    [To do] Employer's liability insurance" in out
    )
    arrangement = market.north.arrangement
    with pytest.raises(CommandError, match="may not move"):
        run("finance", "transfer", str(person.pk), str(arrangement.pk), "2026-06-15")
    with pytest.raises(CommandError, match="no person"):
        run("assessor", "transfer", str(world.south.self_person.pk), str(arrangement.pk), "2026-06-15")
    out = run("assessor", "transfer", str(person.pk), str(arrangement.pk), "2026-06-15")
    assert out.startswith("Block-funded until 2026-06-14; paid from the personal budget from 2026-06-15")
