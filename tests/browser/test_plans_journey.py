"""The whole support-plan journey in Chromium for one demo person, with axe on every page it passes,
each step signed in as the role that makes it:

Margaret (northshire-person) answers the self-assessment question pages and sees her indicative
budget (£9,450 a year from the allocation policy); the broker (northshire-planner) starts her plan
against that budget — nothing typed — records that Plan Well from the market register helped, and
links the spending to the market so the register's rates are the costs; the co-ordinator submits it
and refers it to the risk enablement panel; the panel chair records that she came with her son and
approves the plan with a condition, which she then reads on her plan; finance deploys the money
(the ledger agrees a budget from the plan, shown on the ledger's budget page); a year later the
co-ordinator records a light-touch visit and a review that records progress on her outcome."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_support import serious_violations, sign_in
from selfdirect.allocation import services as allocation_services
from selfdirect.assessment import services as assessment_services
from selfdirect.core.constants import Role
from selfdirect.plans.models import SupportPlan

pytestmark = pytest.mark.browser

POLICIES = Path(__file__).resolve().parents[2] / "policies"
ANSWERS = {  # the seed case: (24 + 11) points x £270 = £9,450 a year
    "client_group": "I am an older person", "age": "80", "pc_trigger": "Yes",
    "pc_washing": "Someone has to do it for me", "pc_dressing": "Someone has to do it for me",
    "pc_toilet": "Yes", "mob_trigger": "Yes", "mob_indoors": "I need two people or a hoist", "mob_outdoors": "Yes",
}  # fmt: skip


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

    def click(self, page: Page, role: str, name: str, **kwargs) -> None:
        with page.expect_navigation():
            page.get_by_role(role, name=name, **kwargs).click()  # type: ignore[arg-type]
        self.check(page)

    def submit(self, page: Page, button: str) -> None:
        self.click(page, "button", button)


def market_register(side):
    """Northshire's register: a broker, a PA at £12.00 an hour, a home-care service at £18.50."""
    from selfdirect.market.models import Broker, PersonalAssistant, Provider, RateTable, Service

    provider = Provider.objects.create(authority=side.authority, name="Kelby Care")
    service = Service.objects.create(
        authority=side.authority,
        provider=provider,
        name="Home care",
        support_type="personal_care",
        unit="hour",
    )
    RateTable.objects.create(
        authority=side.authority, service=service, starts_on=dt.date(2025, 1, 1), standard_pence=1850
    )
    PersonalAssistant.objects.create(authority=side.authority, name="Ann Lee", hourly_rate_pence=1200)
    Broker.objects.create(authority=side.authority, name="Plan Well", fee_pence=3000)


def self_assessment(j: Journey, page: Page) -> None:
    """Answer every question page until "Check your answers"; optional ones left blank."""
    for _ in range(60):
        if "/questions/" not in page.url:
            return
        qid = page.url.rstrip("/").rsplit("/", 1)[-1]
        wanted = ANSWERS.get(qid)
        if page.locator("input[type=radio]").count():
            page.get_by_label(wanted or "No", exact=True).check()
        elif wanted is not None:
            page.locator("#answer").fill(wanted)
        j.submit(page, "Save and continue")
    raise AssertionError("the questions never ended")


def fill_date(page: Page, name: str, day: dt.date) -> None:
    for part, value in enumerate((day.day, day.month, day.year)):
        page.locator(f'input[name="{name}_{part}"]').fill(str(value))


def test_plan_journey_from_self_assessment_to_review(browser, live_server, browser_world, monkeypatch):
    side = browser_world.north
    monkeypatch.setattr(assessment_services, "today", lambda: dt.date(2026, 5, 1))
    allocation_services.publish_file(
        side.users[Role.COMMISSIONER], side.authority, (POLICIES / "northshire" / "policy-2026.yaml").read_text(),
        "policy-2026.yaml",
    )  # fmt: skip
    market_register(side)
    margaret = side.self_person
    j = Journey(browser, live_server.url)

    # 1. Self-assessment: Margaret answers the question pages and sees her indicative budget
    person = j.as_user("northshire-person")
    j.click(person, "link", "Self-assessment")
    j.submit(person, "Start now")
    self_assessment(j, person)
    expect(person.get_by_role("heading", name="Check your answers before sending them")).to_be_visible()
    j.submit(person, "Send and see my indicative budget")
    assert "£9,450.00 a year" in person.get_by_test_id("budget-panel").inner_text()

    # 2. The broker writes the plan with her against that budget (nothing typed)
    broker = j.as_user("northshire-planner")
    j.go(broker, "/plans/")
    j.click(broker, "link", f"Start a support plan for {margaret}")
    assert "£9,450.00 a year" in broker.content()
    j.submit(broker, "Start the plan")
    plan = SupportPlan.objects.get(person=margaret)
    assert plan.indicative_budget_pence == 945000 and plan.allocation_id is not None
    assert broker.url.endswith(f"/plans/{plan.pk}/")

    j.click(broker, "link", "What matters to the person and who helped")
    broker.get_by_label("What matters to the person").fill("Staying in my own home and seeing my son")
    broker.get_by_label("A support planner or broker").check()
    broker.get_by_label("Which broker from the market register helped?").select_option(label="Plan Well")
    j.submit(broker, "Save")
    assert broker.get_by_test_id("market-broker").inner_text() == "Plan Well"

    j.click(broker, "link", "Outcomes")
    broker.get_by_label("What do you want to achieve?").fill("Keep my flat")
    broker.get_by_label(
        "Supporting People outcomes framework — Stay Safe 4a: Maintain accommodation and avoid eviction"
    ).check()
    j.submit(broker, "Save the outcome")
    j.go(broker, f"/plans/{plan.pk}/")

    j.click(broker, "link", "How the money is spent")
    broker.get_by_label("Personal assistant").check()
    broker.get_by_label("Spending category").select_option("personal_care")
    broker.get_by_label("What does the money buy?").fill("A PA for an hour each day")
    broker.get_by_label("From the market register").select_option(label="Ann Lee: £12.00 per hour")
    broker.get_by_label("How many units").fill("7")
    broker.get_by_label("Per week").check()
    j.submit(broker, "Save the spending")  # unit and cost left blank: the register's hour at £12.00
    assert broker.get_by_test_id("total").inner_text() == "£4,368.00"  # 7 h x £12 x 52 weeks
    broker.get_by_label("Service from a provider").check()
    broker.get_by_label("Spending category").select_option("personal_care")
    broker.get_by_label("What does the money buy?").fill("Home care on Saturdays and Sundays")
    broker.get_by_label("From the market register").select_option(
        label="Home care (Kelby Care): £18.50 per hour"
    )
    broker.get_by_label("How many units").fill("4")
    broker.get_by_label("Per week").check()
    j.submit(broker, "Save the spending")
    assert broker.get_by_test_id("total").inner_text() == "£8,216.00"  # + 4 h x £18.50 x 52 weeks
    expect(broker.get_by_test_id("market-link")).to_have_count(2)
    j.go(broker, f"/plans/{plan.pk}/")

    j.click(broker, "link", "Who holds the money")
    broker.get_by_label("Mix and match").check()
    j.submit(broker, "Save")

    j.click(broker, "link", "Risks and contingency")
    broker.get_by_label("What do you want from your budget?").fill("Help every morning")
    broker.get_by_label("How are you going to buy it?").fill("Employ a PA and an agency at weekends")
    broker.get_by_label("What risks might that bring?").fill("Falls when alone")
    broker.get_by_label("How are you going to manage those risks?").fill("A community alarm")
    broker.get_by_label("High").check()
    broker.get_by_label("Contingency for when needs change").fill("Agency cover when the PA is off")
    j.submit(broker, "Save")

    j.click(broker, "link", "Start date and duration")
    fill_date(broker, "starts_on", dt.date(2026, 6, 1))
    broker.get_by_label("How many months does it last?").fill("12")
    j.submit(broker, "Save")
    assert "Incomplete" not in broker.content()

    # 3. The co-ordinator submits it and refers it to the panel (high risk)
    assessor = j.as_user("northshire-assessor")
    j.go(assessor, f"/plans/{plan.pk}/")
    j.click(assessor, "link", "Submit the plan for sign-off")
    j.submit(assessor, "Submit the plan for sign-off")
    assert "Risk is high" in assessor.content()
    j.click(assessor, "link", "Refer the plan to the risk enablement panel")
    assessor.get_by_label("Why are you referring the plan to the panel?").fill(
        "Lives alone and has fallen twice"
    )
    j.submit(assessor, "Refer the plan to the risk enablement panel")

    # Margaret is invited to the panel and reads the invitation on her plan page
    j.go(person, f"/plans/{plan.pk}/")
    assert "you can bring someone" in person.get_by_test_id("panel-invitation").inner_text()
    j.click(person, "link", f"Read the invitation to {margaret}")
    assert (
        "You're invited to the risk enablement panel" in person.get_by_test_id("invitation-text").inner_text()
    )

    # 4. The panel chair records who came and approves with a condition
    panel = j.as_user("northshire-panel")
    assert str(margaret) in panel.content()
    j.go(panel, "/plans/panel/")
    referral = plan.referrals.get()
    j.go(panel, f"/plans/panel/{referral.meeting_id}/")
    j.click(panel, "link", f"Record how it was sent to {margaret}")
    panel.get_by_label("By letter").check()
    fill_date(panel, "sent_on", dt.date.today())
    j.submit(panel, "Save")
    panel.get_by_label("Attended").check()
    panel.get_by_label("Who came for them").fill("Her son")
    j.submit(panel, f"Record attendance for {margaret}")
    j.go(panel, f"/plans/{plan.pk}/")
    j.click(panel, "link", "Approve with conditions")
    panel.get_by_label("Conditions of approval").fill("A falls assessment within 4 weeks")
    panel.get_by_label("Minutes of the discussion").fill("Margaret's son explained the alarm")
    j.submit(panel, "Approve with conditions")
    assert panel.get_by_test_id("state").inner_text() == "Approved"

    # Margaret reads the condition on her plan (she may appeal it)
    j.go(person, f"/plans/{plan.pk}/")
    assert "A falls assessment within 4 weeks" in person.content()
    expect(person.get_by_role("link", name="Appeal against the panel's decision")).to_be_visible()

    # 5. Finance deploys the money: the ledger agrees a budget from the plan
    finance = j.as_user("northshire-finance")
    with finance.expect_navigation():
        finance.get_by_test_id("to-deploy").get_by_role("link", name=str(margaret)).click()
    j.check(finance)
    j.click(finance, "link", "Deploy the money and start the plan")
    finance.get_by_label("Why? (recorded with your name and the time)").fill("Direct payment account set up")
    j.submit(finance, "Deploy the money and start the plan")
    plan.refresh_from_db()
    assert plan.state == "active" and plan.ledger_budget_ref
    budget_pk = plan.ledger_budget_ref.split(",")[0]
    assert f"budget {plan.ledger_budget_ref}" in finance.get_by_test_id("ledger-ref").inner_text()
    j.go(finance, f"/money/budgets/{budget_pk}/")
    assert "Agreed" in finance.content() or "Active" in finance.content()

    # 6. A year later: a light-touch visit, then the review records progress on her outcome
    year_on = plan.starts_on + dt.timedelta(days=365)
    j.go(assessor, f"/plans/{plan.pk}/visits/")
    assert plan.visits.count() >= 1  # high risk, £8,216 a year: visits before the six-monthly review
    with assessor.expect_navigation():
        assessor.get_by_test_id("visits").get_by_role("link").first.click()
    j.check(assessor)
    assessor.get_by_label("What did you find?").fill("Alarm fitted; the PA comes every morning")
    j.submit(assessor, "Save")
    assert "Alarm fitted" in assessor.content()
    j.go(assessor, f"/plans/{plan.pk}/")
    j.click(assessor, "link", "Start a review")
    j.submit(assessor, "Start a review")
    j.click(assessor, "link", "Record the review")
    assessor.get_by_label("Mostly").check()
    assessor.get_by_label("Notes on “Keep my flat”").fill("Rent paid; repairs reported")
    fill_date(assessor, "held_on", year_on)
    assessor.get_by_label("Medium").check()
    j.submit(assessor, "Save")
    j.click(assessor, "link", "Finish the review")
    j.submit(assessor, "Finish the review")
    assert assessor.get_by_test_id("state").inner_text() == "Active (money deployed)"
    assert "Mostly" in assessor.content()

    for path in ["/plans/", "/plans/reviews/", "/plans/refusals/", f"/plans/refusals/new/{margaret.pk}/"]:
        j.go(assessor, path)
    j.go(panel, "/")
    j.go(person, "/")

    plan.refresh_from_db()
    assert plan.conditions == "A falls assessment within 4 weeks"
    assert plan.market_broker is not None and plan.market_broker.name == "Plan Well"
    assert sorted(plan.lines.values_list("unit_cost_pence", flat=True)) == [1200, 1850]
    assert plan.review_on is not None and plan.reviews.filter(held_on=year_on).count() == 1
    assert plan.reviews.get(held_on=year_on).answers.get().progress == "mostly"
    steps = list(plan.transitions.values_list("action", "capacity"))
    assert steps == [
        ("submit", "assessor"),
        ("refer", "assessor"),
        ("panel_conditions", "panel"),
        ("activate", "finance"),
        ("start_review", "assessor"),
        ("complete_review", "assessor"),
    ]
    assert j.problems == {}
    for page in j.pages:
        page.context.close()


def approved_with_a_condition(side):
    """Margaret's plan written, referred and approved with a condition by a second panel member."""
    from decimal import Decimal

    from selfdirect.core.models import Membership, User
    from selfdirect.plans import services
    from selfdirect.plans.models import FrameworkOutcome

    broker, assessor = side.users[Role.PLANNER], side.users[Role.ASSESSOR]
    chair = User.objects.create_user("northshire-chair", password="x" * 12, full_name="Panel chair")
    Membership.objects.create(user=chair, authority=side.authority, role=Role.PANEL)
    plan = services.create_plan(broker, side.self_person)
    services.update_plan(assessor, plan, {"indicative_budget_pence": 500000}, "test")
    services.update_plan(broker, plan, {
        "what_matters": "My home", "helper": "broker", "deployment": "direct_payment", "risk_want": "Help",
        "risk_buy": "A PA", "risk_risks": "Falls", "risk_manage": "An alarm", "risk_level": "high",
        "contingency": "Agency cover", "starts_on": dt.date(2026, 4, 1),
    }, "test")  # fmt: skip
    outcome = FrameworkOutcome.objects.get(authority=side.authority, code="Stay Safe 4a")
    services.save_outcome(broker, plan, "Keep my flat", "", [outcome.pk])
    services.save_line(broker, plan, {"kind": "pa", "category": "personal_care", "description": "PA",
                                      "unit": "hour", "quantity": Decimal(7), "frequency": "week",
                                      "unit_cost_pence": 1100})  # fmt: skip
    services.apply_transition(assessor, plan, "submit", "Ready")
    services.apply_transition(assessor, plan, "refer", "High risk")
    services.apply_transition(
        chair, plan, "panel_conditions", "ok", data={"conditions": "No PA until a DBS check"}
    )
    return SupportPlan.objects.get(pk=plan.pk)


def test_appealing_a_condition_and_the_visit_pages_pass_axe(browser, live_server, browser_world):
    """Margaret appeals the panel's condition (an empty reason first: the error summary); a panel
    member who did not decide lifts it; finance deploys the money; the visit pages, with their
    error summaries."""
    side = browser_world.north
    plan = approved_with_a_condition(side)
    j = Journey(browser, live_server.url)

    person = j.as_user("northshire-person")
    j.go(person, f"/plans/{plan.pk}/")
    j.click(person, "link", "Appeal against the panel's decision")
    j.submit(person, "Appeal against the panel's decision")
    expect(person.locator(".govuk-error-summary")).to_be_visible()
    person.get_by_label("Why do you disagree with the decision?").fill("My PA is my sister; I cannot wait")
    j.submit(person, "Appeal against the panel's decision")
    assert person.get_by_test_id("state").inner_text() == "Appeal waiting"

    panel = j.as_user("northshire-panel")  # did not make the decision, so may hear the appeal
    assert "Appeals waiting" in panel.content() or str(side.self_person) in panel.content()
    j.go(panel, f"/plans/{plan.pk}/")
    expect(panel.get_by_role("link", name="Dismiss the appeal: the conditions stand")).to_be_visible()
    expect(panel.get_by_role("link", name="Dismiss the appeal", exact=True)).to_have_count(0)
    j.click(panel, "link", "Uphold the appeal")
    panel.get_by_label("Why? (recorded with your name and the time)").fill("A DBS application is enough")
    panel.get_by_label("Revised conditions, if the appeal was against a condition").fill("DBS applied for")
    j.submit(panel, "Uphold the appeal")
    assert panel.get_by_test_id("state").inner_text() == "Approved"

    finance = j.as_user("northshire-finance")
    j.go(finance, f"/plans/{plan.pk}/spending/")
    j.click(finance, "link", "Deploy the money and start the plan")
    j.submit(finance, "Deploy the money and start the plan")
    assert "Agreed in the ledger" in finance.content()

    assessor = j.as_user("northshire-assessor")
    j.go(assessor, f"/plans/{plan.pk}/visits/")
    j.submit(assessor, "Schedule the visit")  # nothing filled in: the error summary
    expect(assessor.locator(".govuk-error-summary")).to_be_visible()
    fill_date(assessor, "due_on", dt.date.today() + dt.timedelta(days=7))
    assessor.get_by_label("Why is an extra visit needed?").fill("Her PA is changing")
    j.submit(assessor, "Schedule the visit")
    with assessor.expect_navigation():
        assessor.get_by_test_id("visits").get_by_role("link").first.click()
    j.check(assessor)
    assessor.get_by_label("What did you find?").fill("")
    j.submit(assessor, "Save")
    expect(assessor.locator(".govuk-error-summary")).to_be_visible()
    j.go(assessor, "/")
    assert "Light-touch visits due" in assessor.content()

    plan.refresh_from_db()
    assert (plan.state, plan.conditions) == ("active", "DBS applied for")
    assert plan.appeals.get().outcome == "upheld"
    assert j.problems == {}
    for page in j.pages:
        page.context.close()
