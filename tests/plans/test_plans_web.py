"""The plan pages: writing through the task list, error summaries with 400, transitions refused
with a reason, the PDF, the home-page work queues."""

from __future__ import annotations

from plans_support import DAY, write_plan

from helpers import client_for
from selfdirect.core.constants import Role
from selfdirect.plans import services
from selfdirect.plans.constants import PlanState, RiskLevel
from selfdirect.plans.models import SupportPlan
from selfdirect.plans.views import render_plan_html


def test_broker_writes_a_plan_through_the_task_list(world):
    side = world.north
    broker = client_for(side.users[Role.PLANNER])
    response = broker.post(f"/plans/start/{side.caseload_person.pk}/")
    plan = SupportPlan.objects.get(person=side.caseload_person)
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    page = broker.get(f"/plans/{plan.pk}/").content.decode()
    assert "govuk-task-list" in page and page.count("Incomplete") >= 4
    assert (
        broker.post(f"/plans/{plan.pk}/about/", {"what_matters": "My garden", "helper": "broker"}).status_code
        == 302
    )
    # A line with bad input: 400 and an error summary naming the fields
    bad = broker.post(f"/plans/{plan.pk}/spending/", {"kind": "pa", "category": "", "description": "", "unit": "hour",
                                                      "quantity": "-1", "frequency": "week", "unit_cost": "11.505"})  # fmt: skip
    body = bad.content.decode()
    assert bad.status_code == 400 and "There is a problem" in body
    assert "Spending category: Select spending category" in body and "fraction of a penny" in body
    good = {"kind": "pa", "category": "personal_care", "description": "PA each day", "unit": "hour", "quantity": "7",
            "frequency": "week", "unit_cost": "11.00"}  # fmt: skip
    assert broker.post(f"/plans/{plan.pk}/spending/", good).status_code == 302
    assert plan.lines.get().annual_pence == 400400
    page = broker.get(f"/plans/{plan.pk}/spending/").content.decode()
    assert "£4,004.00" in page


def test_finance_sees_money_lines_but_not_the_plan(world, written):
    finance = client_for(world.north.users[Role.FINANCE])
    assert finance.get(f"/plans/{written.pk}/").status_code == 403
    page = finance.get(f"/plans/{written.pk}/spending/")
    assert page.status_code == 200 and "£4,004.00" in page.content.decode()
    assert "Add spending" not in page.content.decode()
    assert finance.post(f"/plans/{written.pk}/spending/", {}).status_code == 403
    assert "Keep my flat" not in page.content.decode()


def test_submission_with_missing_risk_answers_shows_the_list(world, written):
    services.update_plan(
        world.north.users[Role.PLANNER], written, {"risk_risks": "", "risk_manage": ""}, "test"
    )
    client = client_for(world.north.users[Role.ASSESSOR])
    response = client.post(f"/plans/{written.pk}/steps/submit/", {"reason": "Ready"})
    body = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in body
    assert "Answer the risk question: What risks might that bring?" in body
    assert "Answer the risk question: How are you going to manage those risks?" in body


def test_impossible_and_forbidden_transitions_on_the_web(world, written):
    assessor = client_for(world.north.users[Role.ASSESSOR])
    response = assessor.post(f"/plans/{written.pk}/steps/approve/", {"reason": "ok"})
    assert response.status_code == 400 and "The plan is draft" in response.content.decode()
    assert assessor.get(f"/plans/{written.pk}/steps/approve/").status_code == 400
    assert (
        client_for(world.north.users[Role.PLANNER])
        .post(f"/plans/{written.pk}/steps/approve/", {"reason": "ok"})
        .status_code
        == 403
    )
    assert assessor.get(f"/plans/{written.pk}/steps/no-such-step/").status_code == 404
    ok = assessor.post(f"/plans/{written.pk}/steps/submit/", {"reason": "Ready"})
    assert ok.status_code == 302
    again = assessor.post(f"/plans/{written.pk}/steps/submit/", {"reason": "Ready"}, follow=True)
    assert "already done" in again.content.decode()


def test_pdf_renders_with_the_persons_name(world, written):
    response = client_for(world.north.users[Role.PLANNER]).get(f"/plans/{written.pk}/plan.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    html = render_plan_html(written)
    assert str(written.person) in html and "Stay Safe 4a" in html and "£4,004.00" in html


def test_home_page_work_queues(world):
    side = world.north
    plan = write_plan(side, risk=RiskLevel.HIGH)
    services.apply_transition(side.users[Role.ASSESSOR], plan, "submit", today=DAY)
    home = client_for(side.users[Role.ASSESSOR]).get("/").content.decode()
    assert "Plans waiting for your sign-off" in home and str(plan.person) in home
    assert "Your reviews due" in home
    services.apply_transition(side.users[Role.ASSESSOR], plan, "refer", "Falls", today=DAY)
    panel_home = client_for(side.users[Role.PANEL]).get("/").content.decode()
    assert panel_home.count("Risk enablement panel") >= 1 and str(plan.person) in panel_home
    assert "No plans have been referred to the panel" not in panel_home
    assert "Appeals waiting" in panel_home
    empty = client_for(world.south.users[Role.PANEL]).get("/").content.decode()
    assert "No plans have been referred to the panel" in empty
    nav = client_for(side.users[Role.PERSON]).get("/").content.decode()
    assert 'href="/plans/"' in nav


def test_review_page_records_progress(world, written):
    side = world.north
    a = side.users[Role.ASSESSOR]
    for action in ("submit", "approve", "activate", "start_review"):
        services.apply_transition(a, written, action, today=DAY)
    client = client_for(a)
    outcome = written.outcomes.get()
    bad = client.post(
        f"/plans/{written.pk}/review/",
        {"risk_level": "low", "held_on_0": "1", "held_on_1": "4", "held_on_2": "2027"},
    )
    assert bad.status_code == 400 and "Have you achieved it?" in bad.content.decode()
    data = {f"progress_{outcome.pk}": "fully", f"notes_{outcome.pk}": "Kept the flat", "risk_level": "low",
            "held_on_0": "1", "held_on_1": "4", "held_on_2": "2027"}  # fmt: skip
    assert client.post(f"/plans/{written.pk}/review/", data).status_code == 302
    assert client.post(f"/plans/{written.pk}/steps/complete_review/", {"reason": "Done"}).status_code == 302
    written.refresh_from_db()
    assert written.state == PlanState.ACTIVE
    assert "Fully" in client.get(f"/plans/{written.pk}/").content.decode()


def test_refusal_pages(world):
    client = client_for(world.north.users[Role.ASSESSOR])
    person = world.north.caseload_person
    assert client.post(f"/plans/refusals/new/{person.pk}/", {}).status_code == 400
    assert (
        client.post(
            f"/plans/refusals/new/{person.pk}/", {"reason": "misinformed", "notes": "Thought it was a loan"}
        ).status_code
        == 302
    )
    assert "Had wrong or incomplete information" in client.get("/plans/refusals/").content.decode()
