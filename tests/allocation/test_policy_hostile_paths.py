"""A hostile policy gets a clear refusal naming the file and the line on every path: the upload
page, the API and the commands (allocation, plan and ledger policies). Nothing is stored, nothing
is expanded, and nothing answers 500 or a traceback."""

from __future__ import annotations

import io
import json

import pytest
from alloc_testdata import POLICIES
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from ruamel.yaml.composer import Composer

from helpers import client_for, token_for
from selfdirect.allocation.models import PolicyVersion
from selfdirect.core.constants import Role
from selfdirect.ledger import policy as ledger_policy

NORTH_2026 = (POLICIES / "northshire" / "policy-2026.yaml").read_text()
LAUGHS = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
BAD_DATE = NORTH_2026.replace("effective_from: 2026-04-01", "effective_from: 2027-02-30")
DATE_LINE = NORTH_2026.splitlines().index("effective_from: 2026-04-01") + 1
DEEP = "authority: northshire\nrates: " + "[" * 5000 + "]" * 5000 + "\n"
LATIN1 = "authority: northshire\nid: northshire-2026\ntitle: Politique générale\n".encode("latin-1")
TITLE_LINE = 3

# (name, bytes of the file, the line named, words of the message)
HOSTILE = [
    ("laughs.yaml", LAUGHS.encode(), 1, "anchors (&name) and aliases (*name) are not allowed"),
    ("date.yaml", BAD_DATE.encode(), DATE_LINE, "2027-02-30 is not a real date"),
    ("deep.yaml", DEEP.encode(), 2, "nested more than 64 levels deep"),
    ("latin.yaml", LATIN1, TITLE_LINE, "not UTF-8 text"),
]
IDS = [case[0] for case in HOSTILE]


def _api(user, authority, url, body):
    return client_for(user).post(
        url, data=json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(user, authority)}",
    )  # fmt: skip


@pytest.mark.parametrize(("name", "data", "line", "words"), HOSTILE, ids=IDS)
def test_the_upload_page_refuses_with_the_line(world, monkeypatch, name, data, line, words):
    monkeypatch.setattr(Composer, "compose_node", lambda *a: pytest.fail("composed"))
    client = client_for(world.north.users[Role.COMMISSIONER])
    response = client.post("/allocation/policies/upload/", {"policy_file": SimpleUploadedFile(name, data)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The policy was not saved: 1 problem" in page
    assert f"Line {line}: " in page and words.replace("&", "&amp;") in page
    assert not PolicyVersion.objects.exists()


def test_the_upload_page_refuses_a_file_over_the_limit_unread(world):
    client = client_for(world.north.users[Role.COMMISSIONER])
    big = SimpleUploadedFile("big.yaml", b"# " + b"x" * (512 * 1024) + b"\n")
    response = client.post("/allocation/policies/upload/", {"policy_file": big})
    assert response.status_code == 400
    assert "the file is larger than 512 KB" in response.content.decode()


@pytest.mark.parametrize(("name", "data", "line", "words"), [c for c in HOSTILE if c[0] != "latin.yaml"],
                         ids=IDS[:-1])  # fmt: skip
def test_the_api_refuses_with_the_line(world, monkeypatch, name, data, line, words):
    monkeypatch.setattr(Composer, "compose_node", lambda *a: pytest.fail("composed"))
    side = world.north
    commissioner = side.users[Role.COMMISSIONER]
    body = {"yaml": data.decode(), "filename": name}
    checked = _api(commissioner, side.authority, "/api/v1/policies/validate", body)
    assert checked.status_code == 200, checked.content
    assert checked.json()["valid"] is False
    [problem] = checked.json()["errors"]
    assert problem["file"] == name and problem["line"] == line and words in problem["message"]
    refused = _api(commissioner, side.authority, "/api/v1/policies", body)
    assert refused.status_code == 422, refused.content
    assert refused["Content-Type"] == "application/problem+json"
    [error] = refused.json()["errors"]
    assert error["message"].startswith(f"{name}:{line}: ") and words in error["message"]
    assert not PolicyVersion.objects.exists()


@pytest.mark.parametrize(("name", "data", "line", "words"), HOSTILE, ids=IDS)
def test_the_commands_refuse_with_file_and_line(world, tmp_path, monkeypatch, name, data, line, words):
    monkeypatch.setattr(Composer, "compose_node", lambda *a: pytest.fail("composed"))
    path = tmp_path / name
    path.write_bytes(data)
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("validate_policy", str(path), stderr=err)
    assert caught.value.returncode == 1
    assert err.getvalue().startswith(f"{path}:{line}: ") and words in err.getvalue()
    err = io.StringIO()
    with pytest.raises(CommandError, match="not published"):
        call_command(
            "publish_policy",
            str(path),
            authority="northshire",
            username="northshire-commissioner",
            stderr=err,
        )
    assert f"{name}:{line}: " in err.getvalue() and words in err.getvalue()
    assert not PolicyVersion.objects.exists()


@pytest.mark.parametrize(("name", "data", "line", "words"), HOSTILE, ids=IDS)
def test_plan_rules_from_a_hostile_file_are_refused_by_the_command(world, tmp_path, name, data, line, words):
    folder = tmp_path / "northshire"
    folder.mkdir()
    (folder / "outcomes.yaml").write_bytes((POLICIES / "northshire" / "outcomes.yaml").read_bytes())
    (folder / "plans.yaml").write_bytes(data)
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_plan_policies", authority="northshire", dir=str(folder), stderr=err)
    assert f"{folder / 'plans.yaml'}:{line}: " in err.getvalue() and words in err.getvalue()


@pytest.mark.parametrize(("name", "data", "line", "words"), HOSTILE, ids=IDS)
def test_money_rules_from_a_hostile_file_are_refused(
    world, settings, tmp_path, monkeypatch, name, data, line, words
):
    monkeypatch.setattr(Composer, "compose_node", lambda *a: pytest.fail("composed"))
    (tmp_path / "northshire").mkdir()
    path = tmp_path / "northshire" / "ledger.yaml"
    path.write_bytes(data)
    settings.POLICY_DIR = tmp_path
    ledger_policy.load.cache_clear()
    try:
        with pytest.raises(ledger_policy.PolicyError) as caught:
            ledger_policy.load("northshire")
    finally:
        ledger_policy.load.cache_clear()
    assert str(caught.value).startswith(f"{path}:{line}: ") and words in str(caught.value)
