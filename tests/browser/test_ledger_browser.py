"""Money pages (the ledger app) in real Chromium for the roles that reach them: they render and
axe finds no serious or critical violation, including a form showing its error summary."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser_support import serious_violations, sign_in
from selfdirect.core.constants import Role
from selfdirect.ledger import services
from selfdirect.ledger.policy import load

pytestmark = pytest.mark.browser


@pytest.fixture
def money(browser_world):
    import datetime as dt

    load.cache_clear()
    side = browser_world.north
    budget = services.create_budget(
        side.users[Role.FINANCE], side.self_person, stream="adult_social_care",
        period_start=dt.date(2026, 4, 1), period_end=dt.date(2027, 3, 31), agreed_annual_pence=886340,
        indicative_pence=431132, difference_reasons="The panel found night-time needs the RAS does not score.",
        starts_on=dt.date(2026, 4, 1), frequency="monthly",
        deployments=[{"route": "council_managed", "share": 85, "payee_name": "Home Care Ltd"},
                     {"route": "direct_payment", "share": 15}],
    )  # fmt: skip
    services.agree_budget(side.users[Role.FINANCE], budget, "support plan (test)", "approved")
    run = services.execute_run(services.start_run(side.users[Role.FINANCE], side.authority, "2026-04").pk)
    charge = services.assess_charge(side.users[Role.FINANCE], side.self_person, weekly_pence=1500,
                                    starts_on=dt.date(2026, 4, 1), reason="financial assessment")  # fmt: skip
    services.open_dispute(side.users[Role.PERSON], side.self_person, subject="My disability costs were left out",
                          raised_by="Margaret", amount_pence=1500, charge=charge)  # fmt: skip
    return budget, run


def test_money_pages_pass_axe(page, live_server, money):
    from selfdirect.ledger.models import Dispute

    budget, run = money
    person, dispute = budget.person_id, Dispute.objects.get().pk
    pages = {
        "northshire-finance": ["/money/", "/money/budgets/", f"/money/budgets/{budget.pk}/",
                               f"/money/budgets/{budget.pk}/spending/", f"/money/runs/{run.pk}/",
                               f"/money/runs/{run.pk}/remittances/", "/money/trial-balance/", "/money/reconciliation/",
                               "/money/periods/2026-04/close/", f"/money/budgets/{budget.pk}/reassess/", f"/money/budgets/{budget.pk}/invoices/",
                               f"/money/people/{person}/charging/", f"/money/people/{person}/charging/assess/",
                               f"/money/people/{person}/charging/receipts/", "/money/disputes/",
                               f"/money/disputes/{dispute}/decide/", "/money/budgets/new/",
                               f"/money/people/{person}/budgets/new/", f"/money/budgets/{budget.pk}/clawback/",
                               "/money/runs/?period=2026-04", "/"],
        "northshire-person": [f"/money/budgets/{budget.pk}/", f"/money/budgets/{budget.pk}/spending/",
                              f"/money/people/{person}/charging/", f"/money/people/{person}/disputes/new/"],
        "northshire-commissioner": ["/money/"],
    }  # fmt: skip
    for username, urls in pages.items():
        page.context.clear_cookies()
        sign_in(page, live_server.url, username)
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status == 200, url
            assert serious_violations(page) == [], url
    page.context.clear_cookies()
    sign_in(page, live_server.url, "northshire-finance")
    page.goto(f"{live_server.url}/money/periods/2026-04/close/")
    page.get_by_role("button", name="Close April 2026").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert serious_violations(page) == []
    for url, button in [(f"/money/budgets/{budget.pk}/reassess/", "Replace the budget"),
                        (f"/money/disputes/{dispute}/decide/", "Record the outcome")]:  # fmt: skip
        page.goto(f"{live_server.url}{url}")
        page.get_by_role("button", name=button).click()
        # Waits for the answer to the post: is_visible() looked once, sometimes before it came.
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert serious_violations(page) == [], url


def test_draft_budget_and_claw_back_forms_show_errors_accessibly(page, live_server, money):
    """The draft-budget form (mix and match, fee, indicative against agreed) and the claw-back
    form, each with its error summary, after April's close has clawed money back."""
    from selfdirect.core.models import User

    budget, _ = money
    finance = User.objects.get(username="northshire-finance")
    services.close_period(finance, budget.authority, "2026-04", "April done")
    sign_in(page, live_server.url, "northshire-finance")
    page.goto(f"{live_server.url}/money/budgets/{budget.pk}/clawback/")
    assert page.get_by_test_id("clawback-outstanding").inner_text() != "£0.00"
    page.get_by_role("button", name="Record money received").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/money/people/{budget.person_id}/budgets/new/")
    page.get_by_label("Council-managed account: share of each payment, in per cent").fill("90")
    page.get_by_label("Direct payment: share of each payment, in per cent").fill("5")
    page.get_by_role("button", name="Save draft budget").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "add up to 95%" in summary.inner_text()
    assert serious_violations(page) == []
