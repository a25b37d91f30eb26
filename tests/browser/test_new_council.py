"""A new council from nothing (issue 19.4, its first half): `create_authority`, then everything in
the browser: the administrator signs in, requires a second factor and sets up their own app,
invites a commissioner, a finance officer and an assessor; each receives the email (a real SMTP
server on loopback), follows its link, chooses a password, sets up their app and arrives at their
home page in their role. Nothing is done in a shell and no file of the repository is touched."""

from __future__ import annotations

import base64

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from playwright.sync_api import expect

from browser_support import follow, serious_violations
from mail_support import smtp  # noqa: F401 - the SMTP server on loopback
from selfdirect.core.models import Authority, User

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "eastmoor-admin-password"

STAFF = [
    ("Cara Commissioner", "cara@eastmoor.example", "Commissioner"),
    ("Fin Officer", "fin@eastmoor.example", "Finance officer"),
    ("Asa Assessor", "asa@eastmoor.example", "Assessor or care co-ordinator"),
]


def code_from(page) -> str:
    """What an authenticator app shows for the key on the set-up page, now."""
    key = page.get_by_test_id("key").inner_text().replace(" ", "")
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    return f"{TOTP(secret).token():06d}"


def set_up_app(page, problems: list[str]) -> None:
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    problems.extend(serious_violations(page))
    page.get_by_label("Code from your authenticator app").fill(code_from(page))
    follow(page, page.get_by_role("button", name="Continue"))


def test_a_council_sets_itself_up_in_the_browser(browser, live_server, flushable_db, smtp):  # noqa: F811
    call_command("create_authority", "eastmoor", "Eastmoor Council", "--admin-username", "em-admin",
                 "--admin-name", "Em Admin", "--admin-email", "em@eastmoor.example", "--admin-password", ADMIN_PASSWORD)  # fmt: skip
    base, problems = live_server.url, []
    admin = browser.new_context().new_page()
    admin.goto(f"{base}/sign-in/")
    admin.get_by_label("Username").fill("em-admin")
    admin.get_by_label("Password").fill(ADMIN_PASSWORD)
    follow(admin, admin.get_by_role("button", name="Sign in"))
    expect(admin.get_by_test_id("authority")).to_have_text("Eastmoor Council")

    # The administrator asks staff for a second factor, and sets up their own at once.
    follow(admin, admin.get_by_role("link", name="Your council’s service: logo, accessibility statement, privacy notice and cookies"))
    follow(admin, admin.get_by_role("link", name="Change how staff sign in"))
    admin.get_by_label("Staff must enter a code from an authenticator app as well as their password").check()
    admin.get_by_label("Why are you making this change?").fill("Information governance policy")
    follow(admin, admin.get_by_role("button", name="Save"))
    set_up_app(admin, problems)

    for name, email, role in STAFF:
        follow(admin, admin.get_by_role("link", name="Staff", exact=True))
        follow(admin, admin.get_by_role("button", name="Invite someone"))
        admin.get_by_label("Full name").fill(name)
        admin.get_by_label("Email address").fill(email)
        admin.get_by_label(role, exact=True).check()
        follow(admin, admin.get_by_role("button", name="Send the invitation"))
        expect(admin.locator(".govuk-notification-banner")).to_contain_text(f"An invitation has been emailed to {email}")
    expect(admin.get_by_test_id("waiting")).to_contain_text("Fin Officer")
    problems.extend(serious_violations(admin))

    for name, email, role in STAFF:
        [message] = smtp.to(email)
        invitee = browser.new_context().new_page()
        invitee.goto(f"{base}{smtp.link_in(message)}")
        expect(invitee.get_by_role("heading", name="Set up your account")).to_be_visible()
        problems.extend(serious_violations(invitee))
        invitee.get_by_label("Choose a password").fill(f"{email}-password")
        invitee.get_by_label("Type the password again").fill(f"{email}-password")
        follow(invitee, invitee.get_by_role("button", name="Set up my account"))
        set_up_app(invitee, problems)
        expect(invitee.get_by_test_id("authority")).to_have_text("Eastmoor Council")
        expect(invitee.get_by_test_id("role")).to_have_text(role)
        invitee.context.close()

    eastmoor = Authority.objects.get(slug="eastmoor")
    assert {u.username for u in User.objects.filter(memberships__authority=eastmoor)} == {
        "em-admin", "cara@eastmoor.example", "fin@eastmoor.example", "asa@eastmoor.example",
    }  # fmt: skip
    follow(admin, admin.get_by_role("link", name="Staff", exact=True))
    expect(admin.get_by_test_id("accounts")).to_contain_text("Cara Commissioner")
    expect(admin.get_by_test_id("waiting")).to_have_count(0)  # every invitation accepted
    assert problems == []
