"""Self-assessment and policy journeys in real Chromium (with JavaScript on and off), and axe on
every assessment and allocation page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_support import follow, serious_violations, sign_in
from selfdirect.allocation import services
from selfdirect.assessment import services as assessment_services
from selfdirect.assessment.models import Assessment
from selfdirect.core.constants import Role
from selfdirect.policies import services as policy_services

pytestmark = pytest.mark.browser

POLICIES = Path(__file__).resolve().parents[2] / "policies"
ANSWERS = {  # the seed case: (24 + 11) points x £270 = £9,450 a year
    "client_group": "I am an older person", "age": "80", "pc_trigger": "Yes",
    "pc_washing": "Someone has to do it for me", "pc_dressing": "Someone has to do it for me",
    "pc_toilet": "Yes", "mob_trigger": "Yes", "mob_indoors": "I need two people or a hoist", "mob_outdoors": "Yes",
}  # fmt: skip


@pytest.fixture
def published(browser_world, monkeypatch):
    monkeypatch.setattr(assessment_services, "today", lambda: dt.date(2026, 5, 1))
    side = browser_world.north
    out = {}
    for name in ("policy-2026.yaml", "policy-2027.yaml"):
        out[name] = policy_services.publish_file(
            side.users[Role.COMMISSIONER], side.authority, (POLICIES / "northshire" / name).read_text(), name
        )
    return out


def answer_questions(page, problems, axe):
    """Answer every question page until "Check your answers"; optional ones left blank."""
    for _ in range(60):
        if "/questions/" not in page.url:
            return
        qid = page.url.rstrip("/").rsplit("/", 1)[-1]
        assert qid != "age", "the age is known from the date of birth: it is not asked"
        if qid == "tc_home_care_hours":  # a wrong answer first: the GOV.UK error message at the field
            page.locator("#answer").fill("500")
            with page.expect_navigation():
                page.get_by_role("button", name="Save and continue").click()
            assert "The number of hours a week must be 100 or less" in page.locator(".govuk-error-summary").inner_text()
            assert page.title().startswith("Error:")
            problems.extend(axe(page))
            page.locator("#answer").fill("")  # optional: left blank, as before
        if qid == "anything_else_text":  # free text: a textarea with a character count, no points
            expect(page.locator("textarea#answer")).to_have_count(1)
            page.locator("#answer").fill("Mornings are hard.")
            problems.extend(axe(page))
        wanted = ANSWERS.get(qid)
        if page.locator("input[type=radio]").count():
            page.get_by_label(wanted or "No", exact=True).check()
        elif wanted is not None:
            page.locator("#answer").fill(wanted)
        # Wait for the next page to arrive before reading its address (a loaded machine is slow).
        with page.expect_navigation():
            page.get_by_role("button", name="Save and continue").click()
    raise AssertionError("the questions never ended")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_person_completes_self_assessment_and_sees_explained_budget(
    browser, live_server, published, javascript
):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()

    def axe(page):  # axe needs JavaScript in the page; without it, the journey alone is checked
        return serious_violations(page) if javascript else []

    sign_in(page, live_server.url, "northshire-person")
    page.get_by_role("link", name="Self-assessment").click()
    problems = axe(page)
    page.get_by_role("button", name="Start now").click()
    problems += axe(page)
    answer_questions(page, problems, axe)
    expect(page.get_by_role("heading", name="Check your answers before sending them")).to_be_visible()
    expect(page.get_by_text("Mornings are hard.")).to_be_visible()
    problems += axe(page)
    page.get_by_role("button", name="Send and see my indicative budget").click()
    panel = page.get_by_test_id("budget-panel").inner_text()
    assert "£9,450.00 a year" in panel and "Indicative" in panel
    assert "starting point" in page.content()
    assert published["policy-2026.yaml"].label in page.get_by_test_id("policy-version").inner_text()
    expect(page.get_by_text("How this was worked out").first).to_be_visible()
    problems += axe(page)
    context.close()
    assert problems == []


def test_commissioner_uploads_a_bad_policy_then_publishes_a_good_one(
    page, live_server, browser_world, tmp_path
):
    text = (POLICIES / "northshire" / "policy-2026.yaml").read_text()
    bad = tmp_path / "bad-policy.yaml"
    bad.write_text(
        text.replace("amount: 27000", "amount: -27000").replace(
            "safety_risk_to_life, is", "safety_risk_to_lfe, is"
        )
    )
    good = tmp_path / "policy-2026.yaml"
    good.write_text(text)
    sign_in(page, live_server.url, "northshire-commissioner")
    follow(page, page.get_by_role("link", name="Policies", exact=True))
    problems = serious_violations(page)
    follow(page, page.get_by_role("link", name="Upload a policy").first)
    problems += serious_violations(page)
    page.get_by_label("Policy file (YAML)").set_input_files(str(bad))
    page.get_by_role("button", name="Check and save as a draft").click()
    listed = page.get_by_test_id("policy-problems").inner_text()
    assert "rates.asc_price_per_point.amount: must not be negative" in listed
    assert "unknown question 'safety_risk_to_lfe'" in listed
    assert "Line " in listed
    problems += serious_violations(page)
    page.get_by_label("Policy file (YAML)").set_input_files(str(good))
    page.get_by_role("button", name="Check and save as a draft").click()
    assert page.get_by_test_id("policy-status").inner_text().startswith("Draft")
    problems += serious_violations(page)
    page.get_by_role("button", name="Publish this version").click()
    assert page.get_by_test_id("policy-status").inner_text().startswith("Published")
    problems += serious_violations(page)
    assert problems == []


def test_staff_pages_pass_axe(browser, live_server, published, browser_world, settings):
    side = browser_world.north
    v26, v27 = published["policy-2026.yaml"], published["policy-2027.yaml"]
    assessment = Assessment.objects.create(
        authority=side.authority, person=side.caseload_person, policy_version=v26, on=dt.date(2026, 5, 1),
        status="submitted", person_answers={
            "client_group": "older_people", "age": "80", "pc_trigger": True, "pc_washing": "all",
            "pc_dressing": "all", "pc_toilet": True, "eat_trigger": False, "mob_trigger": True,
            "mob_indoors": "hoist", "mob_outdoors": True, "hs_need_to_move": False, "hs_settle_in": False,
            "hs_tenancy_threat": False, "hs_manage_finances": False, "fin_trigger": False, "soc_trigger": False,
            "work_trigger": False, "comm_trigger": False, "safety_trigger": False, "carer_trigger": False,
        }, assessor_answers={"pc_washing": "most"},
    )  # fmt: skip
    allocation = services.allocate_assessment(side.users[Role.ASSESSOR], assessment)
    from selfdirect.allocation.models import WhatIfRun

    run = WhatIfRun.objects.create(
        authority=side.authority, base=v26, proposed=v27, population="synthetic", synthetic_size=200
    )
    services.execute_what_if(run)
    queued = WhatIfRun.objects.create(authority=side.authority, base=v26, proposed=v27)
    pages = {
        "northshire-assessor": [
            f"/assessment/{assessment.pk}/", f"/assessment/{assessment.pk}/assessor/",
            f"/assessment/people/{side.caseload_person.pk}/", f"/assessment/people/{side.caseload_person.pk}/self/",
            f"/allocation/{allocation.pk}/", f"/allocation/people/{side.caseload_person.pk}/budget/",
            "/allocation/policies/", f"/allocation/policies/{v26.pk}/",
        ],
        "northshire-finance": [f"/allocation/{allocation.pk}/"],
        "northshire-commissioner": [
            "/allocation/what-if/", f"/allocation/what-if/{run.pk}/", f"/allocation/what-if/{queued.pk}/",
            f"/allocation/policies/{v27.pk}/recalculate/", "/",
            f"/allocation/price-per-point/?version={v26.pk}&stream=adult_social_care&pot=100000",
        ],
    }  # fmt: skip
    problems = {}
    for username, paths in pages.items():
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, live_server.url, username)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, path
            found = serious_violations(page)
            if found:
                problems[path] = found
        if username == "northshire-assessor":
            page.goto(f"{live_server.url}/assessment/{assessment.pk}/")
            expect(page.get_by_test_id("differs")).to_have_count(1)
        if username == "northshire-commissioner":
            page.goto(f"{live_server.url}/allocation/what-if/{run.pk}/")
            chart = page.locator("figure.app-bars")
            expect(chart).to_have_count(1)
            expect(chart.locator("figcaption")).to_contain_text(
                "Bar chart of the total a year per funding stream"
            )
            expect(page.get_by_test_id("streams-table")).to_be_visible()
        context.close()
    assert problems == {}
