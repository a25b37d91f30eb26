import io

import pytest
from django.core.management import CommandError, call_command

from selfdirect.core.constants import Role
from selfdirect.core.models import AuditEvent, Authority
from selfdirect.people import services
from selfdirect.people.models import Person

HEADER = "given_name,family_name,date_of_birth,address_line_1,town,postcode,client_group,primary_support_reason,nhs_number,team\n"
GOOD_ROWS = (
    "Grace,Hall,1948-03-27,4 Mill Lane,Kelby,NX4 4TF,older,physical,943 476 5919,Home team\n"
    "Ali,Khan,1990-01-02,5 Mill Lane,Kelby,NX4 4TG,single_homeless,housing,,\n"
)


def test_import_all_good_rows(world):
    created = services.import_people(
        world.north.users[Role.ADMIN], world.north.authority, HEADER + GOOD_ROWS, "Transfer"
    )
    assert [p.family_name for p in created] == ["Hall", "Khan"]
    assert created[0].team == world.north.home_team and created[0].nhs_number == "9434765919"
    assert AuditEvent.objects.filter(action="import").count() == 2


def test_one_bad_row_imports_nothing_and_every_problem_is_named_by_line(world):
    text = (
        HEADER
        + GOOD_ROWS
        + (
            "Bad,Date,1948-13-01,1 Road,Kelby,NX1 1AA,older,physical,,\n"
            ",NoName,1950-01-01,1 Road,Kelby,NX1 1AA,aliens,physical,9434765918,Nowhere team\n"
        )
    )
    with pytest.raises(services.ImportRefused) as caught:
        services.import_people(None, world.north.authority, text, "Transfer")
    problems = {(p.line, p.field) for p in caught.value.problems}
    assert (4, "date_of_birth") in problems
    assert (5, "given_name") in problems
    assert (5, "team") in problems
    before = Person.objects.count()
    assert Person.objects.count() == before == 6
    assert not Person.objects.filter(family_name="Hall").exists()


def test_row_level_model_rules_are_checked_before_anything_is_written(world):
    text = HEADER + GOOD_ROWS + "Nhs,Bad,1950-01-01,1 Road,Kelby,NX1 1AA,older,physical,9434765918,\n"
    with pytest.raises(services.ImportRefused) as caught:
        services.import_people(None, world.north.authority, text, "Transfer")
    assert [(p.line, p.field) for p in caught.value.problems] == [(4, "nhs_number")]
    assert not Person.objects.filter(family_name="Hall").exists()


def test_missing_columns_and_duplicate_references(world):
    with pytest.raises(services.ImportRefused) as caught:
        services.import_people(None, world.north.authority, "given_name,family_name\nA,B\n", "x")
    assert "missing column" in str(caught.value.problems[0])
    existing = world.north.caseload_person.reference
    text = (
        "reference,"
        + HEADER
        + f"{existing},"
        + GOOD_ROWS.splitlines()[0]
        + "\nNEW1,"
        + GOOD_ROWS.splitlines()[1]
        + "\nNEW1,"
        + GOOD_ROWS.splitlines()[1]
        + "\n"
    )
    with pytest.raises(services.ImportRefused) as caught:
        services.import_people(None, world.north.authority, text, "x")
    messages = [str(p) for p in caught.value.problems]
    assert any("line 2: reference" in m and "already exists" in m for m in messages)
    assert any("line 4: reference" in m and "repeats line 3" in m for m in messages)


def test_cli_import_reports_lines_and_exits_non_zero(world, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Bad,Date,1948-13-01,1 Road,Kelby,NX1 1AA,older,physical,,\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_people", str(bad), authority="northshire", username="northshire-admin", stderr=err
        )
    assert "bad.csv:line 2: date_of_birth" in err.getvalue()
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD_ROWS)
    out = io.StringIO()
    call_command("import_people", str(good), authority="northshire", username="northshire-admin", stdout=out)
    assert "Imported 2 people" in out.getvalue()


def test_cli_acts_under_the_same_permissions(world, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD_ROWS)
    with pytest.raises(CommandError, match="may not"):
        call_command("import_people", str(good), authority="northshire", username="northshire-assessor")
    with pytest.raises(CommandError, match="may not"):
        call_command("import_people", str(good), authority="southvale", username="northshire-admin")
    with pytest.raises(CommandError, match="may not"):
        call_command("export_people", authority="northshire", username="northshire-finance")


def test_export_reimports_into_another_authority(world, tmp_path):
    out = tmp_path / "north.csv"
    call_command("export_people", authority="northshire", username="northshire-admin", output=str(out))
    text = out.read_text()
    assert text.splitlines()[0] == ",".join(services.CSV_COLUMNS)
    assert len(text.splitlines()) == 4
    # References and team names belong to Northshire: blank them and Southvale can take the rows.
    lines = [line.split(",") for line in text.splitlines()]
    ref, team = services.CSV_COLUMNS.index("reference"), services.CSV_COLUMNS.index("team")
    for row in lines[1:]:
        row[ref] = row[team] = ""
    created = services.import_people(
        None, world.south.authority, "\n".join(",".join(r) for r in lines), "Moved"
    )
    assert sorted(p.given_name for p in created) == ["Aisha", "John", "Margaret"]


def test_web_import_shows_problems_and_imports_nothing(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from helpers import client_for

    client = client_for(world.north.users[Role.ADMIN])
    upload = SimpleUploadedFile(
        "p.csv", (HEADER + "Bad,Date,1948-13-01,1 Road,Kelby,NX1 1AA,older,physical,,\n").encode()
    )
    response = client.post("/people/import/", {"file": upload, "reason": "Transfer"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported" in html and "date_of_birth" in html
    upload = SimpleUploadedFile("p.csv", (HEADER + GOOD_ROWS).encode())
    assert client.post("/people/import/", {"file": upload, "reason": "Transfer"}).status_code == 302
    assert Person.objects.filter(family_name="Hall").exists()
    upload = SimpleUploadedFile("p.csv", b"\xff\xfe\x00bad")
    assert client.post("/people/import/", {"file": upload, "reason": "Transfer"}).status_code == 400


def test_create_authority_command(db):
    out = io.StringIO()
    call_command("create_authority", "eastmoor", "Eastmoor Council", admin_username="em-admin",
                 admin_password="a-good-long-password", stdout=out)  # fmt: skip
    authority = Authority.objects.get(slug="eastmoor")
    from selfdirect.core.models import User

    assert User.objects.get(username="em-admin").roles_in(authority) == {"admin"}
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "create_authority", "eastmoor", "Other", admin_username="x", admin_password="a-good-long-password"
        )
    with pytest.raises(CommandError, match="admin-password"):
        call_command("create_authority", "westmoor", "Westmoor", admin_username="wm", admin_password="short")
    assert not Authority.objects.filter(slug="westmoor").exists()


def test_demo_data_is_deterministic_and_safe_to_load_twice(db):
    from selfdirect.people.demo import load_demo

    load_demo(people_per_authority=20)
    first = list(
        Person.objects.order_by("authority__slug", "reference").values_list(
            "family_name", "date_of_birth", "facs_band"
        )
    )
    load_demo(people_per_authority=20)
    assert Person.objects.count() == 42
    Person.objects.all().delete()
    AuthorityCount = Authority.objects.count()
    assert AuthorityCount == 2
    load_demo(people_per_authority=20)
    again = list(
        Person.objects.order_by("authority__slug", "reference").values_list(
            "family_name", "date_of_birth", "facs_band"
        )
    )
    assert first == again
