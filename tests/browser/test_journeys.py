"""Journeys a worker makes, in real Chromium, including with JavaScript switched off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser_support import serious_violations, sign_in
from selfdirect.people.models import Person

pytestmark = pytest.mark.browser


def fill_new_person(page, *, nhs_number: str) -> None:
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hall")
    page.get_by_label("Day").first.fill("27")
    page.get_by_label("Month").first.fill("3")
    page.get_by_label("Year").first.fill("1948")
    page.get_by_label("Address line 1").fill("4 Mill Lane")
    page.get_by_label("Town or city").fill("Kelby")
    page.get_by_label("Postcode").fill("NX4 4TF")
    page.get_by_label("NHS number").fill(nhs_number)
    page.get_by_label("Client group").select_option("older")
    page.get_by_label("Primary support reason").select_option("physical")
    page.get_by_label("Team", exact=True).select_option(label="Home team")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_assessor_adds_a_person_fixing_a_mistake(browser, live_server, browser_world, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, live_server.url, "northshire-assessor")
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_role("button", name="Add a person").click()
    fill_new_person(page, nhs_number="943 476 5918")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "Enter a valid NHS number" in summary.inner_text()
    assert serious_violations(page) == [] if javascript else True
    assert not Person.objects.filter(family_name="Hall").exists()
    # The error summary links to the field.
    summary.get_by_role("link").first.click()
    page.get_by_label("NHS number").fill("943 476 5919")
    page.get_by_label("Day").first.fill("27")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Grace Hall")).to_be_visible()
    assert "was added with reference" in page.locator(".govuk-notification-banner").inner_text()
    assert Person.objects.get(family_name="Hall").nhs_number == "9434765919"
    context.close()


def test_change_then_read_the_history(page, live_server, browser_world):
    person = browser_world.north.caseload_person
    sign_in(page, live_server.url, "northshire-planner")
    page.goto(f"{live_server.url}/people/{person.pk}/")
    page.get_by_role("link", name="Change address").click()
    page.get_by_label("Postcode").fill("NX9 9ZZ")
    page.get_by_label("Why are you making this change?").fill("Moved to sheltered housing")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="See the history of changes to this record").click()
    table = page.locator("table").inner_text()
    assert "Moved to sheltered housing" in table and "NX9 9ZZ" in table
    assert serious_violations(page) == []


def test_representative_sees_only_who_they_act_for(page, live_server, browser_world):
    sign_in(page, live_server.url, "northshire-representative")
    links = page.locator("main ul a").all_inner_texts()
    assert links == [str(browser_world.north.self_person)]
    response = page.goto(f"{live_server.url}/people/{browser_world.north.caseload_person.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
