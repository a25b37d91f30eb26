"""Staff sign in through their council's identity provider (issue 19.1): a real OpenID Connect
provider (the npm package oidc-provider, run by node on loopback), set up by the council's
administrator on its page, and the whole round trip in Chromium. Roles still come from this
service: only a verified email that belongs to an account at the council signs in."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from time_machine import escape_hatch

from helpers import client_for
from selfdirect.accounts.models import IdentityProvider
from selfdirect.core.constants import Role
from selfdirect.core.models import AuditEvent, Membership, User

pytestmark = pytest.mark.browser

SCRIPT = Path(__file__).resolve().parents[1] / "accounts" / "oidc_provider.mjs"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def provider(live_server):
    """The provider, its clock set to the service's (the suite's frozen day), so the times in its
    tokens agree with the service's as a real provider's would."""
    port = _free_port()
    offset_ms = int((time.time() - escape_hatch.time.time()) * 1000)
    process = subprocess.Popen(
        ["node", str(SCRIPT), str(port), f"{live_server.url}/sign-in/council/callback/", str(offset_ms)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None and process.stdout.readline().startswith("ready"), "provider did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _sign_in_through_provider(page, base: str, login: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_role("button", name="Sign in with your Northshire County Council account").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]", has_text="Continue").click()  # the provider's consent page


def test_staff_sign_in_with_their_council_account(page, live_server, browser_world, provider, caplog):
    side = browser_world.north
    priya = User.objects.create_user("priya", email="Priya.Shah@northshire.example", full_name="Priya Shah")
    Membership.objects.create(user=priya, authority=side.authority, role=Role.COMMISSIONER)
    admin = client_for(side.users[Role.ADMIN])
    form = admin.get("/accounts/identity-provider/").content.decode()
    assert "http://testserver/sign-in/council/callback/" in form
    unreachable = admin.post("/accounts/identity-provider/", {
        "issuer": "http://127.0.0.1:9/", "client_id": "selfdirect", "client_secret": "x", "enabled": "on",
        "reason": "Single sign-on",
    })  # fmt: skip
    assert unreachable.status_code == 400 and "Could not read http://127.0.0.1:9/.well-known" in unreachable.content.decode()
    saved = admin.post("/accounts/identity-provider/", {
        "issuer": provider, "client_id": "selfdirect", "client_secret": "a-test-client-secret", "enabled": "on",
        "reason": "Single sign-on for staff",
    })  # fmt: skip
    assert saved.status_code == 302
    configured = IdentityProvider.objects.get(authority=side.authority)
    assert configured.token_endpoint == f"{provider}/token" and configured.jwks_uri == f"{provider}/jwks"
    event = AuditEvent.objects.get(object_type="accounts.identityprovider")
    assert "a-test-client-secret" not in str(event.changes)
    side.authority.second_factor_required = True  # the provider does the checking: no code asked here
    side.authority.save()

    _sign_in_through_provider(page, live_server.url, "priya")
    assert "did not work" not in page.content(), caplog.text  # the service's log says why, if it failed
    expect(page.get_by_test_id("authority")).to_have_text("Northshire County Council")
    expect(page.get_by_test_id("role")).to_contain_text("Commissioner")
    assert page.url == f"{live_server.url}/"


@pytest.mark.parametrize("login", ["unverified", "stranger"])
def test_an_unverified_or_unknown_email_does_not_sign_in(page, live_server, browser_world, provider, login):
    side = browser_world.north
    finance = side.users[Role.FINANCE]
    finance.email = "northshire-finance@example.org"  # "unverified" claims this email, unverified
    finance.save()
    from selfdirect.accounts import oidc

    IdentityProvider.objects.create(authority=side.authority, client_id="selfdirect",
                                    client_secret="a-test-client-secret", issuer=provider, **oidc.discover(provider))  # fmt: skip
    _sign_in_through_provider(page, live_server.url, login)
    assert page.url.startswith(f"{live_server.url}/sign-in/")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Signing in with your Northshire County Council account did not work"
    )
