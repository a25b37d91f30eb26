"""Who may make each transition (role x state), and who reaches each page and endpoint (role x own
caseload / other caseload / other authority). Built on the plans.access capacities."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from plans_support import DAY, write_plan

from helpers import client_for, token_for
from selfdirect.core.constants import Role
from selfdirect.core.models import Membership, User
from selfdirect.plans import services
from selfdirect.plans.constants import PlanState, Progress, RiskLevel
from selfdirect.plans.workflow import TRANSITIONS, TransitionForbidden, TransitionRefused

ROLES = list(Role)


class Rollback(Exception):
    pass


def second_panel_member(side):
    user = User.objects.create_user(
        f"{side.authority.slug}-panel2", password="x" * 12, full_name="Second panel member"
    )
    Membership.objects.create(user=user, authority=side.authority, role=Role.PANEL)
    return user


CONDITIONS, APPEALED_CONDITIONS = "conditions", "appealed_conditions"  # approved with conditions


def plan_in(world, state):
    """A plan for the person who signs in (Margaret), driven to ``state`` through the services.
    The panel's decision is made by a second panel member, so the first may hear appeals.
    ``conditions``: approved by the panel with a condition; ``appealed_conditions``: then appealed."""
    side = world.north
    wanted = {CONDITIONS: PlanState.APPROVED, APPEALED_CONDITIONS: PlanState.APPEALED}.get(state, state)
    side.representative.may_agree_plan = True
    side.representative.save()
    a, p2 = side.users[Role.ASSESSOR], second_panel_member(side)
    high = state in {
        PlanState.REFERRED,
        PlanState.NOT_APPROVED,
        PlanState.APPEALED,
        CONDITIONS,
        APPEALED_CONDITIONS,
    }
    plan = write_plan(side, side.self_person, risk=RiskLevel.HIGH if high else RiskLevel.LOW)

    def go(who, action, reason="x", **data):
        services.apply_transition(who, plan, action, reason, data=data, today=DAY)

    if state == PlanState.DRAFT:
        return plan
    go(a, "submit")
    if state == PlanState.RETURNED:
        go(a, "return")
    elif high:
        go(a, "refer")
        if state in {CONDITIONS, APPEALED_CONDITIONS}:
            go(p2, "panel_conditions", conditions="A falls assessment within 4 weeks")
        elif state != PlanState.REFERRED:
            go(p2, "panel_decline")
        if state in {PlanState.APPEALED, APPEALED_CONDITIONS}:
            go(a, "appeal")
    elif state != PlanState.SUBMITTED:
        go(a, "approve")
        if state != PlanState.APPROVED:
            go(a, "activate")
            if state in {PlanState.UNDER_REVIEW, PlanState.WITHDRAWAL_NOTICE}:
                go(a, "start_review")
                outcome = plan.outcomes.get()
                services.record_review(a, services.open_review(plan), {outcome.pk: (Progress.NOT_AT_ALL, "")},
                                       risk_level=RiskLevel.LOW, held_on=DAY)  # fmt: skip
            if state == PlanState.WITHDRAWAL_NOTICE:
                go(a, "give_notice")
    plan.refresh_from_db()
    assert plan.state == wanted
    return plan


# give_notice needs a review that found outcomes unmet, so it is tried from under review; an appeal
# is against a refusal or a condition, and each kind of appeal is heard from its own state.
SPECIAL = {"give_notice": PlanState.UNDER_REVIEW, "appeal": PlanState.NOT_APPROVED,
           "dismiss_condition_appeal": APPEALED_CONDITIONS}  # fmt: skip
CASES = [(a, SPECIAL.get(a, sorted(t.sources)[0])) for a, t in TRANSITIONS.items()] + [
    ("appeal", CONDITIONS),
    ("uphold_appeal", APPEALED_CONDITIONS),
]


@pytest.mark.parametrize(("action", "state"), CASES, ids=[f"{a}-from-{s}" for a, s in CASES])
def test_each_transition_by_each_role(world, action, state):
    plan = plan_in(world, state)
    transition = TRANSITIONS[action]
    outcomes = {}
    for role in ROLES:
        user = world.north.users[role]
        try:
            with transaction.atomic():
                services.apply_transition(user, plan, action, "because", data={"conditions": "c"}, today=DAY)
                raise Rollback
        except Rollback:
            outcomes[role] = "done"
        except TransitionForbidden:
            outcomes[role] = "forbidden"
        except TransitionRefused as exc:
            outcomes[role] = f"refused: {exc}"
    expected = {role: "done" if role in transition.capacities else "forbidden" for role in ROLES}
    assert outcomes == expected
    # Other authority and other caseload: never
    for user in [world.south.users[r] for r in ROLES]:
        with pytest.raises(TransitionForbidden):
            services.apply_transition(user, plan, action, "because", today=DAY)


@pytest.mark.parametrize("action", ["submit", "approve", "redraft"])
def test_caseload_workers_of_another_team_may_not(world, action):
    side = world.north
    plan = write_plan(side, side.caseload_person)
    side.caseload_person.team = side.other_team
    side.caseload_person.save()
    for role in (Role.ASSESSOR, Role.PLANNER):
        with pytest.raises(TransitionForbidden):
            services.apply_transition(side.users[role], plan, action, "x", today=DAY)


def test_every_state_refuses_transitions_that_do_not_leave_it(world):
    plan = plan_in(world, PlanState.ACTIVE)
    for action, t in TRANSITIONS.items():
        if PlanState.ACTIVE in t.sources or t.target == PlanState.ACTIVE:
            continue
        actor = world.north.users[sorted(t.capacities - {"person", "representative"} or t.capacities)[0]]
        if Role.PANEL in t.capacities and actor.username.endswith("panel"):
            continue  # the panel does not see plans that were never referred
        with pytest.raises(TransitionRefused, match="The plan is active"):
            services.apply_transition(actor, plan, action, "x", today=DAY)


def test_a_representative_without_may_agree_plan_only_reads(world):
    plan = write_plan(world.north, world.north.self_person)
    rep = world.north.users[Role.REPRESENTATIVE]
    assert rep.has_perm("plans.view_plan", plan) and not rep.has_perm("plans.change_plan", plan)
    with pytest.raises(TransitionForbidden):
        services.apply_transition(rep, plan, "submit", "x", today=DAY)


# --- pages -------------------------------------------------------------------------------------

OK, NO, GONE = 200, 403, 404


def page_expectations(role):
    """Expected status for each page of a draft plan for Margaret (on the home team)."""
    read = {Role.PERSON: OK, Role.REPRESENTATIVE: OK, Role.ASSESSOR: OK, Role.PLANNER: OK, Role.ADMIN: OK,
            Role.FINANCE: NO}.get(role, GONE)  # fmt: skip
    write = (
        OK
        if role in {Role.PERSON, Role.REPRESENTATIVE, Role.ASSESSOR, Role.PLANNER}
        else (NO if read != GONE else GONE)
    )
    money = OK if read == OK or role == Role.FINANCE else GONE
    return {
        "": read,
        "plan.pdf": read,
        "about/": write,
        "outcomes/": write,
        "risks/": write,
        "money/": write,
        "duration/": write,
        "spending/": money,
        "review/": OK if role == Role.ASSESSOR else (NO if read != GONE else GONE),
        "steps/submit/": OK
        if role in {Role.PERSON, Role.REPRESENTATIVE, Role.ASSESSOR}
        else (NO if read != GONE else GONE),
    }


@pytest.mark.parametrize("role", ROLES)
def test_plan_pages_by_role(world, role):
    world.north.representative.may_agree_plan = True
    world.north.representative.save()
    plan = write_plan(world.north, world.north.self_person)
    client = client_for(world.north.users[role])
    found = {
        suffix: client.get(f"/plans/{plan.pk}/{suffix}").status_code for suffix in page_expectations(role)
    }
    assert found == page_expectations(role)
    # Another authority's user never finds it
    other = client_for(world.south.users[role])
    assert {other.get(f"/plans/{plan.pk}/{s}").status_code for s in page_expectations(role)} == {GONE}


def test_other_caseload_is_not_found(world):
    plan = write_plan(world.north, world.north.self_person)
    world.north.self_person.team = world.north.other_team
    world.north.self_person.save()
    for role in (Role.ASSESSOR, Role.PLANNER):
        assert client_for(world.north.users[role]).get(f"/plans/{plan.pk}/").status_code == GONE


def test_panel_sees_referred_plans_only(world):
    plan = plan_in(world, PlanState.REFERRED)
    panel = client_for(world.north.users[Role.PANEL])
    assert panel.get(f"/plans/{plan.pk}/").status_code == OK
    assert panel.get(f"/plans/{plan.pk}/about/").status_code == NO
    draft = write_plan(world.north)
    assert panel.get(f"/plans/{draft.pk}/").status_code == GONE


@pytest.mark.parametrize("role", ROLES)
def test_authority_pages_by_role(world, role):
    plan_in(world, PlanState.REFERRED)
    from selfdirect.plans.models import PanelMeeting

    meeting = PanelMeeting.objects.get()
    client = client_for(world.north.users[role])
    expected = {
        "/plans/": OK if role not in {Role.COMMISSIONER, Role.PROVIDER} else OK,
        "/plans/panel/": OK if role in {Role.PANEL, Role.ADMIN} else NO,
        # A meeting is a record: those who do not see the panel's work do not find it (docs/access.md).
        f"/plans/panel/{meeting.pk}/": OK if role in {Role.PANEL, Role.ADMIN} else GONE,
        f"/plans/panel/{meeting.pk + 1000}/": GONE,
        "/plans/reviews/": OK if role in {Role.ASSESSOR, Role.ADMIN} else NO,
        "/plans/refusals/": OK if role in {Role.ASSESSOR, Role.PLANNER, Role.ADMIN} else NO,
        f"/plans/refusals/new/{world.north.caseload_person.pk}/": OK if role in {Role.ASSESSOR, Role.PLANNER} else (NO if role in {Role.ADMIN, Role.FINANCE} else GONE),
        f"/plans/start/{world.north.caseload_person.pk}/": OK if role in {Role.ASSESSOR, Role.PLANNER} else (NO if role in {Role.ADMIN, Role.FINANCE} else GONE),
    }  # fmt: skip
    assert {url: client.get(url).status_code for url in expected} == expected
    south = client_for(world.south.users[role])
    assert south.get(f"/plans/panel/{meeting.pk}/").status_code in {GONE}


def test_only_panel_members_record_attendance_and_minutes(world):
    plan = plan_in(world, PlanState.REFERRED)
    referral = plan.referrals.get()
    url = f"/plans/panel/{referral.meeting_id}/referrals/{referral.pk}/attendance/"
    data = {f"r{referral.pk}-attendance": "attended", f"r{referral.pk}-attendee_name": "Sam"}
    assert client_for(world.north.users[Role.ADMIN]).post(url, data).status_code == NO
    assert client_for(world.north.users[Role.PANEL]).post(url, data).status_code == 302
    referral.refresh_from_db()
    assert (referral.attendance, referral.attendee_name) == ("attended", "Sam")
    minutes = f"/plans/panel/{referral.meeting_id}/"
    assert client_for(world.north.users[Role.ADMIN]).post(minutes, {"minutes": "x"}).status_code == NO
    assert (
        client_for(world.north.users[Role.PANEL]).post(minutes, {"minutes": "Met at 10"}).status_code == 302
    )


# --- API ---------------------------------------------------------------------------------------


def api(world, role, side="north"):
    s = getattr(world, side)
    from django.test import Client

    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(s.users[role], s.authority)}")


@pytest.mark.parametrize("role", ROLES)
def test_api_endpoints_by_role(world, role):
    world.north.representative.may_agree_plan = True
    world.north.representative.save()
    plan = write_plan(world.north, world.north.self_person)
    client = api(world, role)
    writer = role in {Role.PERSON, Role.REPRESENTATIVE, Role.ASSESSOR, Role.PLANNER}
    reader = writer or role == Role.ADMIN
    base = f"/api/v1/plans/{plan.pk}"
    found = {
        "get": client.get(base).status_code,
        "money": client.get(f"{base}/money").status_code,
        "transitions": client.get(f"{base}/transitions").status_code,
        "patch": client.patch(
            base, {"what_matters": "My garden"}, content_type="application/json"
        ).status_code,
    }
    hidden = GONE
    expected = {
        "get": OK if reader else (NO if role == Role.FINANCE else hidden),
        "money": OK if reader or role == Role.FINANCE else hidden,
        "transitions": OK if reader else (NO if role == Role.FINANCE else hidden),
        "patch": OK if writer else (NO if reader or role == Role.FINANCE else hidden),
    }
    assert found == expected
    south = api(world, role, "south")
    assert south.get(base).status_code == GONE
    assert (
        south.post(f"{base}/transitions", {"action": "submit"}, content_type="application/json").status_code
        == GONE
    )


def test_api_transitions_409_403_and_idempotent(world):
    plan = write_plan(world.north)
    assessor, base = api(world, Role.ASSESSOR), f"/api/v1/plans/{plan.pk}/transitions"
    response = assessor.post(base, {"action": "approve", "reason": "ok"}, content_type="application/json")
    assert response.status_code == 409 and "The plan is draft" in response.json()["detail"]
    assert (
        api(world, Role.PLANNER)
        .post(base, {"action": "approve"}, content_type="application/json")
        .status_code
        == 403
    )
    first = assessor.post(base, {"action": "submit"}, content_type="application/json")
    assert first.status_code == 201 and first.json()["state"] == "submitted" and first.json()["applied"]
    again = assessor.post(base, {"action": "submit"}, content_type="application/json")
    assert again.status_code == 200 and not again.json()["applied"]
    assert assessor.post(base, {"action": "fly"}, content_type="application/json").status_code == 409
    back = assessor.post(base, {"action": "return"}, content_type="application/json")
    assert back.status_code == 422 and back.json()["errors"][0]["path"] == ["body", "reason"]


def test_api_missing_risk_answers_are_listed(world):
    plan = write_plan(world.north)
    client = api(world, Role.PLANNER)
    client.patch(
        f"/api/v1/plans/{plan.pk}", {"risk_want": "", "risk_buy": ""}, content_type="application/json"
    )
    response = api(world, Role.ASSESSOR).post(
        f"/api/v1/plans/{plan.pk}/transitions", {"action": "submit"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert "What do you want from your budget?" in response.json()["detail"]
    assert "How are you going to buy it?" in response.json()["detail"]


def test_api_writes_a_plan_and_reviews_it(world):
    side = world.north
    broker, assessor = api(world, Role.PLANNER), api(world, Role.ASSESSOR)
    created = broker.post(
        "/api/v1/plans", {"person_id": side.caseload_person.pk}, content_type="application/json"
    )
    assert created.status_code == 201
    pid = created.json()["plan_id"]
    sp = next(o for o in broker.get("/api/v1/plans/frameworks").json() if o["code"] == "Stay Safe 4a")
    assert broker.post(f"/api/v1/plans/{pid}/outcomes", {"text": "Keep my flat", "framework_outcome_ids": [sp["id"]]},
                       content_type="application/json").status_code == 201  # fmt: skip
    line = {"kind": "pa", "category": "personal_care", "description": "PA", "unit": "hour", "quantity": "7",
            "frequency": "week", "unit_cost_pence": 1100}  # fmt: skip
    made = broker.post(f"/api/v1/plans/{pid}/lines", line, content_type="application/json")
    assert made.status_code == 201 and made.json()["annual_pence"] == 400400
    bad = broker.post(
        f"/api/v1/plans/{pid}/lines", {**line, "category": "casino"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == ["body", "category"]
    patch = {"what_matters": "Home", "helper": "broker", "deployment": "isf", "risk_want": "a", "risk_buy": "b",
             "risk_risks": "c", "risk_manage": "d", "contingency": "e", "starts_on": "2026-04-01"}  # fmt: skip
    assert broker.patch(f"/api/v1/plans/{pid}", patch, content_type="application/json").status_code == 200
    assert (
        assessor.patch(
            f"/api/v1/plans/{pid}", {"indicative_budget_pence": 500000}, content_type="application/json"
        ).status_code
        == 200
    )
    for action in ("submit", "approve", "activate", "start_review"):
        assert (
            assessor.post(
                f"/api/v1/plans/{pid}/transitions", {"action": action}, content_type="application/json"
            ).status_code
            == 201
        ), action
    outcome_id = broker.get(f"/api/v1/plans/{pid}").json()["outcomes"][0]["id"]
    review = {"answers": [{"outcome_id": outcome_id, "progress": "mostly"}], "risk_level": "low"}
    assert assessor.get("/api/v1/plans/reviews-due?days=400").json()[0]["plan_id"] == pid
    assert (
        broker.post(f"/api/v1/plans/{pid}/review", review, content_type="application/json").status_code == 403
    )
    assert (
        assessor.post(f"/api/v1/plans/{pid}/review", review, content_type="application/json").status_code
        == 200
    )
    assert (
        assessor.post(
            f"/api/v1/plans/{pid}/transitions", {"action": "complete_review"}, content_type="application/json"
        ).status_code
        == 201
    )
    assert dt.date.fromisoformat(assessor.get(f"/api/v1/plans/{pid}").json()["review_on"]) > DAY


def panel_writes(referral):
    """The API's panel write endpoints, each with a valid body: (name, url, body)."""
    from selfdirect.plans.models import PanelInvitation

    invitation = PanelInvitation.objects.filter(referral=referral).order_by("pk").first()
    assert invitation is not None
    return [
        ("attendance", f"/api/v1/plans/panel/referrals/{referral.pk}/attendance",
         {"attendance": "represented", "attendee_name": "Her son"}),
        ("invitation", f"/api/v1/plans/panel/invitations/{invitation.pk}/sent",
         {"sent_how": "email", "sent_on": "2026-03-30"}),
        ("minutes", f"/api/v1/plans/panel/meetings/{referral.meeting_id}/minutes", {"minutes": "Met at 10"}),
    ]  # fmt: skip


def test_api_panel_writes_need_run_panel_like_the_pages(world):
    """Admins see the panel (plans.see_panel) but do not run it (plans.run_panel): each write endpoint
    refuses them itself (403), as the pages do, and reading stays open to them; panel members write;
    those who do not see the panel's work, and another authority, do not find the records (404)."""
    plan = plan_in(world, PlanState.REFERRED)
    referral = plan.referrals.get()
    writes = panel_writes(referral)
    for role in ROLES:
        if role == Role.PANEL:
            continue
        for name, url, body in writes:
            found = api(world, role).post(url, body, content_type="application/json")
            assert (name, found.status_code) == (name, NO if role == Role.ADMIN else GONE), found.content
    referral.refresh_from_db()
    assert (referral.attendance, referral.meeting.minutes) == ("invited", "")
    assert api(world, Role.ADMIN).get("/api/v1/plans/panel/meetings").status_code == OK
    for role in ROLES:
        for name, url, body in writes:
            found = api(world, role, "south").post(url, body, content_type="application/json")
            assert (name, found.status_code) == (name, GONE), found.content
    panel = api(world, Role.PANEL)
    assert {name: panel.post(url, body, content_type="application/json").status_code for name, url, body in writes} == {
        "attendance": OK, "invitation": OK, "minutes": OK}  # fmt: skip
    referral.refresh_from_db()
    assert (referral.attendance, referral.meeting.minutes) == ("represented", "Met at 10")


def test_api_panel_writes_refuse_an_admin_before_calling_the_service(world, monkeypatch):
    """The endpoint is the gate (plans.run_panel), not whatever the service happens to check: with the
    services' own role checks taken away, an admin is still refused and the service never runs."""
    plan = plan_in(world, PlanState.REFERRED)
    referral = plan.referrals.get()
    called = []
    for name in ("record_attendance", "mark_invitation_sent", "save_minutes"):
        monkeypatch.setattr(services, name, lambda *args, _name=name, **kwargs: called.append(_name))
    admin = api(world, Role.ADMIN)
    found = {name: admin.post(url, body, content_type="application/json").status_code
             for name, url, body in panel_writes(referral)}  # fmt: skip
    assert (found, called) == ({"attendance": NO, "invitation": NO, "minutes": NO}, [])


def test_api_panel_and_refusals_by_role(world):
    plan_in(world, PlanState.REFERRED)
    for role in ROLES:
        client = api(world, role)
        assert client.get("/api/v1/plans/panel/meetings").status_code == (
            OK if role in {Role.PANEL, Role.ADMIN} else NO
        )
        assert client.get("/api/v1/plans/refusals").status_code == (
            OK if role in {Role.ASSESSOR, Role.PLANNER, Role.ADMIN} else NO
        )
    meetings = api(world, Role.PANEL).get("/api/v1/plans/panel/meetings").json()
    assert len(meetings) == 1, meetings
    agenda = meetings[0]["agenda"]
    assert agenda[0]["reasons"][0].startswith("Risk is high")
    made = api(world, Role.ASSESSOR).post("/api/v1/plans/refusals", {"person_id": world.north.caseload_person.pk, "reason": "not_now"},
                                           content_type="application/json")  # fmt: skip
    assert made.status_code == 201
    assert api(world, Role.ASSESSOR, "south").post("/api/v1/plans/refusals", {"person_id": world.north.caseload_person.pk, "reason": "not_now"},
                                                    content_type="application/json").status_code == GONE  # fmt: skip


@pytest.mark.parametrize(("action", "state"), CASES, ids=[f"{a}-from-{s}" for a, s in CASES])
def test_each_transition_page_by_each_role(world, action, state):
    """The web step for each transition: its page opens for the roles the table names (200), is
    refused to anyone else who can find the plan (403, and a POST changes nothing), and is not found
    by roles that cannot see the plan or by another authority (404)."""
    plan = plan_in(world, state)
    referred = plan.referrals.exists()
    finds = {Role.PERSON, Role.REPRESENTATIVE, Role.ASSESSOR, Role.PLANNER, Role.ADMIN, Role.FINANCE}
    if referred:
        finds.add(Role.PANEL)
    url = f"/plans/{plan.pk}/steps/{action}/"
    capacities = TRANSITIONS[action].capacities
    found, expected = {}, {}
    for role in ROLES:
        client = client_for(world.north.users[role])
        found[role] = client.get(url).status_code
        expected[role] = OK if role in capacities else (NO if role in finds else GONE)
        if expected[role] == NO:
            assert client.post(url, {"reason": "x", "conditions": "c"}).status_code == NO
    assert found == expected
    plan.refresh_from_db()
    assert plan.transitions.filter(action=action, reason="x").count() == 0
    for role in ROLES:
        assert client_for(world.south.users[role]).get(url).status_code == GONE
