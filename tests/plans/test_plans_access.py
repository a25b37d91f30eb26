"""The plans' scopes (plans/access.py, one per model with an authority): nothing crosses authorities,
each role finds the rows its pages need, and the panel's invitations follow who each is addressed to."""

from __future__ import annotations

import pytest
from plans_support import DAY, write_plan

from selfdirect.core import access as core_access
from selfdirect.core.constants import Role
from selfdirect.plans import access, services
from selfdirect.plans.constants import RiskLevel
from selfdirect.plans.models import (
    PanelInvitation,
    PanelMeeting,
    PanelReferral,
    PlanOutcome,
    SpendingLine,
    SupportPlan,
)


@pytest.fixture
def referred(world):
    """A high-risk plan for the person who signs in, referred to the panel (so invited to it)."""
    side = world.north
    plan = write_plan(side, side.self_person, risk=RiskLevel.HIGH)
    for step in ("submit", "refer"):
        services.apply_transition(side.users[Role.ASSESSOR], plan, step, "x", today=DAY)
    return plan


def plans_models():
    return [m for m in core_access.registered() if m._meta.app_label == "plans"]


def test_every_plans_scope_is_empty_for_another_authority(world, referred):
    assert len(plans_models()) == 14
    for role, user in world.south.users.items():
        for model in plans_models():
            found = core_access.scoped(model, user, world.north.authority)
            assert not found.exists(), (role, model.__name__)
    admin = world.north.users[Role.ADMIN]
    for model in (SupportPlan, PlanOutcome, SpendingLine, PanelMeeting, PanelReferral, PanelInvitation):
        assert core_access.scoped(model, admin, world.north.authority).exists(), model.__name__


def test_who_finds_the_panels_work(world, referred):
    side = world.north
    for role, user in side.users.items():
        meetings = access.meeting_scope(user, side.authority).exists()
        referrals = access.referral_scope(user, side.authority).exists()
        assert meetings == (role in {Role.PANEL, Role.ADMIN}), role
        # anyone who sees the plan (its person, their representative, their workers) sees its referral
        sees_plan = access.plans_scope(user, side.authority).filter(pk=referred.pk).exists()
        assert referrals == (role in {Role.PANEL, Role.ADMIN} or sees_plan), role
        assert referrals == (role not in {Role.FINANCE, Role.COMMISSIONER, Role.PROVIDER}), role


def test_finance_finds_the_money_of_every_plan_but_not_the_rest(world, referred):
    side = world.north
    finance = side.users[Role.FINANCE]
    assert access.line_scope(finance, side.authority).count() == referred.lines.count()
    assert not access.outcome_scope(finance, side.authority).exists()
    assert not access.plans_scope(finance, side.authority).exists()
    assert access.plans_scope(finance, side.authority, "money").get() == referred


def test_the_panels_totals_count_every_plan_for_the_panel_only(world, referred):
    side = world.north
    write_plan(side)  # a draft the panel has not seen
    panel, assessor = side.users[Role.PANEL], side.users[Role.ASSESSOR]
    assert access.plans_scope(panel, side.authority).count() == 1
    assert access.plans_scope(panel, side.authority, "totals").count() == 2
    assert access.plans_scope(assessor, side.authority, "totals").count() == 2  # on their caseload anyway
    assert not access.plans_scope(side.users[Role.COMMISSIONER], side.authority, "totals").exists()


def test_invitations_follow_who_each_is_addressed_to(world, referred):
    side = world.north
    side.representative.may_agree_plan = True
    side.representative.save()
    services.invite_to_panel(None, referred.referrals.get(), DAY)  # the representative, now acting
    everyone = set(PanelInvitation.objects.filter(referral__plan=referred))
    to_person = {i for i in everyone if i.representative_id is None}
    expected = {
        Role.PERSON: to_person,
        Role.REPRESENTATIVE: everyone - to_person,
        Role.ASSESSOR: everyone,
        Role.PLANNER: everyone,
        Role.PANEL: everyone,
        Role.ADMIN: everyone,
    }
    assert len(everyone) == 2
    for role, user in side.users.items():
        found = set(access.invitation_scope(user, side.authority))
        assert found == expected.get(role, set()), role
        assert set(services.visible_invitations(user, referred)) == found, role


def test_a_workers_home_lists_their_plans_waiting_for_the_panel_and_what_it_decided(world, referred):
    from helpers import client_for

    side = world.north
    person = side.self_person
    home = client_for(side.users[Role.ASSESSOR]).get("/").content.decode()
    section = home.split('data-testid="panel-decisions"')[1].split("</section>")[0]
    assert "Waiting for the panel’s decision (1)" in section and f"{person}</a> ({person.reference}), on the agenda" in section
    services.apply_transition(side.users[Role.PANEL], referred, "panel_conditions", "Risks understood",
                              data={"conditions": "A falls assessment within 4 weeks"}, today=DAY)  # fmt: skip
    home = client_for(side.users[Role.ASSESSOR]).get("/").content.decode()
    section = home.split('data-testid="panel-decisions"')[1].split("</section>")[0]
    assert "Waiting for" not in section
    assert f"({person.reference}): approved with conditions on" in section and "A falls assessment" in section
    # Nobody else's queue: another authority's worker, and finance, see no such section.
    for user in (world.south.users[Role.ASSESSOR], side.users[Role.FINANCE]):
        assert 'data-testid="panel-decisions"' not in client_for(user).get("/").content.decode()
