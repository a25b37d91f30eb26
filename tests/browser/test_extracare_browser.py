"""Extra Care pages in real Chromium: each renders and axe finds no serious or critical problem,
including the scheme pages with charts; the one-click seed example works without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser_support import serious_violations, sign_in
from selfdirect.core.constants import Role
from selfdirect.extracare import services
from selfdirect.extracare.constants import RunKind

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_every_extracare_page_passes_axe(page, live_server, browser_world):
    side = browser_world.north
    commissioner = side.users[Role.COMMISSIONER]
    scheme = services.create_from_seed(commissioner, side.authority)
    sim = services.start_run(commissioner, scheme, RunKind.SIMULATION, {"days": 7})
    swp = services.start_run(commissioner, scheme, RunKind.SWEEP, {"levels": 3, "replications": 1, "days": 3})
    rota = services.start_run(commissioner, scheme, RunKind.ROTA, {"staff": 12, "time_limit_seconds": 5})
    none = services.start_run(
        commissioner, scheme, RunKind.ROTA, {"staff": 12, "nights_staff": 1, "time_limit_seconds": 5}
    )
    base = f"/extracare/{scheme.pk}"
    paths = [
        "/", "/extracare/", "/extracare/new/", "/extracare/new/?from=seed", f"{base}/", f"{base}/edit/",
        f"{base}/delete/", f"{base}/models/", f"{base}/models/B/", f"{base}/viability/",
        f"{base}/viability/?occupied=12", f"{base}/simulate/", f"{base}/rota/",
        sim.get_absolute_url(), swp.get_absolute_url(), rota.get_absolute_url(), none.get_absolute_url(),
    ]  # fmt: skip
    sign_in(page, live_server.url, commissioner.username)
    problems = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        found = serious_violations(page)
        if found:
            problems[path] = found
    # A refused edit shows the error summary, which must pass too.
    page.goto(f"{live_server.url}{base}/edit/")
    page.get_by_label("Number of flats").fill("-3")
    page.get_by_label("Why are you making this change?").fill("Testing")
    page.get_by_role("button", name="Save the scheme").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Number of flats: must be at least 1 (got -3)")).to_be_visible()
    found = serious_violations(page)
    if found:
        problems["edit with errors"] = found
    assert problems == {}


def test_seed_example_and_scheme_page_without_javascript(page_without_js, live_server, browser_world):
    page = page_without_js
    sign_in(page, live_server.url, "northshire-commissioner")
    page.goto(f"{live_server.url}/extracare/")
    page.get_by_role("button", name="Start from the Housing LIN example").click()
    assert page.get_by_role("heading", level=1).inner_text() == services.SEED_NAME
    assert page.get_by_test_id("total-minimum_block").inner_text().endswith("310")
    assert page.get_by_test_id("subtotal-thirds-contact").inner_text().endswith("342.5")
    chart = page.locator("figure.app-bars")  # the phasing chart, as HTML
    expect(chart).to_have_count(1)
    expect(chart.locator("figcaption")).to_contain_text("on a scale from 0 hours to 400 hours")
    expect(chart.locator(".app-bars__figure")).to_have_text(["310 hours", "360 hours", "400 hours"])
    page.get_by_role("link", name="Weekly rota").click()
    page.get_by_role("button", name="Build the rota").click()
    assert page.get_by_test_id("status").inner_text() == "Finished"
    expect(page.get_by_test_id("rota")).to_be_visible()
    # (axe needs JavaScript, so it runs on these pages in the test above.)


def test_finance_sees_but_cannot_change(page, live_server, browser_world):
    side = browser_world.north
    scheme = services.create_from_seed(side.users[Role.COMMISSIONER], side.authority)
    sign_in(page, live_server.url, side.users[Role.FINANCE].username)
    page.goto(f"{live_server.url}/extracare/{scheme.pk}/")
    assert page.get_by_test_id("total-core_and_add_on").inner_text().endswith("175")
    expect(page.get_by_role("link", name="Change inputs")).to_have_count(0)
    for path in ("/extracare/", f"/extracare/{scheme.pk}/models/", f"/extracare/{scheme.pk}/simulate/"):
        page.goto(f"{live_server.url}{path}")
        assert serious_violations(page) == [], path
