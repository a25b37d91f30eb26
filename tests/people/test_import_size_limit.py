"""The people import has a size limit (issue 17.8): a file over it is refused with a clear message
before it is read, on the page, from the command and by the service itself."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from helpers import client_for
from selfdirect.core.constants import Role
from selfdirect.people import services
from selfdirect.people.models import Person

HEADER = "given_name,family_name,date_of_birth,address_line_1,town,postcode,client_group,primary_support_reason\n"
ROW = "Grace,Hall,1948-03-27,4 Mill Lane,Kelby,NX4 4TF,older,physical\n"


def too_big() -> bytes:
    return (HEADER + ROW * (services.MAX_IMPORT_BYTES // len(ROW) + 1)).encode()


@pytest.fixture
def nothing_imported(monkeypatch):
    monkeypatch.setattr(services, "import_people", lambda *a, **k: pytest.fail("the file was imported"))
    before = Person.objects.count()
    yield
    assert Person.objects.count() == before


def test_the_page_refuses_a_file_over_the_limit_unread(world, monkeypatch, nothing_imported):
    client = client_for(world.north.users[Role.ADMIN])
    upload = io.BytesIO(too_big())
    upload.name = "people.csv"
    # The server side: an upload under Django's in-memory limit arrives as an InMemoryUploadedFile.
    monkeypatch.setattr(InMemoryUploadedFile, "read", lambda *a: pytest.fail("the file was read"))
    response = client.post("/people/import/", {"file": upload, "reason": "Transfer"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file is larger than 1 MB: split it into smaller files" in page
    assert 'id="id_file-error"' in page


def test_the_command_refuses_a_file_over_the_limit_unread(world, tmp_path, monkeypatch, nothing_imported):
    path = tmp_path / "people.csv"
    path.write_bytes(too_big())
    monkeypatch.setattr(Path, "read_text", lambda *a, **k: pytest.fail("the file was read"))
    with pytest.raises(CommandError, match=r"people.csv: the file is larger than 1 MB: split it into smaller files"):
        call_command("import_people", str(path), authority="northshire", username="northshire-admin",
                     stderr=io.StringIO())  # fmt: skip


def test_the_service_refuses_text_over_the_limit_before_parsing_it(world, monkeypatch):
    monkeypatch.setattr(services.csv, "DictReader", lambda *a, **k: pytest.fail("parsed"))
    with pytest.raises(services.ImportRefused) as caught:
        services.import_people(None, world.north.authority, too_big().decode(), "Transfer")
    assert [str(p) for p in caught.value.problems] == [
        "line 1: The file is larger than 1 MB: split it into smaller files"
    ]
