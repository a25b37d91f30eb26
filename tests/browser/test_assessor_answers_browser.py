"""The assessor's answers page in real Chromium: saving it with one question changed keeps the
person's answers to the others (multiple-choice included), "None of these" clears the other boxes,
and the page passes axe."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_support import follow, serious_violations, sign_in
from selfdirect.assessment import services as assessment_services
from selfdirect.assessment.models import Assessment
from selfdirect.core.constants import Role
from selfdirect.policies import services as policy_services

pytestmark = pytest.mark.browser

POLICIES = Path(__file__).resolve().parents[2] / "policies"
# The seed case (tests/allocation/alloc_testdata.py COMPLETE) with the social-inclusion domain open.
SOCIAL = {
    "client_group": "older_people", "age": "80",
    "pc_trigger": True, "pc_washing": "all", "pc_dressing": "all", "pc_toilet": True,
    "eat_trigger": False, "mob_trigger": True, "mob_indoors": "hoist", "mob_outdoors": True,
    "hs_need_to_move": False, "hs_settle_in": False, "hs_tenancy_threat": False, "hs_manage_finances": False,
    "fin_trigger": False, "soc_trigger": True, "soc_activities": ["friends", "transport"], "work_trigger": False,
    "comm_trigger": False, "safety_trigger": False, "carer_trigger": False,
}  # fmt: skip


@pytest.fixture
def assessment(browser_world, monkeypatch):
    monkeypatch.setattr(assessment_services, "today", lambda: dt.date(2026, 5, 1))
    side = browser_world.north
    version = policy_services.publish_file(
        side.users[Role.COMMISSIONER], side.authority,
        (POLICIES / "northshire" / "policy-2026.yaml").read_text(), "policy-2026.yaml",
    )  # fmt: skip
    return Assessment.objects.create(
        authority=side.authority, person=side.caseload_person, policy_version=version,
        on=dt.date(2026, 5, 1), person_answers=SOCIAL, status="submitted",
    )  # fmt: skip


def test_saving_one_change_keeps_the_persons_other_answers(page, live_server, assessment):
    sign_in(page, live_server.url, "northshire-assessor")
    page.goto(f"{live_server.url}/assessment/{assessment.pk}/assessor/")
    assert serious_violations(page) == []
    washing = page.get_by_role("group", name="Washing and bathing - level of assistance")
    washing.get_by_label("Some help").check()
    follow(page, page.get_by_role("button", name="Save the assessor's answers"))
    assessment.refresh_from_db()
    assert assessment.assessor_answers == {"pc_washing": "some"}
    expect(page.locator('[data-testid="differs"]')).to_have_count(1)

    page.goto(f"{live_server.url}/assessment/{assessment.pk}/assessor/")
    activities = page.get_by_role("group", name="Social and community activities requiring support")
    activities.get_by_label("Using transport").check()
    activities.get_by_label("None of these").check()  # GOV.UK's exclusive box unticks the others
    assert not activities.get_by_label("Using transport").is_checked()
    follow(page, page.get_by_role("button", name="Save the assessor's answers"))
    assessment.refresh_from_db()
    assert assessment.assessor_answers == {"pc_washing": "some", "soc_activities": []}


def test_keep_their_answer_without_javascript_goes_back_to_the_persons_answer(
    page_without_js, live_server, assessment
):
    page = page_without_js
    assessment.assessor_answers = {"pc_washing": "some"}
    assessment.save()
    sign_in(page, live_server.url, "northshire-assessor")
    page.goto(f"{live_server.url}/assessment/{assessment.pk}/assessor/")
    washing = page.get_by_role("group", name="Washing and bathing - level of assistance")
    expect(washing).to_have_accessible_description("Their answer: Someone has to do it for me")
    assert washing.get_by_label("Some help").is_checked()
    dressing = page.get_by_role("group", name="Dressing - level of assistance")
    assert dressing.get_by_label("Keep their answer").is_checked()  # the default: no answer of theirs
    washing.get_by_label("Keep their answer").check()
    follow(page, page.get_by_role("button", name="Save the assessor's answers"))
    assessment.refresh_from_db()
    assert assessment.assessor_answers == {}


def test_confirming_eligibility_says_what_was_decided_and_what_comes_next(page, live_server, assessment):
    sign_in(page, live_server.url, "northshire-assessor")
    page.goto(f"{live_server.url}/assessment/{assessment.pk}/")
    expect(page.get_by_test_id("differences")).to_contain_text("You have not recorded your answers yet.")
    derived = page.get_by_test_id("derived")
    expect(derived).to_contain_text("From the answers: Substantial. The answers meet the substantial band")
    page.get_by_label("FACS band").select_option("critical")
    follow(page, page.get_by_role("button", name="Confirm eligibility"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why you chose the critical band when the answers give substantial"
    )
    expect(derived).to_contain_text("From the answers: Substantial.")  # kept beside the error
    page.get_by_label("Reason for the decision").fill("Lives alone; falls")
    follow(page, page.get_by_role("button", name="Confirm eligibility"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Eligibility confirmed: the critical band, by northshire assessor on"
    )
    steps = page.get_by_test_id("next-steps")
    who = assessment.person
    # No budget worked out yet: doing so is the first next step, before the links.
    expect(steps.get_by_role("button", name="Work out the indicative budget")).to_be_visible()
    expect(steps.get_by_role("link", name=f"See {who}'s indicative budget")).to_have_count(0)
    for name in ("Start a support plan", f"Back to {who}'s record"):
        expect(steps.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_role("button", name="Confirm eligibility")).to_have_count(0)
    expect(page.get_by_role("button", name="Change the decision")).to_be_hidden()  # folded away
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/assessment/?status=submitted")
    assert serious_violations(page) == []
