"""Accounts through the API and the command line (issue 19.1: web, API and CLI for all): the same
services as the pages, the same refusals, each naming its field or option."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from helpers import token_for
from selfdirect.core.constants import Role
from selfdirect.core.models import ApiToken, AuditEvent, User

pytestmark = pytest.mark.django_db


def api(world, role, method, path, body=None, side="north"):
    authority = getattr(world, side).authority
    token = token_for(getattr(world, side).users[role], authority)
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(Client(), method)(f"/api/v1{path}", **kwargs)


def test_an_administrator_invites_changes_roles_and_switches_off_through_the_api(
    world, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = api(world, Role.ADMIN, "post", "/accounts/invitations",
                   {"email": "ops@northshire.example", "full_name": "Ola Peters", "roles": ["finance"], "days": 3})  # fmt: skip
    assert made.status_code == 201, made.content
    assert made.json()["state"] == "Waiting" and made.json()["roles"] == ["finance"]
    assert "link" not in made.json()  # the link goes to the email only
    link = smtp.link_in(smtp.to("ops@northshire.example")[0])
    assert Client().post(link, {"password": "a-long-enough-password", "again": "a-long-enough-password"}).status_code == 302
    ola = User.objects.get(username="ops@northshire.example")

    listed = api(world, Role.ADMIN, "get", "/accounts").json()
    assert {"username": "ops@northshire.example", "roles": ["finance"], "switched_off": False}.items() <= next(
        a for a in listed if a["id"] == ola.pk
    ).items()
    changed = api(world, Role.ADMIN, "put", f"/accounts/{ola.pk}/roles",
                  {"roles": ["finance", "commissioner"], "team_ids": [world.north.home_team.pk], "reason": "Covering"})  # fmt: skip
    assert changed.status_code == 200 and set(changed.json()["roles"]) == {"finance", "commissioner"}
    off = api(world, Role.ADMIN, "post", f"/accounts/{ola.pk}/switch-off", {"reason": "Left"})
    assert off.status_code == 200 and off.json()["switched_off"] is True
    ola.refresh_from_db()
    assert not ola.is_active


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"email": "x@example.org", "full_name": "X", "roles": ["wizard"]}, ["body", "payload", "roles", "0"]),
        ({"email": "x@example.org", "full_name": "X", "roles": []}, ["body", "payload", "roles"]),
        ({"email": "x@example.org", "full_name": "X", "roles": ["panel"], "days": 45}, ["body", "payload", "days"]),
        ({"email": "not an email", "full_name": "X", "roles": ["panel"]}, ["body", "email"]),
    ],
)
def test_a_bad_invitation_through_the_api_names_its_field_and_writes_nothing(world, body, path):
    response = api(world, Role.ADMIN, "post", "/accounts/invitations", body)
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]][0][: len(path)] == path
    assert not AuditEvent.objects.filter(object_type="accounts.invitation").exists()


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_administrators_manage_accounts_through_the_api(world, role):
    target = world.north.users[Role.PLANNER]
    assert api(world, role, "get", "/accounts").status_code == 403
    assert api(world, role, "post", f"/accounts/{target.pk}/switch-off", {"reason": "x"}).status_code == 403


def test_another_councils_account_is_not_found_through_the_api(world):
    target = world.north.users[Role.PLANNER]
    response = api(world, Role.ADMIN, "put", f"/accounts/{target.pk}/roles", {"roles": ["panel"], "reason": "x"},
                   side="south")  # fmt: skip
    assert response.status_code == 404
    assert target.roles_in(world.north.authority) == {Role.PLANNER}


def test_staff_make_list_and_revoke_their_tokens_through_the_api(world, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC), tick=False)
    made = api(world, Role.FINANCE, "post", "/me/tokens", {"name": "Ledger export", "expires_on": "2027-03-31"})
    assert made.status_code == 201
    raw = made.json()["token"]
    listed = Client().get("/api/v1/me/tokens", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    ledger = next(t for t in listed if t["name"] == "Ledger export")
    assert ledger["state"] == "In use" and ledger["expires_at"] == "2027-03-30T23:00:00Z"  # the start of 31 March, UK summer time
    assert all("token" not in t for t in listed)
    past = api(world, Role.FINANCE, "post", "/me/tokens", {"name": "Old", "expires_on": "2026-12-01"})
    assert past.status_code == 422 and past.json()["errors"][0]["path"][-1] == "expires_on"
    token_id = made.json()["id"]
    assert api(world, Role.PLANNER, "post", f"/tokens/{token_id}/revoke").status_code == 404
    assert api(world, Role.FINANCE, "post", f"/tokens/{token_id}/revoke").json()["state"] == "Revoked"
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert api(world, Role.PERSON, "get", "/me/tokens").status_code == 403


def test_the_command_line_invites_sets_roles_switches_off_and_makes_tokens(
    world, smtp, django_capture_on_commit_callbacks, capsys, settings
):
    settings.SITE_URL = "https://budgets.northshire.example"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("invite_user", "--authority", "northshire", "--email", "cli@example.org", "--name", "Cy Li",
                     "--role", "assessor", "--team", "Home team", "--as", "northshire-admin")  # fmt: skip
    body = smtp.to("cli@example.org")[0].get_body(preferencelist=("plain",)).get_content()
    assert "https://budgets.northshire.example/accounts/invitation/" in body
    with pytest.raises(CommandError, match="--team: no team called 'Night team'"):
        call_command("invite_user", "--authority", "northshire", "--email", "b@example.org", "--name", "B",
                     "--role", "assessor", "--team", "Night team", "--as", "northshire-admin")  # fmt: skip
    with pytest.raises(CommandError, match="--role: There is no role called wizard"):
        call_command("invite_user", "--authority", "northshire", "--email", "b@example.org", "--name", "B",
                     "--role", "wizard", "--as", "northshire-admin")  # fmt: skip
    with pytest.raises(CommandError, match="--as: northshire-finance is not an administrator"):
        call_command("invite_user", "--authority", "northshire", "--email", "b@example.org", "--name", "B",
                     "--role", "panel", "--as", "northshire-finance")  # fmt: skip

    call_command("set_roles", "northshire-planner", "--authority", "northshire", "--role", "planner", "--role",
                 "panel", "--reason", "Panel rota", "--as", "northshire-admin")  # fmt: skip
    assert world.north.users[Role.PLANNER].roles_in(world.north.authority) == {Role.PLANNER, Role.PANEL}
    call_command("switch_off_user", "northshire-planner", "--authority", "northshire", "--reason", "Left",
                 "--as", "northshire-admin")  # fmt: skip
    with pytest.raises(CommandError, match="already switched off"):
        call_command("switch_off_user", "northshire-planner", "--authority", "northshire", "--reason", "Left",
                     "--as", "northshire-admin")  # fmt: skip
    with pytest.raises(CommandError, match="username: 'northshire-planner' has no account at southvale"):
        call_command("switch_off_user", "northshire-planner", "--authority", "southvale", "--reason", "Left",
                     "--as", "southvale-admin")  # fmt: skip

    capsys.readouterr()
    ends = timezone.localdate() + dt.timedelta(days=100)
    call_command("create_api_token", "northshire-finance", "--authority", "northshire", "--name", "Nightly",
                 "--expires", ends.isoformat())  # fmt: skip
    raw = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(name="Nightly")
    assert raw.startswith("sd_") and timezone.localtime(token.expires_at).date() == ends
    assert timezone.localtime(token.expires_at).time() == dt.time(0, 0)
    too_late = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    with pytest.raises(CommandError, match="--expires: A token can last at most a year"):
        call_command("create_api_token", "northshire-finance", "--authority", "northshire", "--expires", too_late)
