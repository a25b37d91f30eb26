"""Any screen size (issue 20.5, WCAG 2.2 "reflow"): no page scrolls sideways at 320 px wide, nor at
1280 px. Every demo role walks the pages it is shown in Chromium (one of each shape of address, as
the plain-words walk does), and every page is measured at both widths; a wide table scrolls inside
its own box (which takes the keyboard focus), and charts shrink with the screen. On the same walk,
axe finds no violation of any impact, minor ones included (issue 20, "done when")."""

from __future__ import annotations

from typing import Any

import pytest

from browser_support import demo_loaded, serious_violations, sign_in
from selfdirect.core.constants import Role
from selfdirect.core.demo import DEMO_PASSWORD
from walk_support import walk

# The walk runs on committed demo data (flushable_db, through the demo fixture); the measure needs no database.
pytestmark = pytest.mark.browser

WIDTHS = (320, 1280)
EVERY_IMPACT = frozenset({"minor", "moderate", "serious", "critical"})
PAGES_PER_ROLE = 60

# What sticks out past the right edge of the screen, outside any box that scrolls on its own.
SIDEWAYS = """() => {
  const root = document.documentElement, edge = root.clientWidth;
  if (root.scrollWidth <= edge) return [];
  const inBox = (el) => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };
  return [...document.body.querySelectorAll('*')]
    .filter((el) => el.getBoundingClientRect().right > edge + 1 && !inBox(el))
    .slice(-3).map((el) => `${el.tagName.toLowerCase()}.${el.classList[0] || ''} to ${Math.round(el.getBoundingClientRect().right)} px`)
    .concat([`page ${root.scrollWidth} px wide`]);
}"""


def sideways(page: Any) -> dict[str, list[str]]:
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        if lines := page.evaluate(SIDEWAYS):
            found[f"at {width} px"] = lines
    return found


def measure_every_page(page: Any, base: str, starts: list[str]) -> tuple[dict[str, Any], int]:
    problems: dict[str, Any] = {}

    def open_page(address: str) -> tuple[bool, list[str]]:
        response = page.goto(f"{base}{address}")
        if response is None or response.status != 200 or "text/html" not in response.headers["content-type"]:
            return False, []
        found = sideways(page)
        if violations := serious_violations(page, EVERY_IMPACT):
            found["axe"] = violations
        if found:
            problems[address] = found
        return True, page.eval_on_selector_all("a[href]", "links => links.map((a) => a.getAttribute('href'))")

    host = base.split("//", 1)[1]
    return problems, walk(open_page, starts, limit=PAGES_PER_ROLE, host=host)


@pytest.fixture
def demo(flushable_db):
    with demo_loaded(people=12):
        yield


def test_no_page_scrolls_sideways_at_320_or_1280_px_and_axe_finds_nothing_for_any_role(browser, live_server, demo):
    report = []
    for role in [None, *Role]:  # None: the public pages, signed out
        context = browser.new_context()
        page = context.new_page()
        if role is not None:
            sign_in(page, live_server.url, f"northshire-{role}", DEMO_PASSWORD)
        problems, read = measure_every_page(page, live_server.url, ["/"] if role else ["/directory/", "/sign-in/"])
        context.close()
        assert read >= 2, f"{role or 'signed out'} reached only {read} page(s)"
        report.extend(f"{role or 'signed out'} {address} {what}: {lines}"
                      for address, found in problems.items() for what, lines in found.items())  # fmt: skip
    assert not report, "Pages that scroll sideways or that axe faults:\n" + "\n".join(report)


def test_the_measure_finds_a_page_that_scrolls_sideways_and_a_table_that_scrolls_in_its_box(page):
    page.set_content('<html><body style="margin:0"><div style="width:600px">A fixed-width block</div></body></html>')
    assert sideways(page)["at 320 px"][-1] == "page 600 px wide" and "at 1280 px" not in sideways(page)
    page.set_content(
        '<html><body><div style="overflow-x:auto"><table style="width:900px"><tr><td>Wide</td></tr></table></div>'
        "</body></html>"
    )
    assert sideways(page) == {}
