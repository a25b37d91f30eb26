"""Creating and changing people through the pages: GOV.UK error summaries, 4xx, nothing half-saved."""

from helpers import client_for
from selfdirect.core.constants import Role
from selfdirect.core.models import AuditEvent
from selfdirect.people.models import Person

GOOD = {
    "given_name": "Grace", "family_name": "Hall", "date_of_birth_0": "27", "date_of_birth_1": "3",
    "date_of_birth_2": "1948", "sex": "female", "address_line_1": "4 Mill Lane", "town": "Kelby",
    "postcode": "nx4 4tf", "nhs_number": "943 476 5919", "client_group": "older", "facs_band": "substantial",
    "primary_support_reason": "physical", "contact_preference": "phone", "has_capacity": "True",
    "reason": "Referred by GP",
}  # fmt: skip


def test_assessor_adds_a_person_to_their_own_team(world):
    client = client_for(world.north.users[Role.ASSESSOR])
    response = client.post("/people/new/", {**GOOD, "team": world.north.home_team.pk})
    assert response.status_code == 302
    person = Person.objects.get(family_name="Hall")
    assert person.nhs_number == "9434765919" and person.postcode == "NX4 4TF"
    assert person.has_capacity is True and person.authority == world.north.authority
    assert response["Location"] == f"/people/{person.pk}/"
    assert AuditEvent.objects.get(person_id=person.pk).reason == "Referred by GP"


def test_bad_input_shows_each_problem_by_field_and_saves_nothing(world):
    client = client_for(world.north.users[Role.ASSESSOR])
    bad = {**GOOD, "given_name": "", "nhs_number": "9434765918", "date_of_birth_0": "31", "date_of_birth_1": "2",
           "team": world.north.home_team.pk}  # fmt: skip
    response = client.post("/people/new/", bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_given_name"' in html
    assert "Enter a valid NHS number" in html
    assert "Date must be a real date" in html and 'href="#id_date_of_birth_0"' in html
    assert "<title>Error:" in html
    assert not Person.objects.filter(family_name="Hall").exists()
    assert not AuditEvent.objects.exists()


def test_an_assessor_cannot_put_someone_on_another_teams_caseload(world):
    client = client_for(world.north.users[Role.ASSESSOR])
    response = client.post("/people/new/", {**GOOD, "team": world.north.other_team.pk})
    assert response.status_code == 400
    assert not Person.objects.filter(family_name="Hall").exists()


def test_edit_records_the_change_and_its_reason(world):
    client = client_for(world.north.users[Role.ASSESSOR])
    person = world.north.caseload_person
    page = client.get(f"/people/{person.pk}/edit/")
    assert page.status_code == 200 and 'value="17"' in page.content.decode()
    data = {**GOOD, "given_name": "Johnny", "family_name": person.family_name, "team": world.north.home_team.pk,
            "reason": "Prefers Johnny"}  # fmt: skip
    assert client.post(f"/people/{person.pk}/edit/", data).status_code == 302
    person.refresh_from_db()
    assert person.given_name == "Johnny"
    event = AuditEvent.objects.get(person_id=person.pk)
    assert event.changes["given_name"] == ["John", "Johnny"] and event.reason == "Prefers Johnny"


def test_edit_without_a_reason_is_refused(world):
    client = client_for(world.north.users[Role.ASSESSOR])
    person = world.north.caseload_person
    data = {**GOOD, "family_name": person.family_name, "team": world.north.home_team.pk, "reason": ""}
    response = client.post(f"/people/{person.pk}/edit/", data)
    assert response.status_code == 400
    assert "Why are you making this change?" in response.content.decode()
    person.refresh_from_db()
    assert person.given_name == "John"


def test_search_and_pagination(world):
    from helpers import make_person

    for i in range(30):
        make_person(world.north.authority, world.north.home_team, f"Test{i}", "Pager", postcode="NX8 1AA")
    client = client_for(world.north.users[Role.ADMIN])
    page1 = client.get("/people/?q=pager").content.decode()
    assert "30 people found" in page1 and "1 of 2" in page1 and "q=pager&amp;page=2" in page1
    page2 = client.get("/people/?q=pager&page=2").content.decode()
    assert page2.count("Pager, Test") == 5
    assert "1 person found" in client.get("/people/?q=Khan-northshire").content.decode()
    assert "0 people found" in client.get("/people/?q=Khan-southvale").content.decode()
    assert client.get("/people/?page=999").status_code == 200  # past the end shows the last page
    assert "30 people found" in client.get("/people/?q=NX8").content.decode()


def test_allocate_requires_a_worker_in_the_team(world):
    client = client_for(world.north.users[Role.ADMIN])
    person = world.north.other_person
    response = client.post(
        f"/people/{person.pk}/allocate/",
        {
            "team": world.north.other_team.pk,
            "allocated_worker": world.north.users[Role.ASSESSOR].pk,
            "reason": "x",
        },
    )
    assert response.status_code == 400
    assert "member of the team" in response.content.decode()
    response = client.post(
        f"/people/{person.pk}/allocate/",
        {
            "team": world.north.home_team.pk,
            "allocated_worker": world.north.users[Role.ASSESSOR].pk,
            "reason": "x",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.team == world.north.home_team


def test_representative_dates_must_run_forwards(world):
    client = client_for(world.north.users[Role.ASSESSOR])
    person = world.north.caseload_person
    data = {
        "name": "Jo",
        "type": "friend",
        "starts_on_0": "1",
        "starts_on_1": "6",
        "starts_on_2": "2026",
        "ends_on_0": "1",
        "ends_on_1": "5",
        "ends_on_2": "2026",
        "reason": "asked",
        "may_view_record": "on",
    }
    response = client.post(f"/people/{person.pk}/representatives/new/", data)
    assert response.status_code == 400
    assert "end date must be the same as or after" in response.content.decode()
    data["ends_on_1"] = "7"
    assert client.post(f"/people/{person.pk}/representatives/new/", data).status_code == 302
    assert person.representatives.get().name == "Jo"


def test_contact_log(world):
    client = client_for(world.north.users[Role.PLANNER])
    person = world.north.caseload_person
    data = {
        "happened_on_0": "3",
        "happened_on_1": "3",
        "happened_on_2": "2026",
        "kind": "visit",
        "summary": "Home visit",
    }
    assert client.post(f"/people/{person.pk}/contacts/new/", data).status_code == 302
    assert "Home visit" in client.get(f"/people/{person.pk}/contacts/").content.decode()
    assert client.post(f"/people/{person.pk}/contacts/new/", {**data, "kind": "fax"}).status_code == 400


def test_sign_in_lands_on_home_and_failures_are_throttled(world, settings):
    from django.test import Client

    client = Client()
    assert (
        client.post("/sign-in/", {"username": "northshire-assessor", "password": "wrong"}).status_code == 400
    )
    response = client.post(
        "/sign-in/", {"username": "northshire-assessor", "password": "a-long-test-password"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/sign-in/", {"username": "northshire-finance", "password": "wrong"})
    # Now even the right password is refused until the window passes.
    response = client.post(
        "/sign-in/", {"username": "northshire-finance", "password": "a-long-test-password"}
    )
    assert response.status_code == 429
    assert "too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_demo_sign_in_page_names_the_made_up_accounts(db, settings):
    from django.test import Client

    assert "selfdirect-demo" not in Client().get("/sign-in/").content.decode()
    settings.SELFDIRECT_DEMO = True
    assert "northshire-assessor" in Client().get("/sign-in/").content.decode()


def test_a_person_on_their_own_record_is_sent_home_not_to_a_list_they_may_not_see(world):
    person_view = client_for(world.north.users[Role.PERSON]).get(f"/people/{world.north.self_person.pk}/")
    assert person_view.status_code == 200
    assert 'href="/people/"' not in person_view.content.decode()
    assert 'class="govuk-back-link">Home</a>' in person_view.content.decode()
    worker_view = client_for(world.north.users[Role.ASSESSOR]).get(f"/people/{world.north.self_person.pk}/")
    assert 'href="/people/" class="govuk-back-link">People</a>' in worker_view.content.decode()


def test_a_contact_dated_tomorrow_is_refused_beside_the_date(world):
    import datetime as dt

    from django.utils import timezone

    client = client_for(world.north.users[Role.PLANNER])
    person = world.north.caseload_person
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    data = {"happened_on_0": tomorrow.day, "happened_on_1": tomorrow.month, "happened_on_2": tomorrow.year,
            "kind": "visit", "summary": "Home visit"}  # fmt: skip
    response = client.post(f"/people/{person.pk}/contacts/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_happened_on_0"' in page and "The date of contact must be today or in the past" in page
    assert not person.contacts.exists()
