"""What two first-time users found walking the self-assessment and the assessor's pages: saving for
later keeps the answer on the page, errors name the answer as GOV.UK words them (pages and API
alike), numbers carry their unit, a change goes back to the check page, a sent assessment's state
is said in words; the assessor's queue continues on a paged list, their form shows the person's
answer and can keep it, and confirming eligibility says what was decided and what comes next."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from alloc_testdata import COMPLETE, make_assessment
from test_assessor_answers import browser_form

from helpers import client_for, token_for
from selfdirect.assessment import services
from selfdirect.assessment.constants import AssessmentStatus
from selfdirect.assessment.models import Assessment
from selfdirect.core.constants import Role

SENT_AT = dt.datetime(2026, 12, 8, 10, 0, tzinfo=dt.UTC)  # 8 December 2026 in London too


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 5, 1))


def _api(world, role, method, url, body):
    user = world.north.users[role]
    return getattr(client_for(user), method)(
        url, data=json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(user, world.north.authority)}",
    )  # fmt: skip


# --------------------------------------------------------------------------- the person's pages


def test_save_and_come_back_later_saves_the_answer_on_the_page_and_leaves(world, north_2026):
    person = world.north.self_person
    a = make_assessment(person, north_2026, {"client_group": "older_people"})
    client = client_for(world.north.users[Role.PERSON])
    url = f"/assessment/{a.pk}/questions/age/"
    page = client.get(url).content.decode()
    assert (
        '<button type="submit" name="later" value="1"' in page and "Save and come back later</button>" in page
    )
    left = client.post(url, {"answer": "80", "later": "1"})
    assert left.status_code == 302 and left["Location"] == f"/assessment/people/{person.pk}/self/"
    a.refresh_from_db()
    assert a.person_answers == {"client_group": "older_people", "age": "80"}
    start = client.get(left["Location"]).content.decode()
    assert "Your answers so far have been saved." in start and "Continue your self-assessment" in start
    # Blank: nothing to save, it just leaves. Not valid: it stays, saying why, and saves nothing.
    blank = client.post(f"/assessment/{a.pk}/questions/pc_trigger/", {"answer": "", "later": "1"})
    assert blank.status_code == 302 and blank["Location"] == f"/assessment/people/{person.pk}/self/"
    bad = client.post(url, {"answer": "15", "later": "1"})
    assert bad.status_code == 400 and "Your age must be 18 or more" in bad.content.decode()
    a.refresh_from_db()
    assert a.person_answers == {"client_group": "older_people", "age": "80"}


@pytest.mark.parametrize(
    ("qid", "typed", "message"),
    [
        ("age", "", "Enter your age"),
        ("age", "eighty", "Your age must be a number"),
        ("age", "15", "Your age must be 18 or more"),
        ("age", "300", "Your age must be 120 or less"),
        ("age", "80.5", "Your age must be a whole number"),
        ("tc_home_care_hours", "101", "The number of hours a week must be 100 or less"),
        ("tc_home_care_hours", "3.125", "The number of hours a week can have up to 2 decimal places"),
        ("pc_trigger", "", "Select yes or no"),
        ("client_group", "", "Select an answer"),
        ("client_group", "martian", "Select one of the answers listed"),
        ("anything_else_text", "x" * 1001, "Your answer must be 1,000 characters or less"),
    ],
)
def test_errors_on_a_question_page_name_the_answer(world, north_2026, qid, typed, message):
    a = make_assessment(world.north.self_person, north_2026, {"client_group": "older_people"})
    response = client_for(world.north.users[Role.PERSON]).post(
        f"/assessment/{a.pk}/questions/{qid}/", {"answer": typed}
    )
    assert response.status_code == 400
    assert response.content.decode().count(message) == 2  # the summary and the field


def test_the_api_gives_the_same_words_at_the_same_paths(world, north_2026):
    a = make_assessment(world.north.caseload_person, north_2026, status="submitted")
    url = f"/api/v1/assessments/{a.pk}/answers"
    bad = {"age": 15, "tc_day_sessions": "lots", "pc_trigger": "maybe"}
    person_side = _api(world, Role.ASSESSOR, "patch", url, {"answers": bad})
    staff_side = _api(world, Role.ASSESSOR, "patch", url, {"side": "assessor", "answers": bad})
    assert person_side.status_code == staff_side.status_code == 422
    said = {tuple(e["path"]): e["message"] for e in staff_side.json()["errors"]}
    assert said == {
        ("body", "age"): "Age in years must be 18 or more",
        ("body", "tc_day_sessions"): "Day-centre sessions per week (traditional package) must be a number",
        ("body", "pc_trigger"): "Select yes or no for “Personal care needs identified”",
    }
    assert {tuple(e["path"]): e["message"] for e in person_side.json()["errors"]} == {
        ("body", "age"): "Your age must be 18 or more",
        ("body", "tc_day_sessions"): "The number of sessions a week must be a number",
        ("body", "pc_trigger"): "Select yes or no",
    }


def test_check_answers_show_numbers_with_their_unit(world, north_2026):
    answers = {**COMPLETE, "tc_home_care_hours": "3", "tc_day_sessions": "1", "tc_respite_nights": "14"}
    a = make_assessment(world.north.self_person, north_2026, answers)
    check = client_for(world.north.users[Role.PERSON]).get(f"/assessment/{a.pk}/check/").content.decode()
    for shown in ("3 hours a week", "1 session a week", "14 nights a year", "80 years"):
        assert f'<dd class="govuk-summary-list__value">{shown}' in check


def test_back_from_a_change_goes_back_to_the_check_page(world, north_2026):
    a = make_assessment(world.north.self_person, north_2026, dict(COMPLETE))
    client = client_for(world.north.users[Role.PERSON])
    changing = client.get(f"/assessment/{a.pk}/questions/pc_washing/?change=1").content.decode()
    assert f'<a href="/assessment/{a.pk}/check/" class="govuk-back-link">Back</a>' in changing
    walking = client.get(f"/assessment/{a.pk}/questions/pc_washing/").content.decode()
    assert f'<a href="/assessment/{a.pk}/questions/pc_trigger/" class="govuk-back-link">Back</a>' in walking


def test_the_start_page_says_a_sent_assessment_is_with_a_worker_and_does_not_offer_to_start_again(
    world, north_2026
):
    person = world.north.self_person
    a = make_assessment(person, north_2026, status=AssessmentStatus.SUBMITTED, submitted_at=SENT_AT)
    client = client_for(world.north.users[Role.PERSON])
    page = client.get(f"/assessment/people/{person.pk}/self/").content.decode()
    assert "Sent on 8 December 2026: a worker will go through it with you." in page
    assert "Start now" not in page and "govuk-button--start" not in page and "(submitted)" not in page
    assert "Start a new self-assessment" in page  # possible, but not the main action
    assert f'href="/assessment/{a.pk}/check/">See the answers you sent</a>' in page
    Assessment.objects.filter(pk=a.pk).update(
        status=AssessmentStatus.CONFIRMED, confirmed_at=dt.datetime(2026, 12, 9, 10, tzinfo=dt.UTC)
    )
    after = client.get(f"/assessment/people/{person.pk}/self/").content.decode()
    assert "Start now" in after and "Sent on" not in after
    assert "Started on 1 May 2026, sent on 8 December 2026, eligibility confirmed on 9 December 2026 ·" in after


# --------------------------------------------------------------------------- the assessor's pages


def test_the_home_page_queue_links_to_the_full_paged_list_of_sent_ones(world, north_2026, settings):
    settings.PEOPLE_PAGE_SIZE = 10
    person = world.north.caseload_person
    for day in range(25):
        make_assessment(
            person,
            north_2026,
            status=AssessmentStatus.SUBMITTED,
            submitted_at=SENT_AT + dt.timedelta(days=day),
        )
    make_assessment(person, north_2026)  # a draft: not sent, not in the queue
    client = client_for(world.north.users[Role.ASSESSOR])
    home = client.get("/").content.decode()
    assert (
        '<a class="govuk-link" href="/assessment/?status=submitted" data-testid="all-sent-in">See all 25 self-assessments sent in</a>'
        in home
    )
    assert "more." not in home
    listed = client.get("/assessment/?status=submitted").content.decode()
    assert '<h1 class="govuk-heading-l">Self-assessments sent in</h1>' in listed
    assert "25 self-assessments, 1 to 10 shown." in listed and "Sent on 8 December 2026" in listed
    assert 'href="?status=submitted&amp;page=2"' in listed
    last = client.get("/assessment/?status=submitted&page=3").content.decode()
    assert "21 to 25 shown" in last and "Sent on 1 January 2027" in last
    assert "26 self-assessments" in client.get("/assessment/").content.decode()  # no filter: the draft too
    assert client_for(world.north.users[Role.PERSON]).get("/assessment/").status_code == 403


def test_before_the_assessor_records_answers_no_count_of_differences_is_given(world, north_2026):
    a = make_assessment(world.north.caseload_person, north_2026, status=AssessmentStatus.SUBMITTED)
    client = client_for(world.north.users[Role.ASSESSOR])
    page = client.get(f"/assessment/{a.pk}/").content.decode()
    assert "You have not recorded your answers yet." in page and "0 answers differ" not in page
    a.assessor_answers = {"pc_washing": "all"}  # recorded, and the same as the person's
    a.save()
    assert (
        "0 answers differ between the person and the assessor."
        in client.get(f"/assessment/{a.pk}/").content.decode()
    )


def test_the_assessor_form_shows_their_answer_and_a_radio_can_go_back_to_it(world, north_2026):
    a = make_assessment(world.north.caseload_person, north_2026, status=AssessmentStatus.SUBMITTED,
                        assessor_answers={"pc_washing": "some", "pc_toilet": False})  # fmt: skip
    client = client_for(world.north.users[Role.ASSESSOR])
    html = client.get(f"/assessment/{a.pk}/assessor/").content.decode()
    assert (
        'id="q-pc_washing-hint" class="govuk-hint" data-testid="theirs">Their answer: Someone has to do it for me</div>'
        in html
    )
    assert 'id="q-age-hint" class="govuk-hint" data-testid="theirs">Their answer: 80 years</div>' in html
    assert '<fieldset class="govuk-fieldset" aria-describedby="q-pc_washing-hint">' in html
    form = browser_form(html)
    assert form["pc_washing"] == ["some"] and form["pc_toilet"] == ["no"] and form["pc_dressing"] == [""]
    assert "Keep their answer" in html  # the default where the assessor has no answer of their own
    form["pc_washing"] = [""]  # "Keep their answer"
    assert client.post(f"/assessment/{a.pk}/assessor/", form).status_code == 302
    a.refresh_from_db()
    assert a.assessor_answers == {"pc_toilet": False}


def test_a_refused_confirmation_keeps_the_suggested_band_and_its_reason_in_one_sentence(world, north_2026):
    a = make_assessment(world.north.caseload_person, north_2026, status=AssessmentStatus.SUBMITTED)
    client = client_for(world.north.users[Role.ASSESSOR])
    council = world.north.authority.name
    sentence = (
        "From the answers: <strong>Substantial</strong>. The answers meet the substantial band (the second of "
        f"the policy&#x27;s eligibility rules). {council} funds the critical and substantial bands."
    )
    assert sentence in client.get(f"/assessment/{a.pk}/").content.decode()
    refused = client.post(f"/assessment/{a.pk}/confirm/", {"band": "moderate", "reason": ""})
    html = refused.content.decode()
    assert refused.status_code == 400 and sentence in html
    assert "Enter why you chose the moderate band when the answers give substantial" in html
    assert "FACS band substantial" not in html and "funded bands:" not in html


def test_below_every_rule_the_sentence_says_the_default_band_is_not_funded(world, north_2026):
    answers = {**COMPLETE, "pc_trigger": False, "mob_trigger": False}
    a = make_assessment(world.north.caseload_person, north_2026, answers, status=AssessmentStatus.SUBMITTED)
    page = client_for(world.north.users[Role.ASSESSOR]).get(f"/assessment/{a.pk}/").content.decode()
    assert (
        "None of the policy&#x27;s eligibility rules matches the answers, so they give its default band, low. "
        f"{world.north.authority.name} funds the critical and substantial bands, so this band is not funded."
    ) in page


def test_after_confirming_the_page_says_what_was_decided_and_gives_the_next_steps(world, north_2026):
    person = world.north.caseload_person
    a = make_assessment(person, north_2026, status=AssessmentStatus.SUBMITTED)
    assessor = world.north.users[Role.ASSESSOR]
    with time_machine.travel(SENT_AT, tick=False):  # signed in on the day (a session is for a day)
        client = client_for(assessor)
        done = client.post(f"/assessment/{a.pk}/confirm/", {"band": "critical", "reason": "Lives alone; falls"},
                           follow=True)  # fmt: skip
    html = done.content.decode()
    assert f"Eligibility confirmed: the critical band, by {assessor} on 8 December 2026" in html
    assert (
        f"Confirmed: the <strong>critical</strong> band, by {assessor} on 8 December 2026. Reason: Lives alone; falls"
        in html
    )
    steps = html.split('data-testid="next-steps">')[1].split("</ul>")[0]
    # No budget yet: working one out is the first step (the budget page would have nothing to show).
    assert steps.index(">Work out the indicative budget</button>") < steps.index("Start a support plan")
    assert "See " not in steps and "/budget/" not in steps
    assert f'href="/plans/start/{person.pk}/">Start a support plan</a>' in steps
    assert f'href="/people/{person.pk}/">Back to {person}\'s record</a>' in steps
    # The form is no longer the page's question: it is there, folded, to change the decision.
    assert ">Confirm eligibility</button>" not in html
    assert '<span class="govuk-details__summary-text">Change the decision</span>' in html
