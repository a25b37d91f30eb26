"""Every page, for the roles that reach it, in real Chromium: it renders, and axe finds no
serious or critical violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser_support import serious_violations, sign_in
from selfdirect.core.constants import Role

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_to_its_home_page(page, live_server, browser_world, role):
    sign_in(page, live_server.url, f"northshire-{role}")
    assert page.url == f"{live_server.url}/"
    assert page.get_by_test_id("authority").inner_text() == "Northshire County Council"
    assert Role(role).label in page.get_by_test_id("role").inner_text()
    assert serious_violations(page) == []


def pages_for(world, role):
    side = world.north
    person = side.self_person
    rep = side.representative
    common = ["/", "/authority/", "/this-page-does-not-exist/", "/accounts/me/"]
    if role == Role.ADMIN:
        return common + [
            "/people/", "/people/?q=okafor", "/people/new/", f"/people/{person.pk}/", f"/people/{person.pk}/edit/",
            f"/people/{person.pk}/history/", f"/people/{person.pk}/contacts/", f"/people/{person.pk}/contacts/new/",
            f"/people/{person.pk}/representatives/new/", f"/people/{person.pk}/representatives/{rep.pk}/",
            f"/people/{person.pk}/representatives/{rep.pk}/delete/", f"/people/{person.pk}/allocate/",
            f"/people/{person.pk}/delete/", "/people/teams/", f"/people/teams/{side.home_team.pk}/",
            "/people/import/", "/audit/", "/api/v1/docs", "/council/", "/council/logo/",
            "/accounts/", "/accounts/invite/", f"/accounts/{side.users[Role.PLANNER].pk}/", "/accounts/me/",
            "/accounts/me/tokens/new/", f"/accounts/invite/person/{person.pk}/", "/accounts/two-factor/",
            "/council/sign-in/",
        ]  # fmt: skip
    if role == Role.PERSON:
        return common + [
            f"/people/{person.pk}/",
            f"/people/{person.pk}/history/",
            f"/people/{person.pk}/edit/",
        ]
    if role == Role.FINANCE:
        return common + ["/people/", f"/people/{side.other_person.pk}/", "/rules/", "/rules/money/upload/"]
    return common


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PERSON, Role.FINANCE])
def test_every_page_passes_axe(page, live_server, browser_world, role):
    sign_in(page, live_server.url, f"northshire-{role}")
    problems = {}
    for path in pages_for(browser_world, role):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status < 500, path
        found = serious_violations(page)
        if found:
            problems[path] = found
    assert problems == {}


def test_sign_in_page_and_its_errors_pass_axe(page, live_server, browser_world):
    page.goto(f"{live_server.url}/sign-in/")
    assert serious_violations(page) == []
    sign_in(page, live_server.url, "northshire-admin", "wrong-password")
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert serious_violations(page) == []


def test_the_axe_check_itself_catches_a_bad_page(page):
    # Guards the guard: an image without alternative text and an unlabeled input must be reported.
    page.set_content('<html lang="en"><body><main><img src="x.png"><input type="text"></main></body></html>')
    found = serious_violations(page)
    assert any(line.startswith("image-alt") for line in found)
    assert any(line.startswith("label") for line in found)


EVERY_IMPACT = frozenset({"minor", "moderate", "serious", "critical"})


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PERSON])
def test_the_council_frames_every_page_and_all_content_is_in_a_landmark(page, live_server, browser_world, role):
    """The header names the council; everything on the page sits in a landmark (axe "region", a
    moderate finding before: the signed-in bar sat between the header and the main content); the
    API documentation is offered to staff only."""
    page.goto(f"{live_server.url}/sign-in/")
    assert [v for v in serious_violations(page, EVERY_IMPACT) if v.startswith("region")] == []
    sign_in(page, live_server.url, f"northshire-{role}")
    for path in pages_for(browser_world, role):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_test_id("service-name")).to_contain_text("Northshire County Council")
        assert [v for v in serious_violations(page, EVERY_IMPACT) if v.startswith("region")] == [], path
    page.goto(f"{live_server.url}/")
    api_docs = page.locator("footer").get_by_role("link", name="API documentation")
    expect(api_docs).to_have_count(1 if role == Role.ADMIN else 0)
