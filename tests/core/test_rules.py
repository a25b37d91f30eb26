"""An authority's money rules are data it manages itself (issue 19.2): uploaded on a page (every
problem at once, by line), published with the date they take effect, then frozen; history, and two
versions side by side; the ledger follows the version in force; a new authority needs nothing from
the repository's policies/ folder, and may start from a copy of another's rules."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from helpers import client_for
from selfdirect.core import rules
from selfdirect.core.constants import Role
from selfdirect.core.models import AuditEvent, Authority, RulesVersion
from selfdirect.ledger import policy as ledger_policy

pytestmark = pytest.mark.django_db


def northshire_text(settings) -> str:
    return (settings.PROJECT_DIR / "policies" / "northshire" / "ledger.yaml").read_text()


def a_new_version(settings, *, effective: str = "2027-04-01", share: int = 20) -> bytes:
    text = northshire_text(settings).replace("effective_from: 2026-04-01", f"effective_from: {effective}")
    return text.replace("rollover_share_percent: 10", f"rollover_share_percent: {share}").encode()


def upload(client, data: bytes, name: str = "ledger-2027.yaml"):
    return client.post("/rules/money/upload/", {"file": SimpleUploadedFile(name, data)})


def test_finance_uploads_checks_compares_and_publishes_new_money_rules(world, settings, time_machine):
    side = world.north
    finance = client_for(side.users[Role.FINANCE])
    home = finance.get("/rules/").content.decode()
    assert "In force:" in home and "Money rules from 1 April 2026" in home  # the demo's starting rules
    uploaded = upload(finance, a_new_version(settings))
    assert uploaded.status_code == 302
    draft = RulesVersion.objects.get(authority=side.authority, status="draft")
    assert (draft.title, draft.effective_from) == ("Money rules from 1 April 2027", dt.date(2027, 4, 1))
    page = finance.get(f"/rules/versions/{draft.pk}/").content.decode()
    assert "Draft: not in force" in page and "rollover_share_percent: 20" in page
    in_force = rules.in_force_now(side.authority, "money")
    compared = finance.get(f"/rules/versions/{draft.pk}/compare/{in_force.pk}/").content.decode()
    assert "2 lines differ" in compared and compared.count("app-diff-row") == 2

    assert finance.post(f"/rules/versions/{draft.pk}/", {"reason": ""}).status_code == 400
    published = finance.post(f"/rules/versions/{draft.pk}/", {"reason": "Cabinet decision 14 March 2027"})
    assert published.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_by == side.users[Role.FINANCE]
    with pytest.raises(PermissionError):
        draft.save()  # frozen
    event = AuditEvent.objects.filter(object_type="core.rulesversion", object_id=str(draft.pk)).latest("id")
    assert event.reason == "Cabinet decision 14 March 2027"
    assert event.changes["takes effect"] == [None, "1 April 2027"]

    # The ledger keeps to the rules in force on the day.
    time_machine.move_to(dt.datetime(2027, 3, 31, 12, tzinfo=dt.UTC), tick=False)
    assert ledger_policy.load("northshire").period_close.rollover_share_percent == 10
    time_machine.move_to(dt.datetime(2027, 4, 1, 12, tzinfo=dt.UTC), tick=False)
    assert ledger_policy.load("northshire").period_close.rollover_share_percent == 20
    assert ledger_policy.load("southvale").period_close.keep_weeks == 8  # the other council's own


def test_a_bad_file_lists_every_problem_by_line_and_keeps_nothing(world, settings):
    finance = client_for(world.north.users[Role.FINANCE])
    text = northshire_text(settings)
    text = text.replace("rollover_share_percent: 10", "rollover_share_percent: 140")
    text = text.replace("mode: net", "mode: sometimes")
    response = upload(finance, text.encode())
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file has 2 problems: nothing was kept" in page
    assert "Line 8, <code>period_close.rollover_share_percent</code>: Input should be less than or equal to 100" in page
    assert "Line 19, <code>charging.mode</code>" in page
    assert upload(finance, b"\xff\xfe not text").status_code == 400
    assert upload(finance, b"a: [1, 2\n").status_code == 400
    assert not RulesVersion.objects.filter(status="draft").exists()


def test_a_version_cannot_take_effect_before_the_one_in_force(world, settings):
    finance = client_for(world.north.users[Role.FINANCE])
    rules.rules_text(world.north.authority, "money")  # the starting rules, from 1 April 2026
    upload(finance, a_new_version(settings, effective="2026-01-01"))
    draft = RulesVersion.objects.get(status="draft")
    refused = finance.post(f"/rules/versions/{draft.pk}/", {"reason": "Backdated"})
    assert refused.status_code == 400
    assert "Must be after 1 April 2026, when Money rules from 1 April 2026 took effect" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_new_authority_needs_nothing_from_the_repository(world, capsys):
    call_command("create_authority", "eastmoor", "Eastmoor Council", "--admin-username", "em-admin",
                 "--admin-password", "a-long-admin-password")  # fmt: skip
    with pytest.raises(ledger_policy.PolicyError, match="eastmoor has no money rules yet"):
        ledger_policy.load("eastmoor")
    call_command("create_authority", "westmoor", "Westmoor Council", "--admin-username", "wm-admin",
                 "--admin-password", "a-long-admin-password", "--rules-from", "southvale")  # fmt: skip
    assert "Started from Money rules from 1 April 2026, copied from southvale" in capsys.readouterr().out
    assert ledger_policy.load("westmoor").period_close.keep_weeks == 8
    copied = RulesVersion.objects.get(authority__slug="westmoor")
    assert copied.status == "published" and copied.uploaded_by.username == "wm-admin"
    with pytest.raises(CommandError, match="--rules-from: no authority 'nowhere'"):
        call_command("create_authority", "northmoor", "Northmoor Council", "--admin-username", "nm-admin",
                     "--admin-password", "a-long-admin-password", "--rules-from", "nowhere")  # fmt: skip
    assert not Authority.objects.filter(slug="northmoor").exists()


def test_the_command_line_uploads_and_publishes_and_lists_problems_by_line(world, settings, tmp_path):
    good = tmp_path / "ledger-2027.yaml"
    good.write_bytes(a_new_version(settings))
    out, err = io.StringIO(), io.StringIO()
    rules.rules_text(world.north.authority, "money")
    call_command("upload_rules", str(good), "--kind", "money", "--authority", "northshire", "--as",
                 "northshire-finance", "--publish", "--reason", "Cabinet", stdout=out)  # fmt: skip
    assert "Money rules from 1 April 2027: published" in out.getvalue()
    bad = tmp_path / "bad.yaml"
    bad.write_text(northshire_text(settings).replace("mode: net", "mode: sometimes"))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("upload_rules", str(bad), "--kind", "money", "--authority", "northshire", "--as",
                     "northshire-finance", stderr=err)  # fmt: skip
    assert f"{bad}:19: charging.mode:" in err.getvalue()
    with pytest.raises(CommandError, match="--as: northshire-assessor may not change the money rules"):
        call_command("upload_rules", str(good), "--kind", "money", "--authority", "northshire", "--as",
                     "northshire-assessor")  # fmt: skip


@pytest.mark.parametrize("role", [Role.PERSON, Role.REPRESENTATIVE, Role.PROVIDER, Role.PANEL])
def test_only_those_whose_roles_use_the_rules_see_them(world, role):
    client = client_for(world.north.users[role])
    assert client.get("/rules/").status_code == 403
    assert client.get("/rules/money/upload/").status_code == 403


def test_reading_is_not_changing_and_another_councils_rules_are_not_reachable(world, settings):
    version = rules.rules_text(world.south.authority, "money")
    assessor = client_for(world.north.users[Role.ASSESSOR])
    assert assessor.get("/rules/").status_code == 200
    assert assessor.get("/rules/money/upload/").status_code == 403
    assert client_for(world.north.users[Role.FINANCE]).get(f"/rules/versions/{version.pk}/").status_code == 404
    assert client_for(world.north.users[Role.FINANCE]).get("/rules/nonsense/upload/").status_code == 404
