"""A council manages its own accounts (issue 19.1): an administrator invites staff by email, gives
and takes roles and teams, switches accounts off (sessions and tokens stop at once); people are
invited from their record; a forgotten password is reset by email; API tokens are made, named,
given an end date and revoked on a page. Every email is received by a real SMTP server on loopback
and its link followed."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test import Client

from helpers import PASSWORD, client_for
from selfdirect.accounts.models import Deactivation, Invitation
from selfdirect.core.constants import Role
from selfdirect.core.models import ApiToken, AuditEvent, Membership, User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-long-password"


def invite(admin: Client, capture, **fields):
    data = {"full_name": "Priya Shah", "email": "Priya.Shah@northshire.example", "roles": ["commissioner", "finance"],
            "days": "7", **fields}  # fmt: skip
    with capture(execute=True):
        return admin.post("/accounts/invite/", data)


def test_an_invited_commissioner_sets_a_password_from_the_email_and_is_signed_in(
    world, smtp, django_capture_on_commit_callbacks
):
    side = world.north
    admin = client_for(side.users[Role.ADMIN])
    sent = invite(admin, django_capture_on_commit_callbacks, teams=[side.home_team.pk])
    assert sent.status_code == 302 and sent["Location"] == "/accounts/"
    [message] = smtp.to("priya.shah@northshire.example")
    assert message["Subject"] == "Set up your account for Northshire County Council's care and support budgets"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "You will be able to work as: Finance officer, Commissioner." in body
    assert "Your username is your email address: priya.shah@northshire.example" in body
    link = smtp.link_in(message)
    assert link.startswith("/accounts/invitation/")
    listed = admin.get("/accounts/").content.decode()
    assert "Invitations not yet accepted" in listed and "Priya Shah" in listed

    browser = Client()
    page = browser.get(link).content.decode()
    assert "Set up your account" in page and "to work as Finance officer, Commissioner" in page
    mismatch = browser.post(link, {"password": NEW_PASSWORD, "again": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 400 and "The two passwords are different" in mismatch.content.decode()
    weak = browser.post(link, {"password": "password", "again": "password"})
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    assert not User.objects.filter(email="priya.shah@northshire.example").exists()
    done = browser.post(link, {"password": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/"
    home = browser.get("/").content.decode()
    assert "Your account is ready" in home and "Finance officer, Commissioner" in home

    user = User.objects.get(username="priya.shah@northshire.example")
    assert user.full_name == "Priya Shah" and user.check_password(NEW_PASSWORD)
    assert user.roles_in(side.authority) == {Role.COMMISSIONER, Role.FINANCE}
    assert list(user.teams.all()) == [side.home_team]
    assert Client().login(username="priya.shah@northshire.example", password=NEW_PASSWORD)
    events = AuditEvent.objects.filter(object_type="accounts.invitation").order_by("at", "id")
    assert [e.action for e in events] == ["create", "change"]
    assert events[0].changes["roles"] == [None, ["Finance officer", "Commissioner"]]
    # The link works once.
    again = Client().get(link)
    assert again.status_code == 410 and "already been used" in again.content.decode()


def test_links_that_cannot_be_used_say_why(world, smtp, django_capture_on_commit_callbacks, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC), tick=False)
    admin = client_for(world.north.users[Role.ADMIN])
    invite(admin, django_capture_on_commit_callbacks, days="2")
    first = smtp.link_in(smtp.messages[0])
    invite(admin, django_capture_on_commit_callbacks, days="2")  # a new invitation replaces the first
    second = smtp.link_in(smtp.messages[1])
    replaced = Client().get(first)
    assert replaced.status_code == 410 and "withdrawn or replaced by a newer one" in replaced.content.decode()
    assert Client().get("/accounts/invitation/not-a-link/").status_code == 410
    time_machine.move_to(dt.datetime(2026, 12, 9, 10, tzinfo=dt.UTC), tick=False)
    expired = Client().get(second)
    assert expired.status_code == 410 and "This link expired on 9 December 2026" in expired.content.decode()
    assert Client().post(second, {"password": NEW_PASSWORD, "again": NEW_PASSWORD}).status_code == 410
    assert not User.objects.filter(email="priya.shah@northshire.example").exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
        ({"email": "northshire-assessor@example.org"}, "email", "already has an account here"),
        ({"roles": ["wizard"]}, "roles", "Select roles from the list"),
        ({"roles": []}, "roles", "Select at least one role"),
        ({"days": "0"}, "days", "must be 1 or more"),
        ({"days": "31"}, "days", "must be 30 or less"),
        ({"full_name": ""}, "full_name", "Enter full name"),
    ],
)
def test_a_bad_invitation_is_refused_beside_its_field_and_nothing_is_sent(
    world, smtp, django_capture_on_commit_callbacks, fields, field, message
):
    assessor = world.north.users[Role.ASSESSOR]
    assessor.email = "northshire-assessor@example.org"
    assessor.save()
    response = invite(client_for(world.north.users[Role.ADMIN]), django_capture_on_commit_callbacks, **fields)
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert f'href="#id_{field}' in page and message in page, page
    assert not Invitation.objects.exists() and smtp.messages == []


def test_the_same_email_at_another_council_is_invited_to_add_roles_to_its_account(
    world, smtp, django_capture_on_commit_callbacks
):
    south_finance = world.south.users[Role.FINANCE]
    south_finance.email = "shared@example.org"
    south_finance.save()
    invite(client_for(world.north.users[Role.ADMIN]), django_capture_on_commit_callbacks,
           email="shared@example.org", roles=["panel"])  # fmt: skip
    link = smtp.link_in(smtp.messages[0])
    anonymous = Client().get(link).content.decode()
    assert "You already have an account with the email shared@example.org" in anonymous
    assert Client().post(link).status_code == 400  # not signed in as that account
    signed_in = client_for(south_finance)
    assert "Accept the invitation" in signed_in.get(link).content.decode()
    assert signed_in.post(link).status_code == 302
    assert south_finance.roles_in(world.north.authority) == {Role.PANEL}
    assert User.objects.filter(email="shared@example.org").count() == 1


def test_roles_and_teams_change_with_a_reason_and_the_last_administrator_stays(world):
    side = world.north
    admin_user = side.users[Role.ADMIN]
    admin = client_for(admin_user)
    planner = side.users[Role.PLANNER]
    page = admin.get(f"/accounts/{planner.pk}/").content.decode()
    assert "Support planner or broker" in page and "Home team" in page
    saved = admin.post(f"/accounts/{planner.pk}/", {"roles": ["planner", "panel"], "teams": [side.other_team.pk],
                                                    "reason": "Joined the panel rota"})  # fmt: skip
    assert saved.status_code == 302
    assert planner.roles_in(side.authority) == {Role.PLANNER, Role.PANEL}
    assert list(planner.teams.values_list("name", flat=True)) == ["Other team"]
    event = AuditEvent.objects.get(object_type="core.user", object_id=str(planner.pk))
    assert event.changes["roles"] == [["Support planner or broker"], ["Support planner or broker", "Risk panel member"]]
    assert event.changes["teams"] == [["Home team"], ["Other team"]]
    assert event.reason == "Joined the panel rota"
    no_reason = admin.post(f"/accounts/{planner.pk}/", {"roles": ["planner"], "reason": ""})
    assert no_reason.status_code == 400
    alone = admin.post(f"/accounts/{admin_user.pk}/", {"roles": ["finance"], "reason": "Moving to finance"})
    assert alone.status_code == 400 and "only administrator" in alone.content.decode()
    assert Role.ADMIN in Membership.objects.filter(user=admin_user).values_list("role", flat=True)


def test_switching_an_account_off_stops_its_session_and_tokens_at_once_and_on_again(world):
    side = world.north
    admin = client_for(side.users[Role.ADMIN])
    finance_user = side.users[Role.FINANCE]
    session = client_for(finance_user)
    token = ApiToken.issue(finance_user, side.authority, "Finance system")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert Client().get("/api/v1/me", **auth).status_code == 200
    assert session.get("/money/").status_code == 200

    refused = admin.post(f"/accounts/{finance_user.pk}/switch-off/", {"off-reason": ""})
    assert refused.status_code == 400 and "Say why you are making this change" in refused.content.decode()
    done = admin.post(f"/accounts/{finance_user.pk}/switch-off/", {"off-reason": "Left the council"})
    assert done.status_code == 302
    assert session.get("/money/").status_code == 302  # back to sign-in: the session no longer works
    assert Client().get("/api/v1/me", **auth).status_code == 401
    assert not Client().login(username=finance_user.username, password=PASSWORD)
    off = Deactivation.objects.get(user=finance_user)
    assert off.roles == ["finance"] and off.reason == "Left the council"
    assert "Switched off" in admin.get("/accounts/").content.decode()
    event = AuditEvent.objects.filter(object_type="core.user", object_id=str(finance_user.pk)).latest("at")
    assert event.changes["account"] == ["Switched on", "Switched off"] and event.changes["API tokens revoked"] == [None, 1]

    page = admin.get(f"/accounts/{finance_user.pk}/").content.decode()
    assert "Switch the account back on" in page and 'value="finance" checked' in page
    admin.post(f"/accounts/{finance_user.pk}/", {"roles": ["finance"], "reason": "Came back"})
    assert Client().login(username=finance_user.username, password=PASSWORD)
    assert Client().get("/api/v1/me", **auth).status_code == 401  # a revoked token stays revoked
    assert not Deactivation.objects.exists()


def test_an_administrator_cannot_switch_themselves_off(world):
    admin_user = world.north.users[Role.ADMIN]
    response = client_for(admin_user).post(f"/accounts/{admin_user.pk}/switch-off/", {"off-reason": "Testing"})
    assert response.status_code == 400 and "You cannot switch off your own account" in response.content.decode()


def test_a_person_is_invited_from_their_record_and_sees_it_after_setting_a_password(
    world, smtp, django_capture_on_commit_callbacks
):
    side = world.north
    person = side.caseload_person
    assessor = client_for(side.users[Role.ASSESSOR])  # on the person's team
    record = assessor.get(f"/people/{person.pk}/").content.decode()
    assert f"Invite {person} to see their own record" in record
    with django_capture_on_commit_callbacks(execute=True):
        sent = assessor.post(f"/accounts/invite/person/{person.pk}/",
                             {"full_name": str(person), "email": "john@example.org", "days": "14"})  # fmt: skip
    assert sent.status_code == 302 and sent["Location"] == f"/people/{person.pk}/"
    assert "Invitation sent to john@example.org" in assessor.get(f"/people/{person.pk}/").content.decode()
    link = smtp.link_in(smtp.to("john@example.org")[0])
    browser = Client()
    browser.post(link, {"password": NEW_PASSWORD, "again": NEW_PASSWORD})
    person.refresh_from_db()
    assert person.user.username == "john@example.org"
    assert person.user.roles_in(side.authority) == {Role.PERSON}
    assert browser.get(f"/people/{person.pk}/").status_code == 200
    assert browser.get(f"/people/{side.other_person.pk}/").status_code in (403, 404)
    # Staff who do not work with the person cannot invite them.
    assert client_for(world.south.users[Role.ADMIN]).get(f"/accounts/invite/person/{person.pk}/").status_code == 404


def test_a_forgotten_password_is_reset_from_the_emailed_link(world, smtp):
    user = world.north.users[Role.PLANNER]
    user.email = "planner@northshire.example"
    user.save()
    page = Client().get("/sign-in/").content.decode()
    assert 'href="/sign-in/forgotten/"' in page
    asked = Client().post("/sign-in/forgotten/", {"email": "planner@northshire.example"})
    assert asked.status_code == 302 and asked["Location"] == "/sign-in/forgotten/sent/"
    assert Client().post("/sign-in/forgotten/", {"email": "nobody@example.org"}).status_code == 302  # says nothing
    [message] = smtp.messages
    assert "Your username is northshire-planner." in message.get_body(preferencelist=("plain",)).get_content()
    browser = Client()
    form = browser.get(smtp.link_in(message), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = browser.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert Client().login(username="northshire-planner", password=NEW_PASSWORD)
    assert AuditEvent.objects.filter(object_type="core.user", reason="Password reset by email").count() == 1
    used = Client().get(smtp.link_in(message), follow=True).content.decode()
    assert "This link cannot be used" in used


def test_api_tokens_are_made_named_ended_and_revoked_on_a_page(world, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC), tick=False)
    side = world.north
    finance = client_for(side.users[Role.FINANCE])
    bad = finance.post("/accounts/me/tokens/new/", {"name": "Nightly import", "expires_on_0": "7",
                                                    "expires_on_1": "12", "expires_on_2": "2026"})  # fmt: skip
    assert bad.status_code == 400 and "must be in the future" in bad.content.decode()
    too_long = finance.post("/accounts/me/tokens/new/", {"name": "Nightly import", "expires_on_0": "1",
                                                         "expires_on_1": "1", "expires_on_2": "2028"})  # fmt: skip
    assert too_long.status_code == 400 and "at most a year" in too_long.content.decode()
    made = finance.post("/accounts/me/tokens/new/", {"name": "Nightly import", "expires_on_0": "1",
                                                     "expires_on_1": "1", "expires_on_2": "2027"})  # fmt: skip
    assert made.status_code == 200
    page = made.content.decode()
    raw = page.split('data-testid="token"><code>')[1].split("</code>")[0]
    assert raw.startswith("sd_") and "until 1 January 2027" in page
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert Client().get("/api/v1/me", **auth).status_code == 200
    mine = finance.get("/accounts/me/").content.decode()
    assert "Nightly import" in mine and raw not in mine and "1 January 2027" in mine
    time_machine.move_to(dt.datetime(2027, 1, 1, 0, 1, tzinfo=dt.UTC), tick=False)
    assert Client().get("/api/v1/me", **auth).status_code == 401
    assert "Expired" in client_for(side.users[Role.FINANCE]).get("/accounts/me/").content.decode()
    time_machine.move_to(dt.datetime(2026, 12, 8, 9, tzinfo=dt.UTC), tick=False)
    token = ApiToken.objects.get(name="Nightly import")
    # Someone else's token cannot be revoked by them; an administrator of the council can.
    assert client_for(side.users[Role.PLANNER]).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert client_for(world.south.users[Role.ADMIN]).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert client_for(side.users[Role.ADMIN]).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert Client().get("/api/v1/me", **auth).status_code == 401
    assert [e.action for e in AuditEvent.objects.filter(object_type="core.apitoken").order_by("id")] == ["create", "change"]
    # People who hold a budget have no tokens to make.
    assert client_for(side.users[Role.PERSON]).get("/accounts/me/tokens/new/").status_code == 403


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_administrators_manage_staff_accounts(world, role):
    client = client_for(world.north.users[role])
    target = world.north.users[Role.PLANNER]
    for path in ("/accounts/", "/accounts/invite/", f"/accounts/{target.pk}/"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/accounts/{target.pk}/switch-off/", {"off-reason": "x"}).status_code == 403
    assert client.get("/accounts/me/").status_code == 200


def test_another_councils_administrator_cannot_reach_an_account(world):
    south_admin = client_for(world.south.users[Role.ADMIN])
    north_planner = world.north.users[Role.PLANNER]
    assert south_admin.get(f"/accounts/{north_planner.pk}/").status_code == 404
    assert south_admin.post(f"/accounts/{north_planner.pk}/switch-off/", {"off-reason": "x"}).status_code == 404
    assert "northshire-planner" not in south_admin.get("/accounts/").content.decode()


def test_a_forged_or_stale_return_from_an_identity_provider_is_a_failed_sign_in_not_a_fault(world):
    assert Client().get("/sign-in/council/northshire/").status_code == 404  # no provider set up
    back = Client().get("/sign-in/council/callback/?code=abc&state=forged")
    assert back.status_code == 302 and back["Location"] == "/sign-in/"
    refused = Client().get("/sign-in/council/callback/?error=access_denied&state=x")
    assert refused.status_code == 302 and refused["Location"] == "/sign-in/"


def test_an_id_token_for_another_application_or_issuer_is_refused(world):
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.core.exceptions import SuspiciousOperation

    from selfdirect.accounts.models import IdentityProvider
    from selfdirect.accounts.oidc import CouncilOIDCBackend

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    backend = CouncilOIDCBackend()
    backend.provider = IdentityProvider(authority=world.north.authority, issuer="https://login.example/",
                                        client_id="selfdirect")  # fmt: skip
    backend.OIDC_RP_CLIENT_ID = "selfdirect"
    now = int(time.time())

    def token(**claims):
        body = {"iss": "https://login.example", "aud": "selfdirect", "sub": "x", "iat": now, "exp": now + 300, **claims}
        return jwt.encode(body, key, algorithm="RS256")

    assert backend._verify_jws(token(), key.public_key())["sub"] == "x"
    assert backend._verify_jws(token(iat=now + 30), key.public_key())  # a clock half a minute ahead
    for bad in (token(aud="another-app"), token(iss="https://evil.example"), token(exp=now - 120),
                token(iat=now + 3600)):  # fmt: skip
        with pytest.raises(SuspiciousOperation):
            backend._verify_jws(bad, key.public_key())
