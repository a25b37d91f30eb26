"""Personal assistants register, the public directory's rules, and employer duties."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from helpers import client_for
from selfdirect.market import directory, services
from selfdirect.market.constants import CheckKind, Duty, DutyStatus
from selfdirect.market.models import EmployerDuty, PAEmployment


def test_expired_dbs_hides_a_pa_from_the_public_but_staff_see_it(market, world):
    today = timezone.localdate()
    public = {pa.name for pa in directory.public_pas(world.north.authority, today)}
    assert public == {"Joy Adeyemi", "Tom Baker"}
    html = Client().get("/directory/?council=northshire").content.decode()
    assert "Joy Adeyemi" in html and "Lena Novak" not in html
    staff = client_for(world.north.users["commissioner"])
    page = staff.get("/market/pas/").content.decode()
    assert "Lena Novak" in page and "Expired" in page
    detail = staff.get(f"/market/pas/{market.north.pas['Lena Novak'].pk}/").content.decode()
    assert "hidden from the public directory until it is renewed" in detail
    home = staff.get("/").content.decode()
    assert "1</strong> listed personal assistant has an expired DBS check" in home
    # Renewal brings her back.
    services.add_pa_check(
        None, market.north.pas["Lena Novak"],
        {"kind": CheckKind.DBS, "title": "Enhanced DBS", "issued_on": today, "expires_on": today + dt.timedelta(days=1095)},
        "renewed",
    )  # fmt: skip
    assert "Lena Novak" in Client().get("/directory/?council=northshire").content.decode()


def test_a_pa_who_does_not_consent_is_not_listed(market, world):
    pa = market.north.pas["Joy Adeyemi"]
    services.save_pa(None, world.north.authority, {"consents_to_listing": False}, "withdrew consent", pa=pa)
    assert "Joy Adeyemi" not in Client().get("/directory/?council=northshire").content.decode()


def test_accreditation_only_where_the_authority_accredits(market, world):
    services.save_pa(None, world.north.authority, {"accredited": True}, "x", pa=market.north.pas["Tom Baker"])
    with pytest.raises(services.ServiceError) as exc:
        services.save_pa(
            None, world.south.authority, {"accredited": True}, "x", pa=market.south.pas["Tom Baker"]
        )
    assert "does not accredit" in exc.value.errors["accredited"][0]


def test_family_member_as_pa_follows_authority_policy(market, world):
    data = {
        "pa_name": "Sam Okafor",
        "family_member": True,
        "relationship": "son",
        "starts_on": dt.date(2026, 5, 1),
    }
    with pytest.raises(services.ServiceError) as exc:
        services.save_employment(world.north.users["assessor"], world.north.self_person, data, "x")
    assert "does not allow" in exc.value.errors["family_member"][0]
    assert not PAEmployment.objects.filter(person=world.north.self_person).exists()
    # Southvale allows it.
    employment = services.save_employment(world.south.users["assessor"], world.south.self_person, data, "x")
    assert employment.family_member


def test_employer_duties_checklist_per_person_employer(market, world):
    employment = services.save_employment(
        world.north.users["assessor"], world.north.self_person,
        {"personal_assistant": market.north.pas["Joy Adeyemi"], "pa_name": "", "starts_on": dt.date(2026, 5, 1)}, "x",
    )  # fmt: skip
    assert employment.pa_name == "Joy Adeyemi"
    duties = {d.duty: d.status for d in employment.duties.all()}
    assert duties == {d.value: DutyStatus.TO_DO for d in Duty}
    assert set(duties) == {"contract", "payroll", "insurance", "holiday_pay", "pension", "right_to_work"}
    # The budget holder updates their own checklist on the web.
    duty = EmployerDuty.objects.get(employment=employment, duty=Duty.INSURANCE)
    client = client_for(world.north.users["person"])
    url = f"/market/people/{world.north.self_person.pk}/duties/{duty.pk}/"
    response = client.post(
        url,
        {
            "status": "done",
            "notes": "Policy with a specialist insurer",
            "reason": "Bought",
            "due_on_0": "",
            "due_on_1": "",
            "due_on_2": "",
        },
    )
    assert response.status_code == 302
    duty.refresh_from_db()
    assert duty.status == DutyStatus.DONE
    page = client.get(f"/market/people/{world.north.self_person.pk}/").content.decode()
    assert "Employer&#x27;s liability insurance" in page and "Done" in page


def test_saving_an_entry_without_naming_its_areas_keeps_them(market, world):
    pa = market.north.pas["Joy Adeyemi"]
    areas = set(pa.areas.all())
    assert areas
    services.save_pa(None, world.north.authority, {"phone": "01632 960999"}, "new phone", pa=pa)
    assert set(pa.areas.all()) == areas
    services.save_pa(None, world.north.authority, {"areas": []}, "no longer travels", pa=pa)
    assert not pa.areas.exists()
