"""The plans API: support plans, their outcomes and spending, the workflow (POST .../transitions,
409 when a step is impossible in the plan's state), the panel, reviews and refusals. Handlers find
plans through plans.access (404 when not visible), check permissions (403) and call the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from selfdirect.core.api_schema import Id, Input, LocalTime, Reason, decimal
from selfdirect.core.errors import Conflict
from selfdirect.core.forms import REASON_MAX_LENGTH
from selfdirect.core.http import AuthedRequest
from selfdirect.people.access import people_scope

from . import access, services
from .constants import (
    Attendance,
    Deployment,
    Frequency,
    Helper,
    InvitationSent,
    LineKind,
    PanelDecision,
    PlanState,
    Progress,
    RefusalReason,
    RiskLevel,
)
from .models import (
    PanelInvitation,
    SupportPlan,
)
from .workflow import TRANSITIONS, TransitionForbidden, TransitionRefused, permission_for

router = Router(tags=["plans"])

if TYPE_CHECKING:
    Quantity = Decimal
else:
    Quantity = decimal(9, 2, gt=0)  # as a spending line keeps it


class PlanLineOut(Schema):
    id: int
    kind: LineKind
    category: str
    description: str
    supplier: str
    unit: str
    quantity: Decimal
    frequency: Frequency
    unit_cost_pence: int
    annual_pence: int
    market_service_id: int | None = Field(None, description="The market register's service, if linked")
    personal_assistant_id: int | None = Field(None, description="The market register's PA, if linked")
    broker_id: int | None = Field(None, description="The market register's broker, if linked")


class MoneyOut(Schema):
    plan_id: int
    person_id: int
    state: PlanState
    indicative_budget_pence: int
    budget_source: str
    deployment: str
    lines: list[PlanLineOut]
    annual_total_pence: int
    budget_check: str = Field(..., description="ok, under, warn or block (by the authority's plan rules)")
    budget_message: str


class FrameworkOutcomeOut(Schema):
    id: int
    framework: str
    code: str
    title: str


class OutcomeOut(Schema):
    id: int
    text: str
    how_measured: str
    framework_outcomes: list[FrameworkOutcomeOut]


class PlanOut(MoneyOut):
    what_matters: str
    helper: str
    helper_name: str
    market_broker_id: int | None = Field(..., description="The broker from the market register who helped")
    risk_want: str
    risk_buy: str
    risk_risks: str
    risk_manage: str
    risk_level: RiskLevel
    contingency: str
    starts_on: dt.date | None
    duration_months: int
    review_on: dt.date | None
    conditions: str
    rules_version: str
    outcomes: list[OutcomeOut]
    next_steps: list[str] = Field(..., description="Transitions this user could try now")


class PlanSummaryOut(Schema):
    id: int
    person_id: int
    state: PlanState
    indicative_budget_pence: int
    review_on: dt.date | None


class PlanIn(Input):
    person_id: Id


class PlanPatch(Input):
    """Only the fields sent change; a field sent as null is left as it is."""

    what_matters: str | None = None
    helper: Helper | None = None
    helper_name: str | None = None
    market_broker_id: Id | None = Field(None, description="A broker from this authority's market register")
    deployment: Deployment | None = None
    deployment_notes: str | None = None
    risk_want: str | None = None
    risk_buy: str | None = None
    risk_risks: str | None = None
    risk_manage: str | None = None
    risk_level: RiskLevel | None = None
    contingency: str | None = None
    starts_on: dt.date | None = None
    duration_months: int | None = Field(None, ge=1, le=36)
    indicative_budget_pence: int | None = Field(None, ge=0)
    reason: Reason = "Plan written"


class OutcomeIn(Input):
    text: str = Field(..., min_length=1, max_length=500)
    how_measured: str = ""
    framework_outcome_ids: list[Id] = []


class LineIn(Input):
    kind: LineKind
    category: str
    description: str = Field(..., min_length=1, max_length=300)
    supplier: str = ""
    unit: str = Field("", max_length=40, description="Defaults to the market entry's unit when one is linked")
    quantity: Quantity
    frequency: Frequency
    unit_cost_pence: int | None = Field(
        None, ge=0, description="Defaults to the market register's rate when a market entry is linked"
    )
    market_service_id: Id | None = Field(
        None, description="A provider's service from this authority's market"
    )
    personal_assistant_id: Id | None = Field(
        None, description="A personal assistant from this authority's register"
    )
    broker_id: Id | None = Field(None, description="A broker from this authority's register")


class TransitionIn(Input):
    action: str = Field(..., description="One of: " + ", ".join(TRANSITIONS))
    reason: str = Field("", max_length=REASON_MAX_LENGTH)
    conditions: str = ""
    minutes: str = ""


class TransitionOut(Schema):
    action: str
    from_state: PlanState
    to_state: PlanState
    actor: str = Field(..., alias="actor_label")
    capacity: str
    at: dt.datetime
    reason: str


class TransitionResult(Schema):
    applied: bool = Field(..., description="False when the same step had just been made (nothing changed)")
    state: PlanState
    transition: TransitionOut | None


class ReviewAnswerIn(Input):
    outcome_id: Id
    progress: Progress
    notes: str = ""


class ReviewIn(Input):
    answers: list[ReviewAnswerIn]
    risk_level: RiskLevel
    money_notes: str = ""
    notes: str = ""
    reassessment_needed: bool = False
    new_budget_pence: int | None = Field(None, ge=0)
    held_on: dt.date | None = None


class ReviewDueOut(Schema):
    review_id: int
    plan_id: int
    person_id: int
    due_on: dt.date


class ReferralOut(Schema):
    id: int
    plan_id: int
    person_id: int
    reasons: list[str]
    attendance: str
    decision: PanelDecision | None
    conditions: str


class MeetingOut(Schema):
    id: int
    meets_on: dt.date
    minutes: str
    agenda: list[ReferralOut]


class RefusalIn(Input):
    person_id: Id
    reason: RefusalReason
    notes: str = ""


class RefusalOut(Schema):
    id: int
    person_id: int
    reason: RefusalReason
    recorded_on: dt.date
    follow_up_on: dt.date
    followed_up_on: dt.date | None


class VisitOut(Schema):
    id: int
    plan_id: int
    due_on: dt.date
    visited_on: dt.date | None
    notes: str


class VisitsOut(Schema):
    visits_per_year: int = Field(
        ..., description="Set by the plan rules from budget size and last risk level"
    )
    visits: list[VisitOut]


class VisitIn(Input):
    due_on: dt.date
    reason: str = Field(..., min_length=1, max_length=500)


class VisitRecordIn(Input):
    visited_on: dt.date
    notes: str = Field(..., min_length=1, max_length=4000)


def _plan(request: AuthedRequest, plan_id: int, perm: str = "plans.view_plan") -> SupportPlan:
    plan = get_object_or_404(access.money_scope(request.user, request.authority), pk=plan_id)
    if not request.user.has_perm(perm, plan):
        raise PermissionDenied(perm)
    return plan


def _money(plan: SupportPlan) -> dict[str, Any]:
    rules, _ = services.current_rules(plan.authority)
    check = services.check_budget(plan, rules)
    return {
        "plan_id": plan.pk, "person_id": plan.person_id, "state": plan.state,
        "indicative_budget_pence": plan.indicative_budget_pence, "budget_source": plan.budget_source,
        "deployment": plan.deployment, "lines": list(plan.lines.all()), "annual_total_pence": check.total_pence,
        "budget_check": check.level, "budget_message": check.message,
    }  # fmt: skip


def _full(request: AuthedRequest, plan: SupportPlan) -> dict[str, Any]:
    outcomes = [
        {"id": o.pk, "text": o.text, "how_measured": o.how_measured,
         "framework_outcomes": [{"id": f.pk, "framework": f.framework.key, "code": f.code, "title": f.title}
                                for f in o.framework_outcomes.select_related("framework")]}
        for o in plan.outcomes.all()
    ]  # fmt: skip
    fields = ["what_matters", "helper", "helper_name", "market_broker_id", "risk_want", "risk_buy", "risk_risks", "risk_manage",
              "risk_level", "contingency", "starts_on", "duration_months", "review_on", "conditions", "rules_version"]  # fmt: skip
    caps = access.capacities(request.user, plan)
    return {
        **_money(plan), **{f: getattr(plan, f) for f in fields}, "outcomes": outcomes,
        "next_steps": [t.action for t in services.next_steps(plan, caps)],
    }  # fmt: skip


def _writing(call: Any) -> Any:
    try:
        return call()
    except TransitionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except TransitionRefused as exc:
        raise Conflict("; ".join(exc.messages)) from None


@router.get(
    "/plans", response=list[PlanSummaryOut], summary="Plans you may see (finance: every plan's money)"
)
def list_plans(request: AuthedRequest, state: PlanState | None = None) -> Any:
    plans = access.money_scope(request.user, request.authority)
    return plans.filter(state=state) if state else plans


@router.post("/plans", response={201: PlanOut}, summary="Start a support plan for a person")
def create_plan(request: AuthedRequest, body: PlanIn) -> Any:
    person = get_object_or_404(people_scope(request.user, request.authority), pk=body.person_id)
    if not request.user.has_perm("plans.add_plan", person):
        raise PermissionDenied("plans.add_plan")
    plan = _writing(lambda: services.create_plan(request.user, person))
    return Status(201, _full(request, plan))


@router.get("/plans/frameworks", response=list[FrameworkOutcomeOut], summary="Outcome frameworks' outcomes")
def frameworks(request: AuthedRequest) -> Any:
    if request.authority is None:
        return []
    found = (
        access.framework_outcome_scope(request.user, request.authority)
        .filter(retired=False)
        .select_related("framework")
    )
    return [{"id": o.pk, "framework": o.framework.key, "code": o.code, "title": o.title} for o in found]


@router.get("/plans/reviews-due", response=list[ReviewDueOut], summary="Reviews due in the next N days")
def reviews_due(request: AuthedRequest, days: int = Query(30, ge=0, le=3650)) -> Any:
    if request.authority is None:
        return []
    visible = access.plans_scope(request.user, request.authority)
    due = services.reviews_due(request.authority, within_days=max(0, min(days, 3650))).filter(
        plan__in=visible
    )
    return [
        {"review_id": r.pk, "plan_id": r.plan_id, "person_id": r.plan.person_id, "due_on": r.due_on}
        for r in due
    ]


@router.get("/plans/visits-due", response=list[VisitOut], summary="Light-touch visits due in the next N days")
def visits_due(request: AuthedRequest, days: int = Query(30, ge=0, le=3650)) -> Any:
    if request.authority is None:
        return []
    visible = access.plans_scope(request.user, request.authority)
    return services.visits_due(request.authority, within_days=max(0, min(days, 3650))).filter(
        plan__in=visible
    )


def _referral(r: Any) -> dict[str, Any]:
    return {"id": r.pk, "plan_id": r.plan_id, "person_id": r.plan.person_id, "reasons": r.reasons,
            "attendance": r.attendance, "decision": r.decision or None, "conditions": r.conditions}  # fmt: skip


@router.get("/plans/panel/meetings", response=list[MeetingOut], summary="Panel meetings and their agendas")
def meetings(request: AuthedRequest) -> Any:
    found = access.meeting_scope(request.user, _panel_scope(request)).prefetch_related("referrals__plan")
    return [{"id": m.pk, "meets_on": m.meets_on, "minutes": m.minutes, "agenda": [_referral(r) for r in m.referrals.all()]}
            for m in found]  # fmt: skip


class AttendanceIn(Input):
    attendance: Attendance
    attendee_name: str = Field("", max_length=200)


class MinutesIn(Input):
    minutes: str = Field(..., min_length=1)


class FollowUpIn(Input):
    notes: str = Field(..., min_length=1, max_length=4000)


class InvitationOut(Schema):
    id: int
    plan_id: int
    invitee_name: str
    representative_id: int | None = Field(None, description="Blank: the invitation is to the person")
    meets_on: dt.date
    meets_at: LocalTime | None
    place: str
    sent_how: InvitationSent | None = Field(None, description="How the panel chair sent it; null: not yet")
    sent_on: dt.date | None


class InvitationSentIn(Input):
    sent_how: InvitationSent
    sent_on: dt.date


def _invitation(i: PanelInvitation) -> dict[str, Any]:
    return {"id": i.pk, "plan_id": i.referral.plan_id, "invitee_name": i.invitee_name,
            "representative_id": i.representative_id, "meets_on": i.meets_on, "meets_at": i.meets_at,
            "place": i.place, "sent_how": i.sent_how or None, "sent_on": i.sent_on}  # fmt: skip


def _panel_scope(request: AuthedRequest, perm: str = "plans.see_panel") -> Any:
    """The user's authority if they hold ``perm`` there: plans.see_panel to read the panel's work
    (panel members and admins), plans.run_panel to write it (panel members only), as on the pages."""
    if request.authority is None or not request.user.has_perm(perm, request.authority):
        raise PermissionDenied(perm)
    return request.authority


def _panel_record(request: AuthedRequest, records: Any, pk: int) -> Any:
    """One of the panel's records (``records``: their scope), to write (plans.run_panel). Those who
    do not see the panel's work get 404 whether or not it exists, as for any record they may not see
    (docs/access.md); those who see it but do not run the panel (admins) get 403."""
    if request.authority is None or not request.user.has_perm("plans.see_panel", request.authority):
        raise Http404("not a record you see")
    record = get_object_or_404(records, pk=pk)
    _panel_scope(request, "plans.run_panel")
    return record


@router.post(
    "/plans/panel/referrals/{referral_id}/attendance",
    response=ReferralOut,
    summary="Record who came to the panel for the person (panel members)",
)
def post_attendance(request: AuthedRequest, referral_id: int, body: AttendanceIn) -> Any:
    referrals = access.referral_scope(request.user, request.authority).select_related("plan")
    referral = _panel_record(request, referrals, referral_id)
    _writing(lambda: services.record_attendance(request.user, referral, body.attendance, body.attendee_name))
    return _referral(referral)


@router.post(
    "/plans/panel/invitations/{invitation_id}/sent",
    response=InvitationOut,
    summary="Record how and when an invitation to the panel was sent (panel members)",
)
def post_invitation_sent(request: AuthedRequest, invitation_id: int, body: InvitationSentIn) -> Any:
    invitations = access.invitation_scope(request.user, request.authority).select_related("referral")
    invitation = _panel_record(request, invitations, invitation_id)
    _writing(lambda: services.mark_invitation_sent(request.user, invitation, body.sent_how, body.sent_on))
    return _invitation(invitation)


@router.get(
    "/plans/{plan_id}/invitations",
    response=list[InvitationOut],
    summary="Invitations to the risk enablement panel (the person and a representative see their own)",
)
def list_invitations(request: AuthedRequest, plan_id: int) -> Any:
    plan = _plan(request, plan_id)
    return [_invitation(i) for i in services.visible_invitations(request.user, plan)]


@router.post(
    "/plans/panel/meetings/{meeting_id}/minutes",
    response=MeetingOut,
    summary="Write a panel meeting's minutes (panel members)",
)
def post_minutes(request: AuthedRequest, meeting_id: int, body: MinutesIn) -> Any:
    meeting = _panel_record(request, access.meeting_scope(request.user, request.authority), meeting_id)
    _writing(lambda: services.save_minutes(request.user, meeting, body.minutes))
    return {"id": meeting.pk, "meets_on": meeting.meets_on, "minutes": meeting.minutes,
            "agenda": [_referral(r) for r in meeting.referrals.select_related("plan")]}  # fmt: skip


@router.post(
    "/plans/refusals/{refusal_id}/follow-up", response=RefusalOut, summary="Record a refusal's follow-up"
)
def follow_up(request: AuthedRequest, refusal_id: int, body: FollowUpIn) -> Any:
    refusal = get_object_or_404(
        access.refusal_scope(request.user, request.authority).select_related("person"), pk=refusal_id
    )
    if not request.user.has_perm("plans.add_refusal", refusal.person):
        raise PermissionDenied("plans.add_refusal")
    _writing(lambda: services.follow_up_refusal(request.user, refusal, body.notes))
    return refusal


@router.get("/plans/refusals", response=list[RefusalOut], summary="People who declined a personal budget")
def refusals(request: AuthedRequest, due_only: bool = False) -> Any:
    if request.authority is None or not request.user.has_perm("plans.see_refusals", request.authority):
        raise PermissionDenied("plans.see_refusals")
    found = access.refusal_scope(request.user, request.authority)
    if due_only:
        found = found.filter(pk__in=services.refusals_due(request.authority).values("pk"))
    return found


@router.post(
    "/plans/refusals", response={201: RefusalOut}, summary="Record that someone declined a personal budget"
)
def add_refusal(request: AuthedRequest, body: RefusalIn) -> Any:
    person = get_object_or_404(people_scope(request.user, request.authority), pk=body.person_id)
    if not request.user.has_perm("plans.add_refusal", person):
        raise PermissionDenied("plans.add_refusal")
    return Status(
        201, _writing(lambda: services.record_refusal(request.user, person, body.reason, body.notes))
    )


@router.get("/plans/{plan_id}", response=PlanOut, summary="A whole plan")
def get_plan(request: AuthedRequest, plan_id: int) -> Any:
    return _full(request, _plan(request, plan_id))


@router.patch("/plans/{plan_id}", response=PlanOut, summary="Change parts of a draft plan")
def patch_plan(request: AuthedRequest, plan_id: int, body: PlanPatch) -> Any:
    plan = _plan(request, plan_id)
    data = body.dict(exclude_unset=True, exclude={"reason"})
    data = {k: v for k, v in data.items() if v is not None}
    if "market_broker_id" in data:
        data["market_broker"] = data.pop("market_broker_id")
    if "indicative_budget_pence" in data:
        data["budget_source"] = f"Entered by {request.user} through the API"
    _writing(lambda: services.update_plan(request.user, plan, data, body.reason))
    plan.refresh_from_db()  # the service wrote its own copy
    return _full(request, plan)


@router.get(
    "/plans/{plan_id}/money", response=MoneyOut, summary="The plan's money: budget, who holds it, lines"
)
def get_money(request: AuthedRequest, plan_id: int) -> Any:
    return _money(_plan(request, plan_id, "plans.view_money"))


@router.post("/plans/{plan_id}/outcomes", response={201: OutcomeOut}, summary="Add a personal outcome")
def add_outcome(request: AuthedRequest, plan_id: int, body: OutcomeIn) -> Any:
    plan = _plan(request, plan_id)
    outcome = _writing(
        lambda: services.save_outcome(
            request.user, plan, body.text, body.how_measured, body.framework_outcome_ids
        )
    )
    links = [{"id": f.pk, "framework": f.framework.key, "code": f.code, "title": f.title}
             for f in outcome.framework_outcomes.select_related("framework")]  # fmt: skip
    return Status(
        201,
        {
            "id": outcome.pk,
            "text": outcome.text,
            "how_measured": outcome.how_measured,
            "framework_outcomes": links,
        },
    )


@router.delete("/plans/{plan_id}/outcomes/{outcome_id}", response={204: None}, summary="Remove an outcome")
def delete_outcome(request: AuthedRequest, plan_id: int, outcome_id: int) -> Any:
    plan = _plan(request, plan_id)
    outcome = get_object_or_404(plan.outcomes, pk=outcome_id)
    _writing(lambda: services.delete_outcome(request.user, outcome))
    return Status(204, None)


@router.post(
    "/plans/{plan_id}/lines", response={201: PlanLineOut}, summary="Add spending; its yearly cost is worked out"
)
def add_line(request: AuthedRequest, plan_id: int, body: LineIn) -> Any:
    plan = _plan(request, plan_id)
    data = body.dict()
    for name in services.MARKET_LINKS:
        data[name] = data.pop(f"{name}_id")
    return Status(201, _writing(lambda: services.save_line(request.user, plan, data)))


@router.delete("/plans/{plan_id}/lines/{line_id}", response={204: None}, summary="Remove spending")
def delete_line(request: AuthedRequest, plan_id: int, line_id: int) -> Any:
    plan = _plan(request, plan_id)
    line = get_object_or_404(plan.lines, pk=line_id)
    _writing(lambda: services.delete_line(request.user, line))
    return Status(204, None)


@router.get(
    "/plans/{plan_id}/transitions", response=list[TransitionOut], summary="The plan's workflow history"
)
def list_transitions(request: AuthedRequest, plan_id: int) -> Any:
    return _plan(request, plan_id).transitions.all()


@router.post(
    "/plans/{plan_id}/transitions",
    response={200: TransitionResult, 201: TransitionResult},
    summary="Make a workflow step (409 when the plan's state or a rule does not allow it)",
)
def post_transition(request: AuthedRequest, plan_id: int, body: TransitionIn) -> Any:
    plan = _plan(request, plan_id, permission_for(body.action))
    if body.action not in TRANSITIONS:
        raise Conflict(f"There is no such step as {body.action!r}")
    step = _writing(
        lambda: services.apply_transition(
            request.user,
            plan,
            body.action,
            body.reason,
            data={"conditions": body.conditions, "minutes": body.minutes},
        )
    )
    plan.refresh_from_db(fields=["state"])  # the service moved its own copy
    found = {"applied": step is not None, "state": plan.state, "transition": step}
    return Status((201 if step else 200), found)


@router.get("/plans/{plan_id}/visits", response=VisitsOut, summary="The plan's light-touch monitoring visits")
def list_visits(request: AuthedRequest, plan_id: int) -> Any:
    plan = _plan(request, plan_id)
    return {"visits_per_year": plan.visits_per_year, "visits": list(plan.visits.all())}


@router.post(
    "/plans/{plan_id}/visits", response={201: VisitOut}, summary="Schedule an extra light-touch visit"
)
def add_visit(request: AuthedRequest, plan_id: int, body: VisitIn) -> Any:
    plan = _plan(request, plan_id, "plans.review_plan")
    return Status(
        201, _writing(lambda: services.schedule_visit(request.user, plan, body.due_on, body.reason))
    )


@router.post(
    "/plans/{plan_id}/visits/{visit_id}",
    response=VisitOut,
    summary="Record that a light-touch visit happened",
)
def record_visit(request: AuthedRequest, plan_id: int, visit_id: int, body: VisitRecordIn) -> Any:
    plan = _plan(request, plan_id, "plans.review_plan")
    visit = get_object_or_404(plan.visits, pk=visit_id)
    _writing(lambda: services.record_visit(request.user, visit, body.visited_on, body.notes))
    return visit


@router.post(
    "/plans/{plan_id}/review", response=PlanOut, summary="Record the open review: progress on each outcome"
)
def post_review(request: AuthedRequest, plan_id: int, body: ReviewIn) -> Any:
    plan = _plan(request, plan_id, "plans.review_plan")
    review = services.open_review(plan)
    if review is None or plan.state != PlanState.UNDER_REVIEW:
        raise Conflict("Start the review first")
    answers = {a.outcome_id: (a.progress.value, a.notes) for a in body.answers}
    _writing(
        lambda: services.record_review(
            request.user, review, answers, risk_level=body.risk_level, money_notes=body.money_notes, notes=body.notes,
            reassessment_needed=body.reassessment_needed, new_budget_pence=body.new_budget_pence, held_on=body.held_on,
        )
    )  # fmt: skip
    return _full(request, plan)
