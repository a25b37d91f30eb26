"""A spending line's kind must fit the market entry it is paid to; plans end by themselves when a
withdrawal notice runs out (command, task, work queue); invitations to the risk enablement panel.
Dates are worked by hand: DAY is Wednesday 1 April 2026, Northshire's panel meets on Wednesdays at
10:00 in Committee Room 2, Northshire County Hall, and gives 28 days' notice of withdrawal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from plans_support import DAY, make_market, write_plan

from helpers import client_for, token_for
from selfdirect.core.constants import Role
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import AuditEvent
from selfdirect.plans import services
from selfdirect.plans.constants import PlanState, Progress, RiskLevel
from selfdirect.plans.models import PanelInvitation, PlanTransition, SpendingLine, SupportPlan
from selfdirect.plans.tasks import end_withdrawn_plans_task
from selfdirect.plans.workflow import TransitionForbidden, TransitionRefused

LINE = {"kind": "service", "category": "personal_care", "description": "Home care each morning",
        "supplier": "", "unit": "", "quantity": Decimal(7), "frequency": "week"}  # fmt: skip


# --- a line's kind fits the market entry it is paid to ---------------------------------------------


def test_a_line_kind_must_fit_its_market_entry(world):
    service, pa, broker = make_market(world.north)
    plan = write_plan(world.north)
    planner = world.north.users[Role.PLANNER]
    before = plan.lines.count()
    for kind, field, row, wanted in [
        ("equipment", "personal_assistant", pa, "'Personal assistant'"),
        ("service", "personal_assistant", pa, "'Personal assistant'"),
        ("pa", "market_service", service, "'Service from a provider'"),
        ("equipment", "market_service", service, "'Service from a provider'"),  # home care is not equipment
        ("service", "broker", broker, "'Support planning or brokerage'"),
        ("other", "broker", broker, "'Support planning or brokerage'"),
    ]:
        with pytest.raises(ServiceError) as caught:
            services.save_line(planner, plan, {**LINE, "kind": kind, field: row.pk})
        message = caught.value.errors["kind"][0]
        assert message.startswith("What is it:") and wanted in message and str(row) in message, message
    assert plan.lines.count() == before
    # The fitting kinds are taken
    assert (
        services.save_line(planner, plan, {**LINE, "kind": "pa", "personal_assistant": pa.pk}).annual_pence
        == 436800
    )
    assert (
        services.save_line(planner, plan, {**LINE, "kind": "broker", "broker": broker.pk}).personal_assistant
        is None
    )


def test_an_equipment_service_may_be_equipment_or_a_one_off_but_not_a_pa(world):
    service, _, _ = make_market(world.north)
    service.support_type = "equipment"
    service.save()
    plan = write_plan(world.north)
    planner = world.north.users[Role.PLANNER]
    for kind in ("service", "equipment", "one_off"):
        line = services.save_line(planner, plan, {**LINE, "kind": kind, "market_service": service.pk})
        assert line.kind == kind and line.unit_cost_pence == 1850
    with pytest.raises(ServiceError) as caught:
        services.save_line(planner, plan, {**LINE, "kind": "pa", "market_service": service.pk})
    assert "'Service from a provider' or 'Equipment' or 'One-off purchase'" in caught.value.errors["kind"][0]


def test_changing_a_linked_line_to_the_wrong_kind_is_refused_and_nothing_changes(world):
    _, pa, _ = make_market(world.north)
    plan = write_plan(world.north)
    planner = world.north.users[Role.PLANNER]
    line = services.save_line(planner, plan, {**LINE, "kind": "pa", "personal_assistant": pa.pk})
    with pytest.raises(ServiceError):
        services.save_line(planner, plan, {**LINE, "kind": "equipment", "personal_assistant": pa.pk}, line)
    assert SpendingLine.objects.get(pk=line.pk).kind == "pa"


def test_web_and_api_refuse_a_kind_that_does_not_fit(world):
    _, pa, _ = make_market(world.north)
    plan = write_plan(world.north)
    before = plan.lines.count()
    client = client_for(world.north.users[Role.PLANNER])
    form = {"kind": "equipment", "category": "personal_care", "description": "A PA", "unit": "", "quantity": "7",
            "frequency": "week", "unit_cost": "", "market": f"personal_assistant:{pa.pk}"}  # fmt: skip
    page = client.post(f"/plans/{plan.pk}/spending/", form)
    assert page.status_code == 400
    assert "What is it: spending with the personal assistant Ann Lee" in page.content.decode()
    api = Client(
        HTTP_AUTHORIZATION=f"Bearer {token_for(world.north.users[Role.PLANNER], world.north.authority)}"
    )
    body = {"kind": "equipment", "category": "personal_care", "description": "PA", "quantity": "7",
            "frequency": "week", "personal_assistant_id": pa.pk}  # fmt: skip
    refused = api.post(f"/api/v1/plans/{plan.pk}/lines", body, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["path"] == ["body", "kind"]
    assert plan.lines.count() == before


# --- plans end when the withdrawal notice runs out --------------------------------------------------


def under_notice(side, person=None, day=DAY):
    """An active plan whose review found its outcome not met, given notice on ``day``."""
    plan = write_plan(side, person)
    a = side.users[Role.ASSESSOR]
    for action in ("submit", "approve", "activate", "start_review"):
        services.apply_transition(a, plan, action, "x", today=day)
    outcome = plan.outcomes.get()
    services.record_review(a, services.open_review(plan), {outcome.pk: (Progress.NOT_AT_ALL, "Evicted")},
                           risk_level=RiskLevel.HIGH, held_on=day)  # fmt: skip
    services.apply_transition(a, plan, "give_notice", "Outcomes not being achieved", today=day)
    return SupportPlan.objects.get(pk=plan.pk)


def test_plans_end_the_day_their_notice_runs_out_by_the_system_once(world):
    plan = under_notice(world.north)
    assert plan.funding_ends_on == dt.date(2026, 4, 29)  # 1 April + 28 days
    assert services.end_withdrawn_plans(today=dt.date(2026, 4, 28)) == []
    assert SupportPlan.objects.get(pk=plan.pk).state == PlanState.WITHDRAWAL_NOTICE
    done = services.end_withdrawn_plans(today=dt.date(2026, 4, 29))
    assert [(d.plan_id, d.funding_ended_on, d.outcome) for d in done] == [
        (plan.pk, dt.date(2026, 4, 29), "ended")
    ]
    plan.refresh_from_db()
    assert plan.state == PlanState.ENDED and plan.review_on is None
    step = PlanTransition.objects.filter(plan=plan).last()
    assert (step.action, step.actor, step.actor_label, step.capacity) == ("end", None, "system", "system")
    assert step.reason == "The withdrawal notice ran out on 29 April 2026: Outcomes not being achieved"
    event = (
        AuditEvent.objects.filter(object_type="plans.supportplan", object_id=str(plan.pk))
        .order_by("-pk")
        .first()
    )
    assert event.actor is None and event.actor_label == "system"
    assert event.changes["state"] == ["withdrawal_notice", "ended"]
    # Idempotent: a second run finds nothing more to end
    assert services.end_withdrawn_plans(today=dt.date(2026, 5, 1)) == []
    assert PlanTransition.objects.filter(plan=plan, action="end").count() == 1


def test_the_system_ends_only_plans_whose_notice_ran_out(world):
    running = write_plan(world.north)
    a = world.north.users[Role.ASSESSOR]
    for action in ("submit", "approve", "activate"):
        services.apply_transition(a, running, action, "x", today=DAY)
    with pytest.raises(TransitionRefused, match="withdrawal notice has run out"):
        services.apply_transition(None, running, "end", "x", today=DAY)
    with pytest.raises(TransitionForbidden):
        services.apply_transition(None, running, "start_review", "x", today=DAY)
    noticed = under_notice(world.north, world.north.self_person)
    with pytest.raises(TransitionRefused, match="withdrawal notice has run out"):
        services.apply_transition(None, noticed, "end", "x", today=dt.date(2026, 4, 28))
    assert SupportPlan.objects.get(pk=running.pk).state == PlanState.ACTIVE
    # A worker may still end a plan under notice early
    services.apply_transition(a, noticed, "end", "They moved away", today=dt.date(2026, 4, 10))
    assert SupportPlan.objects.get(pk=noticed.pk).state == PlanState.ENDED


def test_command_and_task_end_plans_per_authority_and_report_each(world, capsys):
    north = under_notice(world.north)
    south = under_notice(world.south, day=dt.date(2026, 4, 2))  # Southvale gives 42 days: 14 May 2026
    assert south.funding_ends_on == dt.date(2026, 5, 14)
    call_command("end_withdrawn_plans", "--date", "2026-04-29")
    out = capsys.readouterr().out
    assert f"plan {north.pk}  {north.person}  notice ran out 2026-04-29: ended" in out
    assert "1 plan(s) ended, 0 not ended" in out
    call_command("end_withdrawn_plans", "--date", "2026-04-30")
    assert "0 plan(s) ended" in capsys.readouterr().out
    call_command("end_withdrawn_plans", "--date", "2026-05-14", "--authority", "northshire")
    assert SupportPlan.objects.get(pk=south.pk).state == PlanState.WITHDRAWAL_NOTICE
    with pytest.raises(CommandError):
        call_command("end_withdrawn_plans", "--authority", "nowhere")
    assert end_withdrawn_plans_task.call("2026-05-13") == []
    assert end_withdrawn_plans_task.call("2026-05-14") == [f"plan {south.pk}: ended"]
    assert SupportPlan.objects.get(pk=south.pk).state == PlanState.ENDED


def test_work_queue_shows_notices_ending_within_14_days(world):
    soon = under_notice(world.north)
    later = under_notice(world.north, world.north.self_person)
    today = timezone.localdate()
    SupportPlan.objects.filter(pk=soon.pk).update(funding_ends_on=today + dt.timedelta(days=14))
    SupportPlan.objects.filter(pk=later.pk).update(funding_ends_on=today + dt.timedelta(days=15))
    assert list(services.notices_ending(world.north.authority)) == [SupportPlan.objects.get(pk=soon.pk)]
    home = client_for(world.north.users[Role.ASSESSOR]).get("/").content.decode()
    section = home.split('data-testid="notices-ending"')[1].split("</ul>")[0]
    assert str(soon.person) in section and str(later.person) not in section
    assert f"funding ends {today + dt.timedelta(days=14):%-d %B %Y}" in section
    # Another authority's co-ordinator does not see it
    south_home = client_for(world.south.users[Role.ASSESSOR]).get("/").content.decode()
    assert str(soon.person) not in south_home


# --- invitations to the risk enablement panel -------------------------------------------------------


def referred(side, person=None):
    plan = write_plan(side, person or side.self_person, risk=RiskLevel.HIGH)
    a = side.users[Role.ASSESSOR]
    services.apply_transition(a, plan, "submit", today=DAY)
    services.apply_transition(a, plan, "refer", "High risk: she wants to live alone", today=DAY)
    return SupportPlan.objects.get(pk=plan.pk)


def test_putting_a_plan_on_the_agenda_invites_the_person_and_their_representative(world):
    plan = referred(world.north)
    referral = services.open_referral(plan)
    assert referral.meeting.meets_on == DAY and referral.meeting.starts_at == dt.time(10, 0)
    invitations = list(PanelInvitation.objects.filter(referral=referral).order_by("pk"))
    assert [(i.invitee_name, i.representative) for i in invitations] == [
        (str(world.north.self_person), None),
        ("Sam Okafor", world.north.representative),
    ]
    assert {(i.meets_on, i.meets_at, i.place) for i in invitations} == {
        (DAY, dt.time(10, 0), "Committee Room 2, Northshire County Hall")
    }
    assert all(i.sent_how == "" for i in invitations)
    assert AuditEvent.objects.filter(object_type="plans.panelinvitation").count() == 2
    # A person with no representative gets one invitation only
    other = referred(world.north, world.north.caseload_person)
    assert PanelInvitation.objects.filter(referral__plan=other).count() == 1


def test_the_person_sees_their_own_invitation_only(world):
    plan = referred(world.north)
    mine = PanelInvitation.objects.get(referral__plan=plan, representative__isnull=True)
    reps = PanelInvitation.objects.get(referral__plan=plan, representative__isnull=False)
    person = client_for(world.north.users[Role.PERSON])
    detail = person.get(f"/plans/{plan.pk}/").content.decode()
    assert (
        "You're invited to the risk enablement panel on Wednesday 1 April 2026 at 10:00, "
        "Committee Room 2, Northshire County Hall; you can bring someone"
    ) in detail
    letter = person.get(f"/plans/{plan.pk}/invitations/{mine.pk}/")
    assert letter.status_code == 200
    text = letter.content.decode()
    assert f"Dear {world.north.self_person}" in text and "You can bring someone with you" in text
    assert "Not sent yet" in text
    assert person.get(f"/plans/{plan.pk}/invitations/{reps.pk}/").status_code == 404
    rep = client_for(world.north.users[Role.REPRESENTATIVE])
    assert "Dear Sam Okafor" in rep.get(f"/plans/{plan.pk}/invitations/{reps.pk}/").content.decode()
    assert rep.get(f"/plans/{plan.pk}/invitations/{mine.pk}/").status_code == 404
    # Workers and the panel see both; another authority sees nothing
    for role in (Role.ASSESSOR, Role.PANEL, Role.ADMIN):
        for inv in (mine, reps):
            assert (
                client_for(world.north.users[role]).get(f"/plans/{plan.pk}/invitations/{inv.pk}/").status_code
                == 200
            )
    for role in (Role.PERSON, Role.PANEL, Role.ADMIN, Role.ASSESSOR):
        assert (
            client_for(world.south.users[role]).get(f"/plans/{plan.pk}/invitations/{mine.pk}/").status_code
            == 404
        )
    # An invitation reached through another plan's address is not found
    other = referred(world.north, world.north.caseload_person)
    admin = client_for(world.north.users[Role.ADMIN])
    assert admin.get(f"/plans/{other.pk}/invitations/{mine.pk}/").status_code == 404


def test_the_panel_chair_records_how_an_invitation_was_sent(world):
    plan = referred(world.north)
    invitation = PanelInvitation.objects.get(referral__plan=plan, representative__isnull=True)
    meeting = invitation.referral.meeting
    url = f"/plans/panel/{meeting.pk}/invitations/{invitation.pk}/"
    form = {"sent_how": "letter", "sent_on_0": "25", "sent_on_1": "3", "sent_on_2": "2026"}
    # Who does not see the panel's work does not find its records (404); an admin sees, may not write.
    assert client_for(world.north.users[Role.ASSESSOR]).post(url, form).status_code == 404
    assert client_for(world.north.users[Role.ADMIN]).post(url, form).status_code == 403
    assert client_for(world.south.users[Role.PANEL]).post(url, form).status_code == 404
    panel = client_for(world.north.users[Role.PANEL])
    meeting_page = panel.get(f"/plans/panel/{meeting.pk}/").content.decode()
    assert "Record how it was sent" in meeting_page and "not sent yet" in meeting_page
    bad = panel.post(url, {**form, "sent_how": "pigeon"})
    assert bad.status_code == 400
    assert panel.post(url, form).status_code == 302
    invitation.refresh_from_db()
    assert (invitation.sent_how, invitation.sent_on, invitation.sent_by) == (
        "letter", dt.date(2026, 3, 25), world.north.users[Role.PANEL],
    )  # fmt: skip
    shown = client_for(world.north.users[Role.PERSON]).get(f"/plans/{plan.pk}/invitations/{invitation.pk}/")
    assert "By letter on 25 March 2026" in shown.content.decode()
    with pytest.raises(ServiceError) as caught:
        services.mark_invitation_sent(
            world.north.users[Role.PANEL], invitation, "email", dt.date(2026, 4, 2), today=DAY
        )
    assert "future" in caught.value.errors["sent_on"][0]
    with pytest.raises(TransitionForbidden):
        services.mark_invitation_sent(world.north.users[Role.ASSESSOR], invitation, "email", DAY, today=DAY)
    assert PanelInvitation.objects.get(pk=invitation.pk).sent_how == "letter"


def test_api_lists_invitations_and_records_how_one_was_sent(world):
    plan = referred(world.north)
    mine = PanelInvitation.objects.get(referral__plan=plan, representative__isnull=True)
    reps = PanelInvitation.objects.get(referral__plan=plan, representative__isnull=False)

    def api(side, role):
        return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(side.users[role], side.authority)}")

    person = api(world.north, Role.PERSON).get(f"/api/v1/plans/{plan.pk}/invitations")
    assert person.status_code == 200
    assert [(i["id"], i["meets_on"], i["meets_at"], i["place"], i["sent_how"]) for i in person.json()] == [
        (mine.pk, "2026-04-01", "10:00:00", "Committee Room 2, Northshire County Hall", None)
    ]
    assert [
        i["id"]
        for i in api(world.north, Role.REPRESENTATIVE).get(f"/api/v1/plans/{plan.pk}/invitations").json()
    ] == [reps.pk]
    assert len(api(world.north, Role.PANEL).get(f"/api/v1/plans/{plan.pk}/invitations").json()) == 2
    assert api(world.south, Role.ADMIN).get(f"/api/v1/plans/{plan.pk}/invitations").status_code == 404
    url = f"/api/v1/plans/panel/invitations/{mine.pk}/sent"
    body = {"sent_how": "email", "sent_on": "2026-03-30"}
    assert api(world.north, Role.ASSESSOR).post(url, body, content_type="application/json").status_code == 404
    assert api(world.north, Role.ADMIN).post(url, body, content_type="application/json").status_code == 403
    assert api(world.south, Role.PANEL).post(url, body, content_type="application/json").status_code == 404
    bad = api(world.north, Role.PANEL).post(
        url, {**body, "sent_how": "pigeon"}, content_type="application/json"
    )
    assert bad.status_code == 422
    done = api(world.north, Role.PANEL).post(url, body, content_type="application/json")
    assert done.status_code == 200 and (done.json()["sent_how"], done.json()["sent_on"]) == (
        "email",
        "2026-03-30",
    )
    assert PanelInvitation.objects.get(pk=mine.pk).sent_how == "email"
