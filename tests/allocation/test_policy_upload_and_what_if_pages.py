"""The policy pages say truthfully what an upload did, and a new what-if starts from the version in
force today against the newest other version (never the newest against itself)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from alloc_testdata import POLICIES
from django.core.files.uploadedfile import SimpleUploadedFile

from helpers import client_for
from selfdirect.core.constants import Role
from selfdirect.policies.constants import PolicyStatus
from selfdirect.policies.models import PolicyVersion

NORTH_2026 = (POLICIES / "northshire" / "policy-2026.yaml").read_text()


def upload(client, text, name="policy-2026.yaml"):
    response = client.post(
        "/allocation/policies/upload/", {"policy_file": SimpleUploadedFile(name, text.encode())}, follow=True
    )
    assert response.status_code == 200
    return response.content.decode()


def test_re_uploading_a_published_policy_says_nothing_changed(world, north_2026):
    client = client_for(world.north.users[Role.COMMISSIONER])
    before = PolicyVersion.objects.count()
    page = upload(client, NORTH_2026, "again.yaml")
    assert f"same as {north_2026.label}, which is already published: nothing was changed" in page
    assert "saved as a draft" not in page
    assert PolicyVersion.objects.count() == before
    north_2026.refresh_from_db()
    assert north_2026.status == PolicyStatus.PUBLISHED


def test_uploading_new_content_makes_a_draft_and_again_says_nothing_changed(world, north_2026):
    client = client_for(world.north.users[Role.COMMISSIONER])
    changed = NORTH_2026.replace("amount: 27000", "amount: 28000")
    assert changed != NORTH_2026
    page = upload(client, changed, "tweak.yaml")
    draft = PolicyVersion.objects.get(status=PolicyStatus.DRAFT, authority=world.north.authority)
    assert f"{draft.label} is valid and saved as a draft" in page
    again = upload(client, changed, "tweak.yaml")
    assert f"same as the draft {draft.label}: nothing was changed" in again
    assert "saved as a draft" not in again
    assert PolicyVersion.objects.filter(status=PolicyStatus.DRAFT).count() == 1


def selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return re.findall(r'<option value="(\d+)" selected>', select.group(1))


@pytest.mark.parametrize(
    ("day", "base_file", "proposed_file"),
    [(dt.date(2026, 6, 1), "policy-2026.yaml", "policy-2027.yaml"),
     (dt.date(2027, 6, 1), "policy-2027.yaml", "policy-2026.yaml")],
)  # fmt: skip
def test_what_if_defaults_to_the_version_in_force_against_the_newest_other(
    world, published, day, base_file, proposed_file
):
    base = published[("northshire", base_file)]
    proposed = published[("northshire", proposed_file)]
    with time_machine.travel(dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)):
        response = client_for(world.north.users[Role.COMMISSIONER]).get("/allocation/what-if/")
    assert response.status_code == 200
    html = response.content.decode()
    assert selected(html, "base") == [str(base.pk)]
    assert selected(html, "proposed") == [str(proposed.pk)]


def test_what_if_keeps_the_chosen_versions_when_the_form_is_refused(world, published):
    v26 = published[("northshire", "policy-2026.yaml")]
    client = client_for(world.north.users[Role.COMMISSIONER])
    response = client.post(
        "/allocation/what-if/", {"base": str(v26.pk), "proposed": str(v26.pk), "synthetic_size": "lots"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a whole number of people" in html
    assert selected(html, "base") == [str(v26.pk)] and selected(html, "proposed") == [str(v26.pk)]
