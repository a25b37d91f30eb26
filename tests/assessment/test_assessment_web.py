"""The self-assessment as question pages, check answers, the indicative budget; the assessor's
comparison and eligibility; answers rejected at the field."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from alloc_testdata import COMPLETE, make_assessment

from helpers import client_for
from selfdirect.allocation.models import Allocation
from selfdirect.assessment import services
from selfdirect.assessment.constants import AssessmentStatus, Respondent
from selfdirect.assessment.models import Assessment
from selfdirect.core.constants import Role
from selfdirect.people.constants import FacsBand


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 5, 1))


def web_value(value):
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


def answer_all(client, first_url, answers):
    """Follow the question pages from ``first_url``, answering from ``answers`` (blank if absent)."""
    url = first_url
    seen = []
    while "/questions/" in url:
        qid = url.rstrip("/").rsplit("/", 1)[-1]
        seen.append(qid)
        page = client.get(url)
        assert page.status_code == 200, qid
        response = client.post(url, {"answer": web_value(answers.get(qid, ""))})
        assert response.status_code == 302, (qid, response.content[:500])
        url = response["Location"]
    return url, seen


def test_person_completes_the_self_assessment_and_sees_an_explained_indicative_budget(world, north_2026):
    person = world.north.self_person
    client = client_for(world.north.users[Role.PERSON])
    start = client.get(f"/assessment/people/{person.pk}/self/")
    assert start.status_code == 200 and b"Start now" in start.content
    response = client.post(f"/assessment/people/{person.pk}/self/")
    assert response.status_code == 302 and response["Location"].endswith("/questions/client_group/")
    check_url, seen = answer_all(client, response["Location"], COMPLETE)
    # Closed domains' questions were never asked; the optional traditional-services ones were.
    assert "eat_prepare" not in seen and "pc_washing" in seen and "tc_home_care_hours" in seen
    assert seen[-1] == "anything_else_text"  # the optional free-text question comes last
    assessment = Assessment.objects.get(person=person)
    assert (
        assessment.respondent == Respondent.PERSON
        and assessment.answered_by == world.north.users[Role.PERSON]
    )
    assert assessment.policy_version == north_2026
    check = client.get(check_url)
    assert check.status_code == 200
    assert b"Check your answers" in check.content and b"Someone has to do it for me" in check.content
    assert b"Stay Safe" not in check.content  # staff-only tags are hidden from the person
    sent = client.post(f"/allocation/assessments/{assessment.pk}/send/")
    assert sent.status_code == 302 and sent["Location"] == f"/allocation/people/{person.pk}/budget/"
    budget = client.get(sent["Location"]).content.decode()
    assert "£9,450.00 a year" in budget and "£181.73 a week" in budget
    assert "indicative budget" in budget.lower() and "may be different" in budget
    assert north_2026.label in budget and north_2026.version_id not in budget  # its title and date
    assert "care_points" not in budget  # no staff derivation for the person
    # What happens next, with the way to the plan from the person's own record.
    steps = budget.split('data-testid="next-steps"')[1].split("</ol>")[0]
    assert "You write a support plan" in steps and f'href="/people/{person.pk}/"' in steps
    assert "Your indicative budget" in budget
    staff = client_for(world.north.users[Role.ASSESSOR]).get(sent["Location"]).content.decode()
    assert 'data-testid="next-steps"' not in staff  # written to the person, not to their worker
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED and assessment.derived_band == "substantial"


def test_drafts_are_saved_and_resumed(world, north_2026):
    person = world.north.self_person
    client = client_for(world.north.users[Role.PERSON])
    first = client.post(f"/assessment/people/{person.pk}/self/")["Location"]
    client.post(first, {"answer": "older_people"})
    again = client.get(f"/assessment/people/{person.pk}/self/")
    assert b"Continue your self-assessment" in again.content
    resumed = client.post(f"/assessment/people/{person.pk}/self/")["Location"]
    # Age is not asked: the record's date of birth (17 May 1950) gives 75 on 1 May 2026.
    assert resumed.endswith("/questions/pc_trigger/")
    draft = Assessment.objects.get(person=person)
    assert draft.person_answers == {"client_group": "older_people", "age": "75"}
    check = client.get(f"/assessment/{draft.pk}/check/").content.decode()
    assert "From the date of birth on your record" in check
    # Changed by the person, it is their answer, and no longer said to come from the record.
    client.post(f"/assessment/{draft.pk}/questions/age/", {"answer": "76"})
    assert "From the date of birth on your record" not in client.get(f"/assessment/{draft.pk}/check/").content.decode()
    assert Assessment.objects.filter(person=person).count() == 1


def test_out_of_range_answer_is_rejected_at_the_field(world, north_2026):
    a = make_assessment(world.north.self_person, north_2026, {"client_group": "older_people"})
    client = client_for(world.north.users[Role.PERSON])
    response = client.post(f"/assessment/{a.pk}/questions/age/", {"answer": "12"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and "govuk-error-message" in html
    assert html.count("Your age must be 18 or more") == 2 and 'href="#answer"' in html  # summary and field
    empty = client.post(f"/assessment/{a.pk}/questions/age/", {"answer": ""})
    assert empty.status_code == 400 and b"Enter your age" in empty.content
    bad = client.post(f"/assessment/{a.pk}/questions/client_group/", {"answer": "martian"})
    assert bad.status_code == 400
    a.refresh_from_db()
    assert a.person_answers == {"client_group": "older_people"}
    closed = client.get(f"/assessment/{a.pk}/questions/eat_prepare/")
    assert closed.status_code == 404  # a closed domain's question is not asked


def test_an_incomplete_self_assessment_cannot_be_sent(world, north_2026):
    a = make_assessment(world.north.self_person, north_2026, {"client_group": "older_people"})
    client = client_for(world.north.users[Role.PERSON])
    assert client.post(f"/assessment/{a.pk}/check/").status_code == 405  # the page only shows
    response = client.post(f"/allocation/assessments/{a.pk}/send/")
    assert (
        response.status_code == 400
        and b"Still to answer" in response.content
        and b"How old are you?" in response.content
    )
    assert Allocation.objects.count() == 0


def test_representative_with_permission_answers_and_is_recorded(world, north_2026):
    rep = world.north.representative
    client = client_for(world.north.users[Role.REPRESENTATIVE])
    assert client.get(f"/assessment/people/{rep.person_id}/self/").status_code == 403
    rep.may_complete_assessment = True
    rep.save()
    response = client.post(f"/assessment/people/{rep.person_id}/self/")
    client.post(response["Location"], {"answer": "older_people"})
    a = Assessment.objects.get(person_id=rep.person_id)
    assert (
        a.respondent == Respondent.REPRESENTATIVE and a.answered_by == world.north.users[Role.REPRESENTATIVE]
    )


def test_worker_talks_the_person_through(world, north_2026):
    person = world.north.caseload_person
    client = client_for(world.north.users[Role.ASSESSOR])
    page = client.get(f"/assessment/people/{person.pk}/self/")
    assert b"Talked-through mode" in page.content
    response = client.post(f"/assessment/people/{person.pk}/self/")
    client.post(response["Location"], {"answer": "older_people"})
    a = Assessment.objects.get(person=person)
    assert a.respondent == Respondent.WORKER and a.answered_by == world.north.users[Role.ASSESSOR]


def test_assessor_comparison_highlights_differences_and_confirms_eligibility(world, north_2026):
    person = world.north.caseload_person
    a = make_assessment(person, north_2026, status="submitted")
    assessor = world.north.users[Role.ASSESSOR]
    client = client_for(assessor)
    form = client.get(f"/assessment/{a.pk}/assessor/")
    assert form.status_code == 200 and b"Continence / toileting support required" in form.content
    bad = client.post(f"/assessment/{a.pk}/assessor/", {"age": "300"})
    assert bad.status_code == 400 and b"Age in years must be 120 or less" in bad.content
    saved = client.post(f"/assessment/{a.pk}/assessor/", {"pc_washing": "some", "safety_trigger": "yes"})
    assert saved.status_code == 302
    a.refresh_from_db()
    assert a.assessor_answers == {"pc_washing": "some", "safety_trigger": True}
    # The safety trigger opened two questions for the assessor to answer.
    page = client.get(f"/assessment/{a.pk}/").content.decode()
    assert page.count('data-testid="differs"') == 2
    assert "Stay Safe 4a" in page  # outcome-framework tags are shown to staff
    assert "Still to answer" in page and "Risk to life" in page
    client.post(f"/assessment/{a.pk}/assessor/", {"safety_risk_to_life": "no", "safety_abuse": "no"})
    # Washing "some" (3) not "all" (10): 28 points, still substantial. Confirm with a different band and reason.
    missing_reason = client.post(f"/assessment/{a.pk}/confirm/", {"band": "critical", "reason": ""})
    assert missing_reason.status_code == 400
    assert "Enter why you chose the critical band when the answers give substantial" in missing_reason.content.decode()
    ok = client.post(f"/assessment/{a.pk}/confirm/", {"band": "critical", "reason": "Lives alone; falls"})
    assert ok.status_code == 302
    a.refresh_from_db()
    person.refresh_from_db()
    assert a.band == "critical" and a.derived_band == "substantial" and a.status == AssessmentStatus.CONFIRMED
    assert person.facs_band == FacsBand.CRITICAL
    allocated = client.post(f"/allocation/assessments/{a.pk}/allocate/")
    assert allocated.status_code == 302
    allocation = Allocation.objects.get(assessment=a)
    assert allocation.total_annual_pence == 28 * 27000 and allocation.band == "critical"
    staff = client.get(allocated["Location"]).content.decode()
    # The staff derivation, in the policy's words rather than its names for scores and rates.
    assert "Lives alone; falls" in staff and "Social care need score = 28 points" in staff
    assert "care_points" not in staff


def test_allocating_an_incomplete_assessment_lists_what_is_missing(world, north_2026):
    a = make_assessment(world.north.caseload_person, north_2026, {"client_group": "older_people"})
    client = client_for(world.north.users[Role.ASSESSOR])
    response = client.post(f"/allocation/assessments/{a.pk}/allocate/", follow=True)
    assert b"The assessment is not complete. Still to answer" in response.content
    assert Allocation.objects.count() == 0


def test_finance_sees_money_but_not_answers(world, north_2026):
    a = make_assessment(world.north.caseload_person, north_2026, status="submitted")
    from selfdirect.allocation.services import allocate_assessment

    allocation = allocate_assessment(None, a)
    client = client_for(world.north.users[Role.FINANCE])
    page = client.get(f"/allocation/{allocation.pk}/").content.decode()
    assert "£9,450.00 a year" in page and "£270.00" in page
    assert "How this was worked out" not in page
    assert client.get(f"/assessment/{a.pk}/").status_code == 403
    assert client.get(f"/assessment/{a.pk}/check/").status_code == 403


def test_home_page_links_the_person_to_their_self_assessment(world, north_2026):
    home = client_for(world.north.users[Role.PERSON]).get("/").content.decode()
    assert re.search(rf'href="/assessment/people/{world.north.self_person.pk}/self/"', home)


# --------------------------------------------------------------------------- free text

FREE = "anything_else_text"
FREE_URL = "/assessment/{}/questions/anything_else_text/"


def test_free_text_is_a_textarea_saved_and_resumed_and_shown_on_check_answers(world, north_2026):
    person = world.north.self_person
    a = make_assessment(person, north_2026, dict(COMPLETE))
    client = client_for(world.north.users[Role.PERSON])
    page = client.get(FREE_URL.format(a.pk)).content.decode()
    assert "Is there anything else you want us to know about your support? (optional)" in page
    assert '<textarea class="govuk-textarea govuk-js-character-count" id="answer" name="answer"' in page
    assert 'data-module="govuk-character-count" data-maxlength="1000"' in page
    assert "You can enter up to 1000 characters" in page and "Stay Safe" not in page
    words = "Mornings are hard & I <3 my dog.\nEvenings are fine."
    saved = client.post(FREE_URL.format(a.pk), {"answer": words})
    assert saved.status_code == 302
    a.refresh_from_db()
    assert a.person_answers[FREE] == words and a.status == AssessmentStatus.DRAFT
    # Leave and come back: the draft is resumed and the answer is still there, escaped.
    assert b"Continue your self-assessment" in client.get(f"/assessment/people/{person.pk}/self/").content
    again = client.get(FREE_URL.format(a.pk)).content.decode()
    assert "Mornings are hard &amp; I &lt;3 my dog.\nEvenings are fine.</textarea>" in again
    check = client.get(f"/assessment/{a.pk}/check/").content.decode()
    assert "Mornings are hard &amp; I &lt;3 my dog.<br>Evenings are fine." in check
    assert f'href="/assessment/{a.pk}/questions/{FREE}/?change=1"' in check
    assert f'action="/allocation/assessments/{a.pk}/send/"' in check  # its button sends them
    # Free text carries no points: the seed-figure budget is unchanged.
    sent = client.post(f"/allocation/assessments/{a.pk}/send/")
    assert sent.status_code == 302
    assert Allocation.objects.get(assessment=a).total_annual_pence == 945000


def test_free_text_over_the_length_limit_is_rejected_at_the_field(world, north_2026):
    a = make_assessment(world.north.self_person, north_2026, dict(COMPLETE))
    client = client_for(world.north.users[Role.PERSON])
    too_long = client.post(FREE_URL.format(a.pk), {"answer": "x" * 1001})
    assert too_long.status_code == 400
    html = too_long.content.decode()
    assert "govuk-error-summary" in html and 'href="#answer"' in html and "govuk-textarea--error" in html
    assert html.count("Your answer must be 1,000 characters or less") == 2  # summary and field
    assert "x" * 1001 + "</textarea>" in html  # what was typed is kept so it can be shortened
    a.refresh_from_db()
    assert FREE not in a.person_answers
    # Exactly at the limit is accepted; a blank answer is fine because the question is optional.
    assert client.post(FREE_URL.format(a.pk), {"answer": "y" * 1000}).status_code == 302
    a.refresh_from_db()
    assert a.person_answers[FREE] == "y" * 1000
    assert client.post(FREE_URL.format(a.pk), {"answer": "  "}).status_code == 302
    a.refresh_from_db()
    assert FREE in a.person_answers and a.person_answers[FREE] is None  # cleared, but answered


def test_free_text_in_the_assessor_comparison(world, north_2026):
    person = world.north.caseload_person
    a = make_assessment(person, north_2026, {**COMPLETE, FREE: "I want to keep going to church.\nOn Sundays."},
                        status="submitted")  # fmt: skip
    client = client_for(world.north.users[Role.ASSESSOR])
    page = client.get(f"/assessment/{a.pk}/").content.decode()
    assert "Anything else the person wants us to know (their own words; no points)" in page
    assert "I want to keep going to church.<br>On Sundays." in page
    form = client.get(f"/assessment/{a.pk}/assessor/").content.decode()
    assert f'<textarea class="govuk-textarea" id="q-{FREE}" name="{FREE}"' in form
    bad = client.post(f"/assessment/{a.pk}/assessor/", {FREE: "z" * 1001})
    assert bad.status_code == 400 and "Anything else the person wants us to know (their own words; no points) must be 1,000 characters or less" in bad.content.decode()
    a.refresh_from_db()
    assert a.assessor_answers == {}
    ok = client.post(f"/assessment/{a.pk}/assessor/", {FREE: "Church on Sundays matters; transport needed."})
    assert ok.status_code == 302
    page = client.get(f"/assessment/{a.pk}/").content.decode()
    assert page.count('data-testid="differs"') == 1 and "Church on Sundays matters; transport needed." in page


def test_questions_show_their_part_and_number_questions_their_unit_and_range(world, north_2026):
    """Progress by part (area of life), which answers cannot move: "question 1 of 19" became "4 of
    22" once a yes opened more questions. A number says what it counts, after the box and in the
    hint a screen reader reads (the suffix is hidden from it, as GOV.UK's is)."""
    a = make_assessment(world.north.self_person, north_2026, {"client_group": "older_people"})
    client = client_for(world.north.users[Role.PERSON])
    parts = len(services.policy_of(a).domains)
    age = client.get(f"/assessment/{a.pk}/questions/age/").content.decode()
    assert f"Part 1 of {parts}: About you" in age and "question" not in age.split("<h1")[1].split("</h1>")[0].lower()
    assert 'govuk-input__suffix" aria-hidden="true">years</div>' in age
    assert "Enter a whole number of years, from 18 to 120" in age and 'aria-describedby="answer-hint "' in age
    before = client.get(f"/assessment/{a.pk}/questions/pc_trigger/").content.decode()
    client.post(f"/assessment/{a.pk}/questions/age/", {"answer": "80"})
    client.post(f"/assessment/{a.pk}/questions/pc_trigger/", {"answer": "yes"})  # opens three more questions
    after = client.get(f"/assessment/{a.pk}/questions/pc_trigger/").content.decode()
    caption = re.compile(r"Part \d+ of \d+: [^<]+")
    assert caption.findall(before) == caption.findall(after) == [f"Part 2 of {parts}: Looking after yourself"]


def test_an_age_the_questionnaire_would_refuse_is_asked_not_filled_in(world, north_2026):
    from selfdirect.people.models import Person

    person = world.north.self_person
    Person.objects.filter(pk=person.pk).update(date_of_birth=dt.date(2010, 1, 1))  # 16: below the minimum
    client = client_for(world.north.users[Role.PERSON])
    first = client.post(f"/assessment/people/{person.pk}/self/")["Location"]
    assert client.post(first, {"answer": "older_people"})["Location"].endswith("/questions/age/")
    assert Assessment.objects.get(person=person).person_answers == {"client_group": "older_people"}
