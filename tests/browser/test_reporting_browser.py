"""The reports dashboard in real Chromium on the demo data: the demo authorities' indicators
with their charts, readable without JavaScript, and no serious or critical axe violation."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from browser_support import demo_loaded, serious_violations, sign_in
from selfdirect.core.demo import DEMO_PASSWORD, DemoCalendar
from selfdirect.reporting.models import BudgetOffer, MoveOn, OfferOutcome

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(flushable_db):
    with demo_loaded(people=30):
        yield


@pytest.mark.parametrize("slug", ["northshire", "southvale"])
def test_demo_dashboard_shows_indicators_with_charts_and_passes_axe(page, live_server, demo, slug):
    sign_in(page, live_server.url, f"{slug}-commissioner", DEMO_PASSWORD)
    # The demo has a year of history up to today; the current month (the default period) is shown.
    response = page.goto(f"{live_server.url}/reports/")
    assert response is not None and response.status == 200
    take_up = page.locator("#take_up table")
    expect(take_up).to_be_visible()
    assert "Eligible people" in take_up.inner_text()
    assert page.locator("section .app-bars").count() >= 1
    expect(page.get_by_test_id("headline")).to_be_visible()
    # a summary: the other indicators are links to their own pages
    expect(page.get_by_test_id("other-indicators").locator("a[href*='/reports/indicator/']")).to_have_count(10)
    expect(page.locator("#money_stream")).to_have_count(0)
    assert serious_violations(page) == []
    # The empty state and the filters' errors pass axe too
    page.goto(f"{live_server.url}/reports/?period=2020-01")  # before any demo record
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/reports/?period=2026-13")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert serious_violations(page) == []


def test_filters_and_drill_down_work_without_js(page_without_js, page, live_server, demo):
    plain = page_without_js
    sign_in(plain, live_server.url, "northshire-admin", DEMO_PASSWORD)
    plain.goto(f"{live_server.url}/reports/?period=2020-01")
    expect(plain.get_by_test_id("empty-state")).to_be_visible()
    month = f"{dt.date.today():%Y-%m}"
    plain.get_by_role("textbox", name="Period").fill(month)
    plain.get_by_role("button", name="Show report").click()
    assert f"Reports for {dt.date.today():%B %Y}" in plain.locator("h1").inner_text()  # the month in words
    plain.locator("#take_up a[href*='/reports/people/eligible/']").click()
    assert plain.locator("h1").inner_text() == "Eligible people"
    assert plain.locator("tbody tr").count() >= 1
    # and the drill-down page passes axe (axe itself needs JavaScript)
    sign_in(page, live_server.url, "northshire-admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/people/eligible/")
    assert page.locator("h1").inner_text() == "Eligible people"
    assert page.locator("tbody tr").count() >= 1
    assert serious_violations(page) == []


def test_indicator_pack_and_move_on_pages_pass_axe(page, live_server, demo, today):
    last_month = DemoCalendar(today).last_month
    left = MoveOn.objects.filter(authority__slug="northshire").latest("left_on").left_on
    sign_in(page, live_server.url, "northshire-admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/indicator/independent_living/?period={left:%Y-%m}")
    assert "National Indicators 141 and 142" in page.locator("h1").inner_text()
    expect(page.locator("section .app-bars")).to_have_count(1)  # someone moved on that month
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/reports/packs/")
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("textbox", name="Month").fill("May")
    page.get_by_role("button", name="Make the pack").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("textbox", name="Month").fill(last_month)
    page.get_by_role("button", name="Make the pack").click()
    expect(page.get_by_test_id("pack-status")).to_be_visible()  # queued for the worker
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/reports/move-ons/")
    assert page.locator("tbody tr").count() >= 1
    assert serious_violations(page) == []
    page.get_by_role("button", name="Record the move-on").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert serious_violations(page) == []


def test_offers_at_reviews_indicator_and_page_pass_axe(page, live_server, demo):
    sign_in(page, live_server.url, "northshire-admin", DEMO_PASSWORD)
    # The demo's offers at reviews through its year (accepted, declined, undecided in turn; eight
    # when it has enough people on traditional services), shown for the year that holds most.
    offers = BudgetOffer.objects.filter(authority__slug="northshire")
    years = [o.offered_on.year for o in offers]
    year = max(sorted(set(years)), key=years.count)
    in_year = offers.filter(offered_on__year=year)
    declined = in_year.filter(outcome=OfferOutcome.DECLINED).values("person").distinct().count()
    page.goto(f"{live_server.url}/reports/indicator/offers/?period={year}")
    table = page.locator("#offers table")
    assert "At review" in table.inner_text()
    assert (
        page.locator("#offers tbody tr")
        .first.locator("td")
        .nth(2)
        .inner_text()
        .startswith(str(in_year.count()))
    )
    assert serious_violations(page) == []
    page.locator("#offers a[href*='/reports/people/offers_review_declined/']").click()
    assert "at a review" in page.locator("h1").inner_text()
    assert page.locator("tbody tr").count() == declined
    page.goto(f"{live_server.url}/reports/offers/")
    assert page.locator("tbody tr").count() == offers.count() >= 4
    assert serious_violations(page) == []
    page.get_by_role("button", name="Record the offer").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert serious_violations(page) == []
