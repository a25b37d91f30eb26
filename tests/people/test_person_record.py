"""A person at the centre (issue 20.2): a person's record links to everything about them that the
viewer may see (self-assessments, indicative budgets, plans and reviews, budgets and statements,
contributions and disputes), every link it shows opens for that viewer, and each worker's home page
lists what waits for them with the person's reference beside the name."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from selfdirect.allocation.models import Allocation
from selfdirect.assessment.constants import AssessmentStatus
from selfdirect.assessment.models import Assessment
from selfdirect.core.constants import Role
from selfdirect.core.demo import DEMO_PASSWORD
from selfdirect.core.models import User
from selfdirect.ledger.models import Budget
from selfdirect.people.demo import username
from selfdirect.people.models import Person
from selfdirect.plans import services as plans_services
from selfdirect.plans.models import Refusal, Review, SupportPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", "--people", "12", "--quiet-logins")


def signed_in(slug: str, role: Role) -> Client:
    client = Client()
    assert client.login(username=username(slug, role), password=DEMO_PASSWORD)
    return client


def section(html: str, key: str) -> str:
    found = re.search(rf'<section[^>]*aria-labelledby="person-{key}-heading".*?</section>', html, re.S)
    return found.group(0) if found else ""


def someone_with_everything() -> Person:
    """A northshire demo person with an assessment, an indicative budget, a plan and a budget."""
    for person in Person.objects.filter(authority__slug="northshire").order_by("pk"):
        if (Assessment.objects.filter(person=person).exists() and Allocation.objects.filter(person=person).exists()
                and SupportPlan.objects.filter(person=person).exists() and Budget.objects.filter(person=person).exists()):  # fmt: skip
            return person
    raise AssertionError("no demo person has an assessment, an indicative budget, a plan and a budget")


def test_the_record_links_to_everything_the_viewer_may_see_and_every_link_opens(demo):
    person = someone_with_everything()
    assessment = Assessment.objects.filter(person=person).order_by("-on", "-pk")[0]
    allocation = Allocation.objects.filter(person=person).order_by("-on", "-pk")[0]
    plan = SupportPlan.objects.filter(person=person).order_by("-created_at")[0]
    budget = Budget.objects.filter(person=person).order_by("-starts_on", "-pk")[0]
    expected = {
        Role.ASSESSOR: {"assessments": f"/assessment/{assessment.pk}/", "allocations": f"/allocation/{allocation.pk}/",
                        "plans": f"/plans/{plan.pk}/"},
        Role.FINANCE: {"budgets": f"/money/budgets/{budget.pk}/"},
    }  # fmt: skip
    for role, sections in expected.items():
        client = signed_in("northshire", role)
        html = client.get(f"/people/{person.pk}/").content.decode()
        for key, link in sections.items():
            assert f'href="{link}"' in section(html, key), f"{role}: no {link} in the {key} section"
        # Nothing on the record leads to a page the viewer may not open.
        for key in ("assessments", "allocations", "plans", "budgets"):
            for link in re.findall(r'href="(/[^"]+)"', section(html, key)):
                assert client.get(link).status_code == 200, f"{role} was shown {link} and could not open it"
    # The assessor starts the record's journeys from it: all the person's assessments, a new plan.
    assessor = signed_in("northshire", Role.ASSESSOR).get(f"/people/{person.pk}/").content.decode()
    assert f'href="/assessment/people/{person.pk}/"' in section(assessor, "assessments")
    # The person has a plan open, so no second one is offered (the plans list agrees).
    assert f'href="/plans/start/{person.pk}/"' not in section(assessor, "plans")
    finance = signed_in("northshire", Role.FINANCE).get(f"/people/{person.pk}/").content.decode()
    assert f'href="/money/people/{person.pk}/charging/"' in section(finance, "budgets")
    assert "a year" in section(finance, "budgets") and "Budgets and money" in finance


def test_the_record_shows_nothing_the_viewer_may_not_see(demo):
    person = someone_with_everything()
    # A provider works with no one's record; another authority's staff cannot reach it at all.
    assert signed_in("southvale", Role.ASSESSOR).get(f"/people/{person.pk}/").status_code == 404
    commissioner = signed_in("northshire", Role.COMMISSIONER).get(f"/people/{person.pk}/")
    if commissioner.status_code == 200:  # commissioners see the authority's figures, not plans or assessments
        html = commissioner.content.decode()
        assert not section(html, "assessments") and not section(html, "plans")


def test_an_assessor_home_page_lists_self_assessments_sent_in(demo):
    person = someone_with_everything()
    sent = Assessment.objects.filter(person=person).order_by("-on", "-pk")[0]
    Assessment.objects.filter(pk=sent.pk).update(status=AssessmentStatus.SUBMITTED)
    html = signed_in("northshire", Role.ASSESSOR).get("/").content.decode()
    listed = re.search(r'data-testid="sent-in">(.*?)</ul>', html, re.S)
    assert listed is not None, "the assessor's home page has no list of self-assessments sent in"
    assert f'href="/assessment/{sent.pk}/"' in listed.group(1) and f"({person.reference})" in listed.group(1)
    # A finance officer has no such queue.
    assert 'data-testid="sent-in"' not in signed_in("northshire", Role.FINANCE).get("/").content.decode()


def test_start_a_plan_lists_only_people_without_an_open_plan_with_search_and_pages(demo, settings):
    settings.PEOPLE_PAGE_SIZE = 2
    planner = signed_in("northshire", Role.PLANNER)
    open_plan = set(SupportPlan.objects.exclude(state="ended").values_list("person_id", flat=True))
    listed: list[int] = []
    page = 1
    while True:
        html = planner.get(f"/plans/?people_page={page}").content.decode()
        found = re.search(r'data-testid="start-plan">(.*?)</ul>', html, re.S)
        if found is None:
            break
        listed += [int(pk) for pk in re.findall(r'href="/plans/start/(\d+)/"', found.group(1))]
        if f"people_page={page + 1}" not in html:
            break
        page += 1
    assert listed, "no one is offered a plan"
    assert not set(listed) & open_plan, "people who already have a plan open are offered another"
    assert len(listed) == len(set(listed)) and page > 1  # every page a different two people
    # Searching by reference narrows both lists to that person.
    someone = Person.objects.get(pk=listed[0])
    html = planner.get(f"/plans/?q={someone.reference}").content.decode()
    starts = re.findall(r'href="/plans/start/(\d+)/"', html)
    assert starts == [str(someone.pk)] and f"({someone.reference})" in html
    # The plans table pages too, and shows each person's reference.
    plans = planner.get("/plans/").content.decode()
    assert 'data-testid="plan-count"' in plans and "page=2" in plans


def test_reviews_due_and_check_backs_are_paged_with_references_and_overdue_flagged(demo, settings):
    settings.PEOPLE_PAGE_SIZE = 1
    due = Review.objects.filter(authority__slug="northshire", held_on__isnull=True).exclude(plan__state="ended")
    assert due.count() >= 2, "the demo has fewer than two reviews to hold"
    first = due.order_by("due_on", "pk")[0]
    Review.objects.filter(pk=first.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    html = signed_in("northshire", Role.ASSESSOR).get("/plans/reviews/?days=3650").content.decode()
    shown = [r for r in due if r.plan.person.reference in html]
    assert shown == [first], "one review a page, the earliest first, with the person's reference"
    assert 'govuk-tag--red">Overdue' in html
    assert "days=3650&amp;page=2" in html  # the filter carries over to the next page
    # A check-back past its date is flagged the same way, beside the person's reference.
    assessor = User.objects.get(username=username("northshire", Role.ASSESSOR))
    person = first.plan.person
    refusal = plans_services.record_refusal(assessor, person, "money_worries", "Wants to talk to family first")
    Refusal.objects.filter(pk=refusal.pk).update(follow_up_on=timezone.localdate() - dt.timedelta(days=1))
    refusals = signed_in("northshire", Role.ASSESSOR).get("/plans/refusals/").content.decode()
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{person.reference}(?:(?!</tr>).)*</tr>", refusals, re.S)
    assert row is not None and 'govuk-tag--red">Overdue' in row.group(0)


def test_reviews_due_and_check_backs_can_be_searched_for_one_person(demo, settings):
    due = Review.objects.filter(authority__slug="northshire", held_on__isnull=True).exclude(plan__state="ended")
    last = due.order_by("-due_on", "-pk")[0]
    assessor = signed_in("northshire", Role.ASSESSOR)
    person = last.plan.person
    html = assessor.get(f"/plans/reviews/?days=3650&q={person.reference}").content.decode()
    assert re.findall(r"<td class=\"govuk-table__cell\">([A-Z]{2}\d{6})</td>", html) == [person.reference]
    assert f'value="{person.reference}"' in html and 'name="days" value="3650"' in html  # kept for the next search
    assert "No reviews are due for people matching “Nobody Atall”" in assessor.get(
        "/plans/reviews/?q=Nobody+Atall"
    ).content.decode()
    user = User.objects.get(username=username("northshire", Role.ASSESSOR))
    others = Person.objects.filter(authority__slug="northshire").exclude(pk=person.pk)[:2]
    for someone in [person, *others]:
        plans_services.record_refusal(user, someone, "money_worries", "")
    refusals = assessor.get(f"/plans/refusals/?q={person.family_name}+{person.given_name}").content.decode()
    listed = re.findall(r"<td class=\"govuk-table__cell\">([A-Z]{2}\d{6})</td>", refusals)
    assert person.reference in listed and not {o.reference for o in others} & set(listed)


def test_a_persons_own_record_speaks_to_them_as_you(demo):
    me = Person.objects.filter(authority__slug="northshire", user__username=username("northshire", Role.PERSON)).get()
    own = signed_in("northshire", Role.PERSON).get(f"/people/{me.pk}/").content.decode()
    assert "Your record, " in own and "How to contact you" in own and "People who act for you" in own
    assert "How to contact them" not in own and "Your details" in own
    staff = signed_in("northshire", Role.ASSESSOR).get(f"/people/{me.pk}/").content.decode()
    assert "How to contact them" in staff and "Your record" not in staff
