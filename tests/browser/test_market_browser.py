"""The market in real Chromium: the public directory without signing in (and without JavaScript),
and the staff pages, each checked by axe."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser_support import serious_violations, sign_in
from selfdirect.market.constants import CheckKind
from selfdirect.market.demo import load_authority
from selfdirect.market.models import PACheck, PersonalAssistant

pytestmark = pytest.mark.browser


@pytest.fixture
def market_world(browser_world):
    load_authority(browser_world.north.authority, ("Northam", "Kelby", "Aldwick"))
    today = timezone.localdate()
    for pa in PersonalAssistant.objects.all():
        expires = today - dt.timedelta(days=30) if pa.name == "Lena Novak" else today + dt.timedelta(days=365)
        PACheck.objects.filter(personal_assistant=pa, kind=CheckKind.DBS).update(expires_on=expires)
    return browser_world


def test_a_person_browses_the_public_directory(page, live_server, market_world):
    page.goto(f"{live_server.url}/directory/")
    expect(page.get_by_role("heading", name="Find support in Northshire County Council")).to_be_visible()
    expect(page.get_by_test_id("provider")).to_have_count(3)
    expect(page.get_by_text("4 out of 5 stars").first).to_be_visible()
    expect(page.get_by_role("cell", name="£18.00").first).to_be_visible()  # the night rate
    expect(page.get_by_text("Joy Adeyemi")).to_be_visible()
    expect(page.get_by_text("Lena Novak")).to_have_count(0)  # expired DBS: hidden
    expect(page.get_by_text("Amira Hassan")).to_be_visible()
    expect(page.get_by_text("£25.00 per hour")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Type of support").select_option("housing_support")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("provider")).to_have_count(1)
    expect(page.get_by_role("heading", name="Kelby Housing Support Trust")).to_be_visible()
    assert serious_violations(page) == []


def test_a_filter_by_type_of_support_shows_what_each_result_is(page, live_server, market_world):
    page.goto(f"{live_server.url}/directory/")
    page.get_by_label("Type of support").select_option("personal_care")
    page.get_by_role("button", name="Filter").click()
    # Northam Home Care gives personal care; Joy Adeyemi offers it (Lena Novak too, but her DBS
    # check has expired); brokers and support planners help arrange any type, so they stay.
    assert page.get_by_test_id("result-count").inner_text() == (
        "Showing 1 provider, 1 personal assistant and 2 brokers or support planners."
    )
    provider = page.get_by_test_id("provider")
    assert provider.get_by_role("heading").inner_text() == "Northam Home Care Ltd"
    assert provider.get_by_test_id("what").inner_text() == "Provider: Home care or support agency"
    pa = page.get_by_test_id("pa")
    assert pa.get_by_role("heading").inner_text().startswith("Joy Adeyemi")
    assert pa.get_by_test_id("what").inner_text().startswith("Personal assistant")
    assert "£12.50 per hour" in pa.inner_text()
    brokers = page.get_by_test_id("broker")
    expect(brokers).to_have_count(2)
    assert brokers.nth(0).get_by_test_id("what").inner_text() == (
        "Support planning and brokerage, Northam Age Concern (independent of the council)"
    )
    assert (
        brokers.nth(1).get_by_test_id("what").inner_text() == "Support planner, Council direct payments team"
    )
    assert "shown whichever type you choose" in page.get_by_test_id("broker-note").inner_text()
    assert serious_violations(page) == []
    page.get_by_label("Type of support").select_option(
        label="Help to plan and arrange support (brokers and support planners)"
    )
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("provider")).to_have_count(0)
    expect(page.get_by_test_id("pa")).to_have_count(0)
    expect(page.get_by_test_id("broker")).to_have_count(2)
    assert serious_violations(page) == []


def test_a_commissioner_imports_providers_and_rates(page, live_server, market_world, tmp_path):
    from selfdirect.market.models import Provider

    header = "provider,kind,support_types,areas,service,support_type,unit,rates_from,rates_to,standard_rate,night_rate\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        header
        + "Riverside Care,agency,personal_care,Northam,Home care,personal_care,,2026-04-01,,15.00,18.00\n"
        + "Riverside Care,agency,personal_care,Northam,Home care,personal_care,hour,2026-04-01,,abc,\n",
        encoding="utf-8",
    )
    good = tmp_path / "good.csv"
    good.write_text(
        header
        + "Riverside Care,agency,personal_care,Northam,Home care,personal_care,hour,2026-04-01,,15.00,18.00\n",
        encoding="utf-8",
    )
    sign_in(page, live_server.url, "northshire-commissioner")
    page.goto(f"{live_server.url}/market/providers/")
    page.get_by_role("link", name="Import providers and rates from a spreadsheet").click()
    page.get_by_label("Upload a CSV file").set_input_files(str(bad))
    page.get_by_label("Where do these providers and rates come from?").fill("Spring tender")
    page.get_by_role("button", name="Check the file").click()
    summary = page.get_by_test_id("import-problems")
    expect(summary).to_be_visible()
    assert summary.get_by_role("listitem").all_inner_texts() == [
        "Upload a CSV file: The file has 2 problem(s). Nothing was imported.",
        "line 2: unit: is required: a rate must say what it is per",
        "line 3: standard_rate: 'abc' is not an amount of money",
    ]
    assert serious_violations(page) == []
    assert not Provider.objects.filter(name="Riverside Care").exists()
    page.get_by_label("Upload a CSV file").set_input_files(str(good))
    page.get_by_label("Where do these providers and rates come from?").fill("Spring tender")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Check what will be imported")).to_be_visible()
    expect(page.get_by_test_id("import-rate")).to_have_count(1)
    assert serious_violations(page) == []
    assert not Provider.objects.filter(name="Riverside Care").exists()
    page.get_by_role("button", name="Import 1 rate table").click()
    expect(page.get_by_text("Imported 1 rate table(s) for 1 provider(s) from good.csv")).to_be_visible()
    expect(page.get_by_role("link", name="Riverside Care")).to_be_visible()
    assert Provider.objects.get(name="Riverside Care").services.get().rate_tables.get().night_pence == 1800


def test_the_directory_works_without_javascript(page_without_js, live_server, market_world):
    page = page_without_js
    page.goto(f"{live_server.url}/directory/?council=northshire&min_stars=5")
    expect(page.get_by_test_id("provider")).to_have_count(1)
    page.get_by_label("Show").select_option("pas")
    page.get_by_role("button", name="Filter").click()  # a plain GET form: no JavaScript needed
    expect(page.get_by_test_id("provider")).to_have_count(0)
    expect(page.get_by_test_id("pa")).to_have_count(0)  # no PA has a published 5-star rating


def test_every_market_page_passes_axe(page, live_server, market_world):
    from selfdirect.market.models import Broker, Contract, Provider, ProviderList

    north = market_world.north
    provider = Provider.objects.filter(authority=north.authority).order_by("pk").first()
    service = provider.services.order_by("pk").first()
    pa = PersonalAssistant.objects.get(authority=north.authority, name="Lena Novak")
    broker = Broker.objects.filter(authority=north.authority).first()
    plist = ProviderList.objects.get(authority=north.authority)
    contract = Contract.objects.get(authority=north.authority)
    person = north.self_person
    arrangement = person.market_arrangements.get()
    sign_in(page, live_server.url, "northshire-admin")
    paths = [
        "/", "/market/", "/market/settings/", "/market/areas/new/", "/market/providers/", "/market/providers/new/",
        f"/market/providers/{provider.pk}/", f"/market/providers/{provider.pk}/edit/",
        f"/market/providers/{provider.pk}/services/new/", f"/market/providers/{provider.pk}/members/new/",
        f"/market/providers/{provider.pk}/quality/new/", f"/market/providers/{provider.pk}/spot-checks/new/",
        f"/market/providers/{provider.pk}/ratings/new/", f"/market/services/{service.pk}/",
        f"/market/services/{service.pk}/?at=2026-04-05T23:00", f"/market/services/{service.pk}/?at=nonsense",
        f"/market/services/{service.pk}/edit/", f"/market/services/{service.pk}/rates/new/", "/market/pas/",
        "/market/pas/new/", f"/market/pas/{pa.pk}/", f"/market/pas/{pa.pk}/edit/", f"/market/pas/{pa.pk}/checks/new/",
        "/market/brokers/", "/market/brokers/new/", f"/market/brokers/{broker.pk}/", f"/market/brokers/{broker.pk}/edit/",
        "/market/lists/", "/market/lists/new/", f"/market/lists/{plist.pk}/", f"/market/lists/{plist.pk}/entries/new/",
        "/market/contracts/", "/market/contracts/new/", f"/market/contracts/{contract.pk}/",
        f"/market/contracts/{contract.pk}/edit/", f"/market/contracts/{contract.pk}/usage/new/",
        f"/market/people/{person.pk}/", f"/market/people/{person.pk}/employments/new/",
        f"/market/people/{person.pk}/arrangements/new/", f"/market/people/{person.pk}/arrangements/{arrangement.pk}/transfer/",
    ]  # fmt: skip
    problems = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status < 500, path
        found = serious_violations(page)
        if found:
            problems[path] = found
    # A refused form shows its errors accessibly too.
    page.goto(f"{live_server.url}/market/contracts/new/")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    found = serious_violations(page)
    if found:
        problems["contract form errors"] = found
    assert problems == {}


def test_commissioner_sees_contract_usage_and_abatement(page, live_server, market_world):
    from selfdirect.market.models import Contract

    contract = Contract.objects.get(authority=market_world.north.authority)
    sign_in(page, live_server.url, "northshire-commissioner")
    page.goto(f"{live_server.url}/market/contracts/{contract.pk}/")
    usage = page.get_by_test_id("usage")
    expect(usage.get_by_role("cell", name="£2,445.00", exact=True)).to_be_visible()
    assert page.get_by_test_id("tender").inner_text().startswith("30 September 2028")
    assert serious_violations(page) == []
