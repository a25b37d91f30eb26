"""The support-plan journey in Chromium, with axe on every page: a broker writes John's plan
against a seeded indicative budget, the co-ordinator refers it to the risk enablement panel, the
panel approves it with a condition (John's son attends), the money is deployed, and a review a
year later records progress on his outcome."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from browser_support import serious_violations, sign_in
from selfdirect.plans.models import SupportPlan

pytestmark = pytest.mark.browser


class Journey:
    def __init__(self, browser: Browser, base: str):
        self.browser, self.base, self.problems = browser, base, {}
        self.pages: list[Page] = []

    def as_user(self, username: str) -> Page:
        page = self.browser.new_context().new_page()
        self.pages.append(page)
        sign_in(page, self.base, username)
        self.check(page)
        return page

    def check(self, page: Page) -> None:
        found = serious_violations(page)
        if found:
            self.problems[page.url] = found

    def go(self, page: Page, path: str) -> None:
        response = page.goto(f"{self.base}{path}")
        assert response is not None and response.status < 400, path
        self.check(page)

    def submit(self, page: Page, button: str) -> None:
        page.get_by_role("button", name=button).click()
        self.check(page)


def test_plan_journey_from_budget_to_review(browser, live_server, browser_world):
    j = Journey(browser, live_server.url)
    john = browser_world.north.caseload_person

    broker = j.as_user("northshire-planner")
    j.go(broker, "/plans/")
    broker.get_by_role("link", name=f"Start a support plan for {john}").click()
    j.check(broker)
    j.submit(broker, "Start the plan")
    plan = SupportPlan.objects.get(person=john)
    assert broker.url.endswith(f"/plans/{plan.pk}/")

    broker.get_by_role("link", name="What matters to the person and who helped").click()
    j.check(broker)
    broker.get_by_label("What matters to the person").fill(
        "Reading my post and getting to hospital appointments"
    )
    broker.get_by_label("A support planner or broker").check()
    j.submit(broker, "Save")

    broker.get_by_role("link", name="Outcomes").click()
    j.check(broker)
    broker.get_by_label("What do you want to achieve?").fill("Keep my flat")
    broker.get_by_label(
        "Supporting People outcomes framework — Stay Safe 4a: Maintain accommodation and avoid eviction"
    ).check()
    j.submit(broker, "Save the outcome")
    j.go(broker, f"/plans/{plan.pk}/")

    broker.get_by_role("link", name="How the money is spent").click()
    j.check(broker)
    broker.get_by_label("Personal assistant").check()
    broker.get_by_label("Spending category").select_option("personal_care")
    broker.get_by_label("What does the money buy?").fill("A PA for an hour each day")
    broker.get_by_label("Unit", exact=True).fill("hour")
    broker.get_by_label("How many units").fill("7")
    broker.get_by_label("Per week").check()
    broker.get_by_label("Cost of one unit").fill("11.00")
    j.submit(broker, "Save the spending")
    assert broker.get_by_test_id("total").inner_text() == "£4,004.00"  # 7 h x £11 x 52 weeks
    j.go(broker, f"/plans/{plan.pk}/")

    broker.get_by_role("link", name="Who holds the money").click()
    j.check(broker)
    broker.get_by_label("Mix and match").check()
    broker.get_by_label("Indicative budget a year").fill("5,000")  # the seeded indicative budget
    j.submit(broker, "Save")

    broker.get_by_role("link", name="Risks and contingency").click()
    j.check(broker)
    broker.get_by_label("What do you want from your budget?").fill("Help every morning")
    broker.get_by_label("How are you going to buy it?").fill("Employ a PA")
    broker.get_by_label("What risks might that bring?").fill("Falls when alone")
    broker.get_by_label("How are you going to manage those risks?").fill("A community alarm")
    broker.get_by_label("High").check()
    broker.get_by_label("Contingency for when needs change").fill("Agency cover when the PA is off")
    j.submit(broker, "Save")

    broker.get_by_role("link", name="Start date and duration").click()
    j.check(broker)
    broker.locator('input[name="starts_on_0"]').fill("1")
    broker.locator('input[name="starts_on_1"]').fill("4")
    broker.locator('input[name="starts_on_2"]').fill("2026")
    broker.get_by_label("How many months does it last?").fill("12")
    j.submit(broker, "Save")
    assert "Incomplete" not in broker.content()

    assessor = j.as_user("northshire-assessor")
    assert "Your reviews due" in assessor.content()
    j.go(assessor, f"/plans/{plan.pk}/")
    assessor.get_by_role("link", name="Submit the plan for sign-off").click()
    j.check(assessor)
    j.submit(assessor, "Submit the plan for sign-off")
    assert "Risk is high" in assessor.content()
    assessor.get_by_role("link", name="Refer the plan to the risk enablement panel").click()
    j.check(assessor)
    assessor.get_by_label("Why are you referring the plan to the panel?").fill(
        "Lives alone and has fallen twice"
    )
    j.submit(assessor, "Refer the plan to the risk enablement panel")

    panel = j.as_user("northshire-panel")
    assert str(john) in panel.content()
    j.go(panel, "/plans/panel/")
    referral = plan.referrals.get()
    j.go(panel, f"/plans/panel/{referral.meeting_id}/")
    panel.get_by_label("Attended").check()
    panel.get_by_label("Who came for them").fill("His son")
    j.submit(panel, f"Record attendance for {john}")
    j.go(panel, f"/plans/{plan.pk}/")
    panel.get_by_role("link", name="Approve with conditions").click()
    j.check(panel)
    panel.get_by_label("Conditions of approval").fill("A falls assessment within 4 weeks")
    panel.get_by_label("Minutes of the discussion").fill("John's son explained the alarm")
    j.submit(panel, "Approve with conditions")
    assert panel.get_by_test_id("state").inner_text() == "Approved"

    j.go(assessor, f"/plans/{plan.pk}/")
    assessor.get_by_role("link", name="Deploy the money and start the plan").click()
    j.check(assessor)
    j.submit(assessor, "Deploy the money and start the plan")
    assert assessor.get_by_test_id("state").inner_text() == "Active (money deployed)"

    # A year later: the review asks whether the outcome was achieved
    assessor.get_by_role("link", name="Start a review").click()
    j.check(assessor)
    j.submit(assessor, "Start a review")
    assessor.get_by_role("link", name="Record the review").click()
    j.check(assessor)
    assessor.get_by_label("Mostly").check()
    assessor.get_by_label("Notes on “Keep my flat”").fill("Rent paid; repairs reported")
    assessor.locator('input[name="held_on_0"]').fill("1")
    assessor.locator('input[name="held_on_1"]').fill("4")
    assessor.locator('input[name="held_on_2"]').fill("2027")
    assessor.get_by_label("Medium").check()
    j.submit(assessor, "Save")
    assessor.get_by_role("link", name="Finish the review").click()
    j.check(assessor)
    j.submit(assessor, "Finish the review")
    assert assessor.get_by_test_id("state").inner_text() == "Active (money deployed)"
    assert "Mostly" in assessor.content()

    for path in ["/plans/", "/plans/reviews/", "/plans/refusals/", f"/plans/refusals/new/{john.pk}/"]:
        j.go(assessor, path)
    j.go(panel, "/")

    plan.refresh_from_db()
    assert plan.conditions == "A falls assessment within 4 weeks"
    assert plan.review_on is not None and plan.reviews.filter(held_on__isnull=False).count() == 1
    assert list(plan.transitions.values_list("action", flat=True)) == [
        "submit",
        "refer",
        "panel_conditions",
        "activate",
        "start_review",
        "complete_review",
    ]
    assert j.problems == {}
    for page in j.pages:
        page.context.close()
