"""A council's own service (issue 20.7): every page's footer links to the council's accessibility
statement, privacy notice and cookies page; each names the council until an administrator writes
the council's own text (kept in the audit log); public pages carry the council's name."""

from __future__ import annotations

import pytest
from django.test import Client

from helpers import client_for
from selfdirect.core.constants import Role
from selfdirect.core.models import AuditEvent, AuthorityPage

pytestmark = pytest.mark.django_db


def test_public_pages_name_the_council_and_link_its_own_pages(world):
    page = Client().get("/about/accessibility/?council=northshire").content.decode()
    assert "Northshire County Council: care and support budgets" in page  # the header
    assert "applies to Northshire County Council’s care and support budgets service" in page
    assert '<h2 class="govuk-heading-m">Reporting problems with this service</h2>' in page
    for kind in ("accessibility", "privacy", "cookies"):
        assert f'href="/about/{kind}/?council=northshire"' in page
    directory = Client().get("/directory/?council=northshire").content.decode()
    assert "Northshire County Council: care and support budgets" in directory
    assert 'href="/about/privacy/?council=northshire"' in directory
    # No council named: the starting text, for the council.
    plain = Client().get("/about/cookies/").content.decode()
    assert "sessionid" in plain and "Northshire" not in plain
    assert Client().get("/about/nonsense/").status_code == 404
    assert Client().get("/about/privacy/?council=nowhere").status_code == 200


def test_an_administrator_writes_the_councils_own_text_and_only_for_their_council(world):
    admin = client_for(world.north.users[Role.ADMIN])
    edit = admin.get("/about/privacy/edit/").content.decode()
    assert "Northshire County Council is the data controller" in edit  # the starting text, to change
    assert admin.post("/about/privacy/edit/", {"body": "New words", "reason": ""}).status_code == 400
    assert not AuthorityPage.objects.exists()
    saved = admin.post("/about/privacy/edit/", {
        "body": "Northshire holds what it needs.\r\n\r\n## Your rights\r\n\r\nAsk us to see your record.",
        "reason": "Reviewed by the data protection officer",
    })  # fmt: skip
    assert saved.status_code == 302 and saved["Location"] == "/about/privacy/"
    page = admin.get("/about/privacy/").content.decode()
    assert "Northshire holds what it needs." in page and '<h2 class="govuk-heading-m">Your rights</h2>' in page
    assert "Last updated" in page and "Change this page" in page
    event = AuditEvent.objects.get(object_type="core.authoritypage")
    assert event.reason == "Reviewed by the data protection officer" and event.authority == world.north.authority
    # The public see it; the other council's page is untouched.
    assert "Northshire holds what it needs." in Client().get("/about/privacy/?council=northshire").content.decode()
    south = Client().get("/about/privacy/?council=southvale").content.decode()
    assert "Southvale" in south and "Northshire holds" not in south
    # Anyone else may read, not change.
    person = client_for(world.north.users[Role.PERSON])
    assert "Change this page" not in person.get("/about/privacy/").content.decode()
    assert person.get("/about/privacy/edit/").status_code == 403
    assert client_for(world.north.users[Role.FINANCE]).post(
        "/about/privacy/edit/", {"body": "x", "reason": "y"}
    ).status_code == 403
    assert AuthorityPage.objects.get().body.startswith("Northshire holds")
