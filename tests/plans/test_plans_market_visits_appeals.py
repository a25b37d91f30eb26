"""Spending linked to the market register (rate as the default cost, same authority only), the
plan's broker from the register, light-touch monitoring visits, appeals against a condition, and
finance deploying the money. Figures are worked by hand from plans_support.make_market and the
Northshire plan rules (policies/northshire/plans.yaml)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from plans_support import DAY, make_market, write_plan

from helpers import client_for, token_for
from selfdirect.core.constants import Role
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import AuditEvent, Membership, User
from selfdirect.plans import services
from selfdirect.plans.constants import PanelDecision, PlanState, RiskLevel
from selfdirect.plans.models import MonitoringVisit, SpendingLine, SupportPlan
from selfdirect.plans.workflow import TransitionForbidden, TransitionRefused

LINE = {"kind": "service", "category": "personal_care", "description": "Home care each morning",
        "supplier": "", "unit": "", "quantity": Decimal(7), "frequency": "week"}  # fmt: skip


def api(side, role):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(side.users[role], side.authority)}")


# --- spending linked to the market ---------------------------------------------------------------


def test_market_rate_is_the_default_cost_on_the_plan_start_date(world):
    service, pa, broker = make_market(world.north)
    plan = write_plan(world.north)  # starts 1 April 2026
    planner = world.north.users[Role.PLANNER]
    line = services.save_line(planner, plan, {**LINE, "market_service": service.pk})
    # 2026 rate table: £18.50 an hour x 7 hours x 52 weeks = £6,734.00
    assert (line.unit_cost_pence, line.unit, line.annual_pence) == (1850, "hour", 673400)
    assert line.market_service == service and line.supplier == "Home care (Kelby Care)"
    pa_line = services.save_line(planner, plan, {**LINE, "kind": "pa", "personal_assistant": pa.pk})
    assert (pa_line.unit_cost_pence, pa_line.annual_pence) == (1200, 436800)  # £12 x 7 x 52
    fee = services.save_line(planner, plan, {**LINE, "kind": "broker", "broker": broker.pk, "quantity": Decimal(3),
                                             "frequency": "one_off"})  # fmt: skip
    assert (fee.unit_cost_pence, fee.annual_pence) == (3000, 9000)  # 3 hours of planning at £30
    # A cost typed in wins over the register's rate
    typed = services.save_line(planner, plan, {**LINE, "market_service": service.pk, "unit_cost_pence": 1900})
    assert typed.unit_cost_pence == 1900
    # A plan starting in 2025 takes the 2025 table (£17.00)
    services.update_plan(planner, plan, {"starts_on": dt.date(2025, 6, 1)}, "test")
    old = services.save_line(
        planner, SupportPlan.objects.get(pk=plan.pk), {**LINE, "market_service": service.pk}
    )
    assert old.unit_cost_pence == 1700


def test_market_entries_of_another_authority_are_refused(world):
    make_market(world.north)
    south_service, south_pa, south_broker = make_market(world.south, " South")
    plan = write_plan(world.north)
    planner = world.north.users[Role.PLANNER]
    before = plan.lines.count()
    for field, row in [
        ("market_service", south_service),
        ("personal_assistant", south_pa),
        ("broker", south_broker),
    ]:
        with pytest.raises(ServiceError) as caught:
            services.save_line(planner, plan, {**LINE, field: row.pk})
        assert "this authority's market register" in caught.value.errors[field][0]
    with pytest.raises(ServiceError) as caught:
        services.update_plan(planner, plan, {"market_broker": south_broker.pk}, "test")
    assert "market_broker" in caught.value.errors
    assert plan.lines.count() == before
    assert SupportPlan.objects.get(pk=plan.pk).market_broker is None


def test_one_market_entry_per_line_and_a_register_without_a_rate_asks_for_a_cost(world):
    service, pa, _ = make_market(world.north)
    plan = write_plan(world.north)
    planner = world.north.users[Role.PLANNER]
    with pytest.raises(ServiceError) as caught:
        services.save_line(planner, plan, {**LINE, "market_service": service.pk, "personal_assistant": pa.pk})
    assert "one market entry only" in caught.value.errors["market"][0]
    pa.hourly_rate_pence = None
    pa.save()
    with pytest.raises(ServiceError) as caught:
        services.save_line(planner, plan, {**LINE, "personal_assistant": pa.pk})
    assert "no rate" in caught.value.errors["unit_cost_pence"][0]


def test_web_spending_form_links_to_the_market(world):
    service, _, broker = make_market(world.north)
    south_service, _, _ = make_market(world.south, " South")
    plan = write_plan(world.north)
    client = client_for(world.north.users[Role.PLANNER])
    page = client.get(f"/plans/{plan.pk}/spending/")
    assert f'value="market_service:{service.pk}"' in page.content.decode()
    assert f"market_service:{south_service.pk}" not in page.content.decode()
    form = {"kind": "service", "category": "personal_care", "description": "Home care", "unit": "",
            "quantity": "7", "frequency": "week", "unit_cost": "", "market": f"market_service:{service.pk}"}  # fmt: skip
    response = client.post(f"/plans/{plan.pk}/spending/", form)
    assert response.status_code == 302
    line = plan.lines.get(market_service=service)
    assert (line.unit_cost_pence, line.annual_pence) == (1850, 673400)
    shown = client.get(f"/plans/{plan.pk}/spending/").content.decode()
    assert f'href="/market/services/{service.pk}/"' in shown
    refused = client.post(
        f"/plans/{plan.pk}/spending/", {**form, "market": f"market_service:{south_service.pk}"}
    )
    assert refused.status_code == 400 and plan.lines.filter(market_service=south_service).count() == 0
    blank = client.post(f"/plans/{plan.pk}/spending/", {**form, "market": ""})
    assert blank.status_code == 400 and "Enter the cost of one unit" in blank.content.decode()
    # The plan's broker, from the register
    about = {"what_matters": "Home", "helper": "broker", "helper_name": "", "market_broker": str(broker.pk)}
    assert client.post(f"/plans/{plan.pk}/about/", about).status_code == 302
    assert SupportPlan.objects.get(pk=plan.pk).market_broker == broker
    assert "Plan Well" in client.get(f"/plans/{plan.pk}/").content.decode()


def test_api_spending_and_broker_link_to_the_market(world):
    _, pa, broker = make_market(world.north)
    _, south_pa, south_broker = make_market(world.south, " South")
    plan = write_plan(world.north)
    client = api(world.north, Role.PLANNER)
    body = {"kind": "pa", "category": "personal_care", "description": "PA", "quantity": "7", "frequency": "week",
            "personal_assistant_id": pa.pk}  # fmt: skip
    made = client.post(f"/api/v1/plans/{plan.pk}/lines", body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert (
        made.json()["unit_cost_pence"],
        made.json()["annual_pence"],
        made.json()["personal_assistant_id"],
    ) == (1200, 436800, pa.pk)
    bad = client.post(f"/api/v1/plans/{plan.pk}/lines", {**body, "personal_assistant_id": south_pa.pk},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == ["body", "personal_assistant"]
    patched = client.patch(
        f"/api/v1/plans/{plan.pk}", {"market_broker_id": broker.pk}, content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["market_broker_id"] == broker.pk
    refused = client.patch(f"/api/v1/plans/{plan.pk}", {"market_broker_id": south_broker.pk},
                           content_type="application/json")  # fmt: skip
    assert refused.status_code == 422 and SupportPlan.objects.get(pk=plan.pk).market_broker == broker
    assert SpendingLine.objects.filter(personal_assistant=south_pa).count() == 0


def unpayable_broker(side):
    """A council support planner whose fee the market register says cannot come out of the budget
    (like the demo's Dev Sharma), with a fee so that the register would otherwise price the line."""
    from selfdirect.market.models import Broker

    return Broker.objects.create(authority=side.authority, name="Council planner", fee_pence=2000,
                                 fee_basis="hour", payable_from_budget=False)  # fmt: skip


def test_a_broker_whose_fee_cannot_be_paid_from_the_budget_is_refused(world):
    _, _, payable = make_market(world.north)
    council = unpayable_broker(world.north)
    plan = write_plan(world.north)
    planner = world.north.users[Role.PLANNER]
    fee = {**LINE, "kind": "broker", "quantity": Decimal(3), "frequency": "one_off"}
    lines = {line.pk: line.annual_pence for line in plan.lines.all()}
    for typed in ({}, {"unit_cost_pence": 2000}, {"unit_cost_pence": 0}):
        with pytest.raises(ServiceError) as caught:
            services.save_line(planner, plan, {**fee, **typed, "broker": council.pk})
        assert list(caught.value.errors) == ["broker"]
        assert "cannot be paid from the budget" in caught.value.errors["broker"][0]
        assert "Council planner" in caught.value.errors["broker"][0]
    # Changing a line to pay that broker is refused too, and leaves the line as it was
    line = services.save_line(planner, plan, {**fee, "broker": payable.pk})
    with pytest.raises(ServiceError):
        services.save_line(planner, plan, {**fee, "broker": council.pk}, line)
    line.refresh_from_db()
    assert (line.broker, line.annual_pence) == (payable, 9000)
    assert {x.pk: x.annual_pence for x in plan.lines.exclude(pk=line.pk)} == lines
    assert SpendingLine.objects.filter(broker=council).count() == 0
    # Recording that broker as who helped write the plan pays them nothing, so it stays allowed
    services.update_plan(planner, plan, {"market_broker": council.pk}, "test")
    assert SupportPlan.objects.get(pk=plan.pk).market_broker == council


def test_web_and_api_refuse_a_broker_whose_fee_cannot_be_paid_from_the_budget(world):
    make_market(world.north)
    council = unpayable_broker(world.north)
    plan = write_plan(world.north)
    before = plan.lines.count()
    client = client_for(world.north.users[Role.PLANNER])
    form = {"kind": "broker", "category": "personal_care", "description": "Support planning", "unit": "",
            "quantity": "3", "frequency": "one_off", "unit_cost": "20.00", "market": f"broker:{council.pk}"}  # fmt: skip
    page = client.post(f"/plans/{plan.pk}/spending/", form)
    assert page.status_code == 400
    errors = page.context["form"].errors
    assert "cannot be paid from the budget" in errors["market"][0] and "__all__" not in errors
    body = {"kind": "broker", "category": "personal_care", "description": "Support planning", "quantity": "3",
            "frequency": "one_off", "unit_cost_pence": 2000, "broker_id": council.pk}  # fmt: skip
    refused = api(world.north, Role.PLANNER).post(
        f"/api/v1/plans/{plan.pk}/lines", body, content_type="application/json"
    )
    assert refused.status_code == 422
    assert [e["path"] for e in refused.json()["errors"]] == [["body", "broker"]]
    assert "cannot be paid from the budget" in refused.json()["errors"][0]["message"]
    assert plan.lines.count() == before and SpendingLine.objects.filter(broker=council).count() == 0


# --- light-touch monitoring visits ------------------------------------------------------------------


def active_plan(side, **kwargs):
    plan = write_plan(side, **kwargs)
    a = side.users[Role.ASSESSOR]
    for action in ("submit", "approve", "activate"):
        services.apply_transition(a, plan, action, "x", today=DAY)
    return SupportPlan.objects.get(pk=plan.pk)


def test_visits_follow_the_rules_and_can_be_scheduled_and_recorded(world):
    # £14 x 7 ... 14 hours x £11 x 52 = £8,008 a year, medium risk: 2 visits a year, one before the review
    plan = active_plan(world.north, pa_hours="14", risk=RiskLevel.MEDIUM, budget=900000)
    assert plan.visits_per_year == 2
    assert list(plan.visits.values_list("due_on", flat=True)) == [dt.date(2026, 10, 1)]
    a = world.north.users[Role.ASSESSOR]
    extra = services.schedule_visit(a, plan, dt.date(2026, 6, 1), "Falls reported", today=DAY)
    with pytest.raises(ServiceError) as caught:
        services.schedule_visit(a, plan, dt.date(2026, 3, 1), "", today=DAY)
    assert set(caught.value.errors) == {"due_on", "reason"}
    with pytest.raises(TransitionForbidden):
        services.schedule_visit(world.north.users[Role.PLANNER], plan, dt.date(2026, 6, 1), "x", today=DAY)
    with pytest.raises(ServiceError, match="future"):
        services.record_visit(a, extra, dt.date(2026, 6, 2), "Fine", today=dt.date(2026, 6, 1))
    services.record_visit(
        a, extra, dt.date(2026, 6, 1), "Alarm fitted; PA in place", today=dt.date(2026, 6, 1)
    )
    extra.refresh_from_db()
    assert (extra.visited_on, extra.notes) == (dt.date(2026, 6, 1), "Alarm fitted; PA in place")
    assert AuditEvent.objects.filter(reason="Light-touch visit recorded").count() == 1
    due = services.visits_due(world.north.authority, today=dt.date(2026, 9, 15))
    assert [v.due_on for v in due] == [dt.date(2026, 10, 1)]
    draft = write_plan(world.north, world.north.self_person)
    with pytest.raises(TransitionRefused, match="money is deployed"):
        services.schedule_visit(a, draft, dt.date(2026, 6, 1), "x", today=DAY)


@pytest.mark.parametrize("role", list(Role))
def test_visit_pages_and_endpoints_by_role(world, role):
    plan = active_plan(world.north, pa_hours="14", risk=RiskLevel.MEDIUM, budget=900000)
    visit = plan.visits.get()
    user = world.north.users[role]
    reader = role in {Role.ASSESSOR, Role.PLANNER, Role.ADMIN}  # John is on the home team's caseload
    writer = role == Role.ASSESSOR
    client = client_for(user)
    expected_read = 200 if reader else (403 if role == Role.FINANCE else 404)
    expected_write = 200 if writer else (403 if reader or role == Role.FINANCE else 404)
    assert client.get(f"/plans/{plan.pk}/visits/").status_code == expected_read
    assert client.get(f"/plans/{plan.pk}/visits/{visit.pk}/").status_code == expected_write
    rest = api(world.north, role)
    assert rest.get(f"/api/v1/plans/{plan.pk}/visits").status_code == expected_read
    posted = rest.post(f"/api/v1/plans/{plan.pk}/visits", {"due_on": "2030-01-01", "reason": "x"},
                       content_type="application/json")  # fmt: skip
    assert posted.status_code == (201 if writer else expected_write)
    south = client_for(world.south.users[role])
    assert south.get(f"/plans/{plan.pk}/visits/").status_code == 404
    assert api(world.south, role).get(f"/api/v1/plans/{plan.pk}/visits").status_code == 404


def test_visit_web_and_api_journey(world):
    plan = active_plan(world.north, pa_hours="14", risk=RiskLevel.MEDIUM, budget=900000)
    client = client_for(world.north.users[Role.ASSESSOR])
    page = client.get(f"/plans/{plan.pk}/visits/").content.decode()
    assert "2 visits a year" in page and "1 Oct 2026" in page
    today = dt.date.today()
    later = today + dt.timedelta(days=10)
    made = client.post(f"/plans/{plan.pk}/visits/", {"due_on_0": later.day, "due_on_1": later.month,
                                                      "due_on_2": later.year, "reason": "Carer unwell"})  # fmt: skip
    assert made.status_code == 302 and plan.visits.filter(due_on=later).exists()
    bad = client.post(
        f"/plans/{plan.pk}/visits/", {"due_on_0": "", "due_on_1": "", "due_on_2": "", "reason": ""}
    )
    assert bad.status_code == 400 and plan.visits.count() == 2
    visit = plan.visits.get(due_on=dt.date(2026, 10, 1))
    recorded = client.post(f"/plans/{plan.pk}/visits/{visit.pk}/", {"visited_on_0": today.day, "visited_on_1": today.month,
                                                                    "visited_on_2": today.year, "notes": "All well"})  # fmt: skip
    assert recorded.status_code == 302
    visit.refresh_from_db()
    assert visit.visited_on == today and visit.notes == "All well"
    rest = api(world.north, Role.ASSESSOR)
    listed = rest.get(f"/api/v1/plans/{plan.pk}/visits").json()
    assert listed["visits_per_year"] == 2 and len(listed["visits"]) == 2
    other = plan.visits.get(due_on=later)
    future = rest.post(f"/api/v1/plans/{plan.pk}/visits/{other.pk}", {"visited_on": str(later), "notes": "x"},
                       content_type="application/json")  # fmt: skip
    assert future.status_code == 422 and future.json()["errors"][0]["path"] == ["body", "visited_on"]
    done = rest.post(f"/api/v1/plans/{plan.pk}/visits/{other.pk}", {"visited_on": str(today), "notes": "Seen"},
                     content_type="application/json")  # fmt: skip
    assert done.status_code == 200 and done.json()["visited_on"] == str(today)
    assert rest.get("/api/v1/plans/visits-due?days=3650").json() == []


# --- appeals against a condition ----------------------------------------------------------------


def second_panel_member(side):
    user = User.objects.create_user(f"{side.authority.slug}-panel2", password="x" * 12, full_name="Chair")
    Membership.objects.create(user=user, authority=side.authority, role=Role.PANEL)
    return user


def approved_with_conditions(side):
    plan = write_plan(side, side.self_person, risk=RiskLevel.HIGH)
    a, chair = side.users[Role.ASSESSOR], second_panel_member(side)
    services.apply_transition(a, plan, "submit", "x", today=DAY)
    services.apply_transition(a, plan, "refer", "Falls", today=DAY)
    services.apply_transition(
        chair, plan, "panel_conditions", "ok", data={"conditions": "No PA until a DBS check"}, today=DAY
    )
    return SupportPlan.objects.get(pk=plan.pk), chair


def test_the_person_may_appeal_a_condition_heard_by_someone_who_did_not_decide(world):
    side = world.north
    plan, chair = approved_with_conditions(side)
    person, panel = side.users[Role.PERSON], side.users[Role.PANEL]
    page = client_for(person).get(f"/plans/{plan.pk}/steps/appeal/").content.decode()
    assert "Approved with conditions. Conditions: No PA until a DBS check" in page
    services.apply_transition(
        person, plan, "appeal", "My PA is my sister; the DBS delay stops my care", today=DAY
    )
    heard = client_for(panel).get(f"/plans/{plan.pk}/steps/uphold_appeal/").content.decode()
    assert "the DBS delay stops my care" in heard and "Revised conditions" in heard
    plan.refresh_from_db()
    assert plan.state == PlanState.APPEALED
    assert plan.appeals.get().referral.decision == PanelDecision.CONDITIONS
    with pytest.raises(TransitionForbidden, match="did not make the decision"):
        services.apply_transition(chair, plan, "uphold_appeal", "x", today=DAY)
    with pytest.raises(TransitionRefused, match="against the panel's conditions"):
        services.apply_transition(panel, plan, "dismiss_appeal", "x", today=DAY)
    services.apply_transition(panel, plan, "uphold_appeal", "A DBS check within 2 weeks is enough",
                              data={"conditions": "DBS check applied for within 2 weeks"}, today=DAY)  # fmt: skip
    plan.refresh_from_db()
    assert (plan.state, plan.conditions) == (PlanState.APPROVED, "DBS check applied for within 2 weeks")
    assert plan.appeals.get().heard_by == panel
    with pytest.raises(TransitionRefused, match="already been appealed"):
        services.apply_transition(person, plan, "appeal", "again", today=DAY)


def test_a_condition_appeal_dismissed_leaves_the_plan_approved_with_its_conditions(world):
    side = world.north
    plan, _ = approved_with_conditions(side)
    services.apply_transition(side.users[Role.REPRESENTATIVE] if side.representative.may_agree_plan else side.users[Role.PERSON],
                              plan, "appeal", "Too strict", today=DAY)  # fmt: skip
    client = client_for(side.users[Role.PANEL])
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Dismiss the appeal: the conditions stand" in page and "/steps/dismiss_appeal/" not in page
    response = client.post(f"/plans/{plan.pk}/steps/dismiss_condition_appeal/", {"reason": "Safety first"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.state, plan.conditions) == (PlanState.APPROVED, "No PA until a DBS check")


def test_a_plan_the_co_ordinator_signed_off_cannot_be_appealed(world):
    plan = write_plan(world.north, world.north.self_person)
    a = world.north.users[Role.ASSESSOR]
    services.apply_transition(a, plan, "submit", "x", today=DAY)
    services.apply_transition(a, plan, "approve", "x", today=DAY)
    with pytest.raises(TransitionRefused, match="Only a panel decision can be appealed"):
        services.apply_transition(world.north.users[Role.PERSON], plan, "appeal", "x", today=DAY)
    body = {"action": "appeal", "reason": "x"}
    response = api(world.north, Role.PERSON).post(
        f"/api/v1/plans/{plan.pk}/transitions", body, content_type="application/json"
    )
    assert response.status_code == 409
    assert "appeal" not in api(world.north, Role.PERSON).get(f"/api/v1/plans/{plan.pk}").json()["next_steps"]


# --- finance deploys the money ------------------------------------------------------------------


def test_finance_deploys_the_money_from_the_spending_page(world):
    plan = write_plan(world.north)
    a = world.north.users[Role.ASSESSOR]
    services.apply_transition(a, plan, "submit", "x", today=DAY)
    services.apply_transition(a, plan, "approve", "x", today=DAY)
    finance = client_for(world.north.users[Role.FINANCE])
    assert finance.get(f"/plans/{plan.pk}/").status_code == 403  # finance sees the money, not the plan
    lines = finance.get(f"/plans/{plan.pk}/spending/").content.decode()
    assert f"/plans/{plan.pk}/steps/activate/" in lines
    assert '<a href="/plans/" class="govuk-back-link">' in lines  # not back to a page finance cannot open
    assert finance.get(f"/plans/{plan.pk}/steps/approve/").status_code == 403
    step = finance.get(f"/plans/{plan.pk}/steps/activate/").content.decode()
    assert f'<a href="/plans/{plan.pk}/spending/" class="govuk-back-link">' in step
    response = finance.post(f"/plans/{plan.pk}/steps/activate/", {"reason": "Direct payment set up"})
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/spending/"
    plan.refresh_from_db()
    assert plan.state == PlanState.ACTIVE and plan.ledger_budget_ref
    assert plan.transitions.last().capacity == Role.FINANCE
    south = client_for(world.south.users[Role.FINANCE])
    assert south.post(f"/plans/{plan.pk}/steps/activate/", {"reason": "x"}).status_code == 404


def test_finance_deploys_the_money_through_the_api(world):
    plan = write_plan(world.north)
    a = world.north.users[Role.ASSESSOR]
    services.apply_transition(a, plan, "submit", "x", today=DAY)
    finance = api(world.north, Role.FINANCE)
    url = f"/api/v1/plans/{plan.pk}/transitions"
    assert (
        finance.post(url, {"action": "approve", "reason": "x"}, content_type="application/json").status_code
        == 403
    )
    assert (
        finance.post(url, {"action": "activate"}, content_type="application/json").status_code == 409
    )  # not approved yet
    services.apply_transition(a, plan, "approve", "x", today=DAY)
    done = finance.post(url, {"action": "activate"}, content_type="application/json")
    assert done.status_code == 201 and done.json()["state"] == "active"
    assert MonitoringVisit.objects.filter(plan=plan).count() == 0  # £4,004, low risk: no visits


def test_work_queues_show_visits_due_and_plans_to_deploy(world):
    plan = write_plan(world.north)
    a = world.north.users[Role.ASSESSOR]
    services.apply_transition(a, plan, "submit", "x", today=DAY)
    services.apply_transition(a, plan, "approve", "x", today=DAY)
    home = client_for(world.north.users[Role.FINANCE]).get("/").content.decode()
    assert (
        "Approved plans waiting for the money to be deployed" in home
        and f"/plans/{plan.pk}/spending/" in home
    )
    assert (
        f"/plans/{plan.pk}/spending/"
        not in client_for(world.south.users[Role.FINANCE]).get("/").content.decode()
    )
    services.apply_transition(a, plan, "activate", "x")
    plan.refresh_from_db()
    services.schedule_visit(a, plan, dt.date.today() + dt.timedelta(days=3), "Check the alarm")
    assessor_home = client_for(a).get("/").content.decode()
    assert "Light-touch visits due" in assessor_home and f"/plans/{plan.pk}/visits/" in assessor_home


def test_cli_finance_deploys_and_visits_due_are_listed(world, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    plan = write_plan(world.north, pa_hours="14", risk=RiskLevel.MEDIUM, budget=900000)
    a = world.north.users[Role.ASSESSOR]
    services.apply_transition(a, plan, "submit", "x", today=DAY)
    with pytest.raises(CommandError, match="not found"):
        call_command("plan_transition", str(plan.pk), "approve", "--as", "northshire-finance")
    services.apply_transition(a, plan, "approve", "x", today=DAY)
    with pytest.raises(CommandError, match="not found"):
        call_command("plan_transition", str(plan.pk), "activate", "--as", "southvale-finance")
    call_command("plan_transition", str(plan.pk), "activate", "--as", "northshire-finance")
    assert "approved -> active" in capsys.readouterr().out
    visit = SupportPlan.objects.get(pk=plan.pk).visits.get()  # 2 a year: one before the yearly review
    call_command(
        "reviews_due", "--authority", "northshire", "--on", str(visit.due_on - dt.timedelta(days=10))
    )
    out = capsys.readouterr().out
    assert "1 light-touch visit(s) due within 30 days" in out and f"{visit.due_on}  plan {plan.pk}" in out


@pytest.mark.parametrize("role", list(Role))
def test_api_panel_attendance_minutes_and_refusal_follow_up_by_role(world, role):
    side = world.north
    plan, _ = approved_with_conditions(side)
    referral = plan.referrals.get()
    client = api(side, role)
    attended = client.post(f"/api/v1/plans/panel/referrals/{referral.pk}/attendance",
                           {"attendance": "represented", "attendee_name": "Her son"}, content_type="application/json")  # fmt: skip
    minutes = client.post(f"/api/v1/plans/panel/meetings/{referral.meeting_id}/minutes", {"minutes": "Met at 10"},
                          content_type="application/json")  # fmt: skip
    panel = role == Role.PANEL
    # Admins see the panel's work but do not run it (403); the rest do not find its records (404).
    refused = 403 if role == Role.ADMIN else 404
    assert (attended.status_code, minutes.status_code) == ((200, 200) if panel else (refused, refused))
    referral.refresh_from_db()
    assert (referral.attendance, referral.attendee_name) == (
        ("represented", "Her son") if panel else ("invited", "")
    )
    if panel:
        assert minutes.json()["minutes"] == "Met at 10"
    south = api(world.south, role)
    assert south.post(f"/api/v1/plans/panel/referrals/{referral.pk}/attendance", {"attendance": "attended"},
                      content_type="application/json").status_code == 404  # fmt: skip
    assert south.post(f"/api/v1/plans/panel/meetings/{referral.meeting_id}/minutes", {"minutes": "x"},
                      content_type="application/json").status_code == 404  # fmt: skip
    refusal = services.record_refusal(side.users[Role.ASSESSOR], side.caseload_person, "not_now", today=DAY)
    url = f"/api/v1/plans/refusals/{refusal.pk}/follow-up"
    followed = client.post(
        url, {"notes": "Would like to try a direct payment"}, content_type="application/json"
    )
    worker = role in {Role.ASSESSOR, Role.PLANNER}
    finds = worker or role in {Role.ADMIN}  # admins see every person; not their caseload to follow up
    assert followed.status_code == (200 if worker else 403 if finds else 404)
    refusal.refresh_from_db()
    assert (refusal.followed_up_on is not None) == worker
    assert south.post(url, {"notes": "x"}, content_type="application/json").status_code == 404


def test_the_spending_form_shows_each_market_entry_with_its_rate(world):
    service, pa, broker = make_market(world.north)
    plan = write_plan(world.north)  # starts 1 April 2026: the 2026 table
    page = client_for(world.north.users[Role.PLANNER]).get(f"/plans/{plan.pk}/spending/").content.decode()
    assert "Home care (Kelby Care): £18.50 per hour" in page
    assert "Ann Lee: £12.00 per hour" in page and "Plan Well: £30.00 per hour" in page


def test_the_spending_form_reads_every_services_rate_in_one_query(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from selfdirect.plans.forms import market_choices

    make_market(world.north)
    plan = write_plan(world.north)
    with CaptureQueriesContext(connection) as one:
        market_choices(plan)
    make_market(world.north, " Two")
    make_market(world.north, " Three")
    with CaptureQueriesContext(connection) as three:
        groups = market_choices(plan)
    assert len(three) == len(one)  # not a query per service
    services = dict(groups[1][1]).values()
    assert sorted(services) == sorted(
        f"Home care (Kelby Care{s}): £18.50 per hour" for s in ["", " Two", " Three"]
    )
