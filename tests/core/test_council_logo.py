"""The council's logo (issue 20.7): an administrator uploads it, and it is in the header of every
page of the council's service, public pages included; it is checked as an image, kept in the audit
log, and another council's pages never show it."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from helpers import client_for
from selfdirect.core.constants import Role
from selfdirect.core.models import AuditEvent, AuthorityLogo

pytestmark = pytest.mark.django_db

LOGO_SRC = re.compile(r'<img class="app-council-logo" src="(/council/northshire/logo/\?v=\d+)" alt="" height="40"')


def image(kind: str = "PNG", size: tuple[int, int] = (120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 94, 165)).save(out, format=kind)
    return out.getvalue()


def upload(client: Client, data: bytes, name: str = "logo.png", reason: str = "New branding"):
    return client.post("/council/logo/", {"logo": SimpleUploadedFile(name, data), "reason": reason})


def test_the_logo_is_in_the_header_of_every_page_of_the_council_and_no_other(world):
    admin = client_for(world.north.users[Role.ADMIN])
    assert 'data-testid="council-logo"' not in admin.get("/").content.decode()
    assert "You have not uploaded a logo" in admin.get("/council/").content.decode()
    png = image()
    saved = upload(admin, png)
    assert saved.status_code == 302 and saved["Location"] == "/council/"
    home = admin.get("/").content.decode()
    src = LOGO_SRC.search(home)
    assert src, home[:3000]
    # The name follows the logo, so the image says nothing more (alt="") and the link reads as the name.
    assert "Northshire County Council: care and support budgets" in home
    served = Client().get(src.group(1))  # public: the public pages show it too
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served.content == png and "immutable" in served["Cache-Control"]
    assert LOGO_SRC.search(Client().get("/about/privacy/?council=northshire").content.decode())
    assert LOGO_SRC.search(client_for(world.north.users[Role.PERSON]).get("/").content.decode())
    # The other council's pages, signed in or public, have no logo of Northshire's.
    assert "northshire/logo" not in client_for(world.south.users[Role.ADMIN]).get("/").content.decode()
    assert "app-council-logo" not in Client().get("/about/privacy/?council=southvale").content.decode()
    settings_page = admin.get("/council/").content.decode()
    assert "120 by 40 pixels" in settings_page and "Change or take down the logo" in settings_page
    event = AuditEvent.objects.get(object_type="core.authoritylogo")
    assert (event.action, event.reason, event.authority) == ("create", "New branding", world.north.authority)


def test_a_jpeg_replaces_the_png_and_the_address_changes_so_browsers_fetch_it_again(world, time_machine):
    admin = client_for(world.north.users[Role.ADMIN])
    time_machine.move_to("2026-12-07 09:00")
    upload(admin, image())
    first = LOGO_SRC.search(admin.get("/").content.decode()).group(1)
    time_machine.move_to("2026-12-07 10:00")
    jpeg = image("JPEG", (300, 100))
    assert upload(admin, jpeg, "logo.jpg", "Sharper version").status_code == 302
    second = LOGO_SRC.search(admin.get("/").content.decode()).group(1)
    assert first != second
    served = Client().get(second)
    assert served["Content-Type"] == "image/jpeg" and served.content == jpeg
    assert AuthorityLogo.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="core.authoritylogo", action="change").count() == 1


@pytest.mark.parametrize(
    ("data", "name", "reason", "message"),
    [
        (b"not an image at all", "logo.png", "New", "The logo must be a PNG or JPEG image"),
        (image("GIF"), "logo.gif", "New", "The logo must be a PNG or JPEG image"),
        (image()[:60], "logo.png", "New", "The logo must be a PNG or JPEG image"),  # cut off
        (image(size=(2001, 10)), "logo.png", "New", "The logo must be at most 2000 pixels wide and high"),
        (b"\x89PNG" + b"0" * (512 * 1024), "logo.png", "New", "The logo must be smaller than 512 KB"),
        (b"", "logo.png", "New", "The file you chose is empty"),
        (image(), "logo.png", "", "Say why you are making this change"),
    ],
)
def test_a_bad_logo_is_refused_beside_its_field_and_nothing_is_kept(world, data, name, reason, message):
    admin = client_for(world.north.users[Role.ADMIN])
    response = upload(admin, data, name, reason)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page.replace("&#x27;", "'"), page
    assert not AuthorityLogo.objects.exists() and not AuditEvent.objects.filter(object_type="core.authoritylogo")


def test_no_file_chosen_says_to_select_one(world):
    response = client_for(world.north.users[Role.ADMIN]).post("/council/logo/", {"reason": "New"})
    assert response.status_code == 400 and "Select the logo" in response.content.decode()


def test_taking_the_logo_down_needs_a_reason_and_leaves_the_name_alone(world):
    admin = client_for(world.north.users[Role.ADMIN])
    upload(admin, image())
    src = LOGO_SRC.search(admin.get("/").content.decode()).group(1)
    assert admin.post("/council/logo/", {"remove": "1", "remove-reason": ""}).status_code == 400
    assert AuthorityLogo.objects.exists()
    done = admin.post("/council/logo/", {"remove": "1", "remove-reason": "Rebranding next month"})
    assert done.status_code == 302
    assert "app-council-logo" not in admin.get("/").content.decode()
    assert Client().get(src).status_code == 404
    assert AuditEvent.objects.get(object_type="core.authoritylogo", action="delete").reason == "Rebranding next month"


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_the_councils_administrators_change_its_service(world, role):
    client = client_for(world.north.users[role])
    assert client.get("/council/").status_code == 403
    assert upload(client, image()).status_code == 403
    assert not AuthorityLogo.objects.exists()


def test_an_administrator_changes_only_their_own_councils_logo(world):
    upload(client_for(world.south.users[Role.ADMIN]), image())
    assert AuthorityLogo.objects.get().authority == world.south.authority
    assert "app-council-logo" not in client_for(world.north.users[Role.ADMIN]).get("/").content.decode()
    assert Client().get("/council/northshire/logo/").status_code == 404
    assert Client().get("/council/southvale/logo/").status_code == 200
    assert Client().post("/council/southvale/logo/").status_code == 405
