"""Journeys through the pages: a commissioner sets up a framework list and a block contract with
abatement and sees its usage; bad input is refused with the field named and nothing half-saved."""

from __future__ import annotations

import json

from django.test import Client

from helpers import client_for, token_for
from selfdirect.market.models import Contract, ProviderList, RateTable

DATE = {"_0": "", "_1": "", "_2": ""}


def date(name, day="", month="", year=""):
    return {f"{name}_0": day, f"{name}_1": month, f"{name}_2": year}


def test_commissioner_sets_up_a_framework_and_a_block_contract_with_abatement(market, world):
    client = client_for(world.north.users["commissioner"])
    response = client.post("/market/lists/new/", {
        "name": "Night support framework", "kind": "framework", **date("starts_on", "1", "4", "2026"),
        **date("ends_on"), "description": "", "reason": "Tendered",
    })  # fmt: skip
    assert response.status_code == 302
    plist = ProviderList.objects.get(name="Night support framework")
    night = market.north.providers[0].services.get(name="Night sitting")
    response = client.post(
        f"/market/lists/{plist.pk}/entries/new/",
        {"service": night.pk, "fixed_price_pence": "95.00", "reason": "x"},
    )
    assert response.status_code == 302
    assert plist.entries.get().fixed_price_pence == 9500
    provider = market.north.providers[1]
    service = provider.services.get()
    response = client.post("/market/contracts/new/", {
        "reference": "NS-HRS-7", "title": "Floating support block", "provider": provider.pk, "service": service.pk,
        "kind": "block", "block_basis": "hours", **date("starts_on", "1", "4", "2026"), **date("ends_on", "31", "3", "2028"),
        **date("review_on"), "period": "week", "volume": "100", "unit_price_pence": "16.00", "lump_sum_pence": "",
        "posts": "0", "double_funding": "abate", "units_set_aside": "0", "notes": "", "reason": "Awarded",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    contract = Contract.objects.get(reference="NS-HRS-7")
    assert str(contract.tender_notice_on) == "2027-09-30"
    response = client.post(f"/market/contracts/{contract.pk}/usage/new/", {
        **date("period_start", "1", "4", "2026"), **date("period_end", "7", "4", "2026"), "units_used": "90",
        "budget_units": "5", "notes": "", "reason": "Monthly return",
    })  # fmt: skip
    assert response.status_code == 302
    page = client.get(f"/market/contracts/{contract.pk}/").content.decode()
    # 100 hours × £16.00 = £1,600.00, abated by 5 × £16.00 = £80.00: pays £1,520.00; 90% used.
    assert "£1,520.00" in page and "−£80.00" in page and "90.0" in page


def test_bad_contract_input_names_the_field_and_saves_nothing(market, world):
    client = client_for(world.north.users["commissioner"])
    provider = market.north.providers[0]
    response = client.post("/market/contracts/new/", {
        "reference": "BAD-1", "title": "Too long", "provider": provider.pk, "service": "", "kind": "block",
        "block_basis": "hours", "extra_care": "on", **date("starts_on", "1", "4", "2026"), **date("ends_on", "1", "4", "2030"),
        **date("review_on"), "period": "week", "volume": "-5", "unit_price_pence": "15", "lump_sum_pence": "",
        "posts": "0", "double_funding": "", "units_set_aside": "0", "notes": "", "reason": "x",
    })  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "below zero" in html
    assert not Contract.objects.filter(reference="BAD-1").exists()


def test_overlapping_rates_on_the_web_and_the_api(market, world):
    service = market.north.providers[0].services.get(name="Home care")
    count = RateTable.objects.count()
    client = client_for(world.north.users["provider"])  # the provider keeps its own rates
    response = client.post(f"/market/services/{service.pk}/rates/new/", {
        **date("starts_on", "1", "1", "2027"), **date("ends_on"), "standard_pence": "16.00", "evening_from": "18:00",
        "evening_until": "22:00", "night_from": "22:00", "night_until": "07:00", "weekend_days": "5,6",
        "precedence": "bank_holiday,night,weekend,evening", "reason": "Uplift",
    })  # fmt: skip
    assert response.status_code == 400 and "overlap" in response.content.decode()
    token = token_for(world.north.users["commissioner"], world.north.authority)
    response = Client().post(
        f"/api/v1/market/services/{service.pk}/rates",
        data=json.dumps({"starts_on": "2027-01-01", "standard_pence": 1600, "reason": "x"}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == ["body", "starts_on"]
    assert RateTable.objects.count() == count


def test_api_refuses_negative_volume_and_family_pa(market, world):
    token = token_for(world.north.users["commissioner"], world.north.authority)
    body = {"reference": "API-1", "title": "x", "provider_id": market.north.providers[0].pk, "kind": "spot",
            "starts_on": "2026-04-01", "ends_on": "2027-03-31", "volume": "-1", "reason": "x"}  # fmt: skip
    response = Client().post("/api/v1/market/contracts", data=json.dumps(body), content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == ["body", "payload", "volume"]
    token = token_for(world.north.users["assessor"], world.north.authority)
    response = Client().post(
        f"/api/v1/market/people/{world.north.self_person.pk}/employments",
        data=json.dumps({"pa_name": "Sam", "family_member": True, "starts_on": "2026-05-01", "reason": "x"}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == ["body", "family_member"]
    assert "does not allow" in response.json()["errors"][0]["message"]


def test_rate_quote_api_and_public_directory_api(market, world):
    service = market.north.providers[0].services.get(name="Home care")
    token = token_for(world.north.users["finance"], world.north.authority)
    got = Client().get(f"/api/v1/market/services/{service.pk}/rate?at=2026-04-05T23:00:00%2B01:00",
                       HTTP_AUTHORIZATION=f"Bearer {token}").json()  # fmt: skip
    assert (got["pence"], got["band"]) == (1800, "night")
    data = Client().get("/api/v1/directory?council=northshire&support_type=personal_care").json()
    assert [p["name"] for p in data["providers"]] == ["Northam Home Care Ltd"]
    assert [p["name"] for p in data["personal_assistants"]] == ["Joy Adeyemi"]  # Lena's DBS has expired
    # Brokers and support planners help arrange every type of support: a type filter keeps them.
    assert [b["name"] for b in data["brokers"]] == ["Amira Hassan", "Dev Sharma"]
    data = Client().get("/api/v1/directory?council=northshire&support_type=planning").json()
    assert (data["providers"], data["personal_assistants"]) == ([], [])
    assert [b["name"] for b in data["brokers"]] == ["Amira Hassan", "Dev Sharma"]
    data = Client().get("/api/v1/directory?council=northshire&support_type=social&show=pas").json()
    assert [p["name"] for p in data["personal_assistants"]] == ["Joy Adeyemi", "Tom Baker"]
    assert (data["providers"], data["brokers"]) == ([], [])
    data = Client().get("/api/v1/directory?council=northshire&min_stars=5").json()
    assert [p["name"] for p in data["providers"]] == ["Kelby Housing Support Trust"]


def test_provider_user_edits_own_profile_but_not_listing(market, world):
    client = client_for(world.north.users["provider"])
    provider = market.north.providers[0]
    token = token_for(world.north.users["provider"], world.north.authority)
    response = Client().patch(f"/api/v1/market/providers/{provider.pk}", data=json.dumps({"listed": False, "reason": "x"}),
                              content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
    assert response.status_code == 422
    home = client.get("/").content.decode()
    assert "Your organisation" in home and provider.name in home
    assert "No one has chosen your services" not in home


def test_api_ratings_pas_brokers_settings_and_areas_show_in_the_directory(market, world):
    token = token_for(world.north.users["commissioner"], world.north.authority)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}", "content_type": "application/json"}
    joy, amira = market.north.pas["Joy Adeyemi"], market.north.brokers[0]
    body = json.dumps({"stars": 5, "rated_on": "2026-04-01", "reason": "Feedback"})
    assert Client().post(f"/api/v1/market/pas/{joy.pk}/ratings", data=body, **auth).status_code == 201
    assert Client().post(f"/api/v1/market/brokers/{amira.pk}/ratings", data=body, **auth).status_code == 201
    data = Client().get("/api/v1/directory?council=northshire&min_stars=5").json()
    assert [p["name"] for p in data["personal_assistants"]] == ["Joy Adeyemi"]
    assert [(b["name"], b["stars"]) for b in data["brokers"]] == [("Amira Hassan", 5)]
    # Unlisting a PA takes her out of the public directory; a broker's new fee shows there.
    body = json.dumps({"listed": False, "reason": "Asked to be removed"})
    assert Client().patch(f"/api/v1/market/pas/{joy.pk}", data=body, **auth).json()["public"] is False
    body = json.dumps({"fee_pence": 2750, "reason": "New fee"})
    assert Client().patch(f"/api/v1/market/brokers/{amira.pk}", data=body, **auth).json()["fee_pence"] == 2750
    data = Client().get("/api/v1/directory?council=northshire").json()
    assert "Joy Adeyemi" not in [p["name"] for p in data["personal_assistants"]]
    assert {b["name"]: b["fee_pence"] for b in data["brokers"]}["Amira Hassan"] == 2750
    # Northshire does not allow family PAs until its policy says so.
    employment = {"pa_name": "Sam", "family_member": True, "starts_on": "2026-05-01", "reason": "x"}
    url = f"/api/v1/market/people/{world.north.self_person.pk}/employments"
    # A commissioner does not see people's records (404); the administrator does.
    assert Client().post(url, data=json.dumps(employment), **auth).status_code == 404
    admin = {
        **auth,
        "HTTP_AUTHORIZATION": f"Bearer {token_for(world.north.users['admin'], world.north.authority)}",
    }
    assert Client().post(url, data=json.dumps(employment), **admin).status_code == 422
    body = json.dumps({"family_pas_allowed": True, "reason": "Policy changed"})
    assert Client().patch("/api/v1/market/settings", data=body, **auth).json()["family_pas_allowed"] is True
    assert Client().post(url, data=json.dumps(employment), **admin).status_code == 201
    body = json.dumps({"name": "northam", "reason": "x"})  # already recorded, whatever the case
    response = Client().post("/api/v1/market/areas", data=body, **auth)
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == ["body", "name"]


def test_api_links_a_provider_user_once_and_only_a_provider_user_of_this_authority(market, world):
    from selfdirect.core.models import AuditEvent
    from selfdirect.market.models import ProviderMembership

    token = token_for(world.north.users["commissioner"], world.north.authority)
    provider = market.north.providers[1]
    url = f"/api/v1/market/providers/{provider.pk}/users"

    def post(user_id):
        return Client().post(url, data=json.dumps({"user_id": user_id, "reason": "Runs their office"}),
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip

    provider_user = world.north.users["provider"]
    before = AuditEvent.objects.count()
    response = post(provider_user.pk)
    assert response.status_code == 201
    assert [u["username"] for u in response.json()] == [provider_user.username]
    assert AuditEvent.objects.count() == before + 1
    assert post(provider_user.pk).status_code == 201  # linking again changes nothing
    assert ProviderMembership.objects.filter(provider=provider).count() == 1
    assert AuditEvent.objects.count() == before + 1
    # Not a provider user, or another authority's provider user: refused at the field, nothing linked.
    for other in (world.north.users["assessor"], world.south.users["provider"]):
        response = post(other.pk)
        assert response.status_code == 422
        assert response.json()["errors"][0]["path"] == ["body", "user_id"]
    assert ProviderMembership.objects.filter(provider=provider).count() == 1
    listed = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [u["user_id"] for u in listed] == [provider_user.pk]


def test_which_rate_applies_takes_a_date_in_boxes_and_a_24_hour_time(market, world):
    service = market.north.providers[0].services.get(name="Home care")
    client = client_for(world.north.users["finance"])
    url = f"/market/services/{service.pk}/"
    blank = client.get(url).content.decode()
    assert 'name="on_0"' in blank and 'name="at"' in blank and "govuk-error-summary" not in blank
    # Sunday 5 April 2026, 23:00: the night rate, by precedence over the weekend's.
    page = client.get(url, {**date("on", "5", "4", "2026"), "at": "23:00"}).content.decode()
    assert 'data-testid="quote"><strong>£18.00</strong>' in page
    # An address from before the boxes still answers, with the boxes filled in.
    old = client.get(url, {"at": "2026-04-05T23:00"}).content.decode()
    assert 'data-testid="quote"><strong>£18.00</strong>' in old and 'name="on_0" id="id_on_0" value="5"' in old
    for query, message in [
        ({**date("on", "5", "4", "2026"), "at": "11pm"}, "Enter a time like 23:00"),
        ({**date("on", "31", "2", "2026"), "at": "23:00"}, "Date must be a real date"),
        ({**date("on"), "at": "23:00"}, "Enter the date the hour starts"),
        ({"at": "nonsense"}, "Enter the date the hour starts"),
    ]:
        response = client.get(url, query)
        assert response.status_code == 400, query
        text = response.content.decode()
        assert message in text and "govuk-error-summary" in text and 'data-testid="quote"' not in text, query
