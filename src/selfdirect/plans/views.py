"""Pages for writing a support plan (GOV.UK task list), governing it (sign-off, panel, appeals),
reviewing it, and following up refusals. Each view finds the plan through plans.access (not
visible: 404; visible but not permitted: 403) and calls a service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from selfdirect.core import registry
from selfdirect.core.constants import Role
from selfdirect.core.dates import format_date
from selfdirect.core.errors import ServiceError
from selfdirect.core.forms import apply_service_errors
from selfdirect.core.http import AuthedRequest, download, paged, require
from selfdirect.core.pdf import pdf_bytes
from selfdirect.people import search
from selfdirect.people.access import people_scope
from selfdirect.people.models import Person

from . import access, services
from .constants import PlanState
from .forms import (
    AboutForm,
    AttendanceForm,
    DurationForm,
    FollowUpForm,
    InvitationSentForm,
    LineForm,
    MinutesForm,
    MoneyForm,
    OutcomeForm,
    RefusalForm,
    ReviewForm,
    RisksForm,
    TransitionForm,
    VisitRecordForm,
    VisitScheduleForm,
)
from .models import (
    PanelMeeting,
    SupportPlan,
)
from .workflow import TRANSITIONS, TransitionForbidden, TransitionRefused, available, permission_for


def _plan(request: AuthedRequest, pk: int, perm: str = "plans.view_plan") -> SupportPlan:
    plan = get_object_or_404(
        access.money_scope(request.user, request.authority).select_related("person", "authority"), pk=pk
    )
    require(request, perm, plan)
    return plan


def _errors(form: Any, exc: Exception) -> None:
    if isinstance(exc, ServiceError):
        apply_service_errors(form, exc, getattr(form, "service_fields", {}))
    elif isinstance(exc, TransitionRefused):
        for message in exc.messages:
            form.add_error(None, message)


def _render_form(
    request: AuthedRequest, plan: SupportPlan | None, form: Any, title: str, **extra: Any
) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    return render(
        request, "plans/form.html", {"form": form, "plan": plan, "title": title, **extra}, status=status
    )


def tasks(plan: SupportPlan) -> list[dict[str, Any]]:
    """The GOV.UK task list: each part of the plan, and whether it is done."""
    risks_done = (
        all(getattr(plan, f).strip() for f, _ in services.RISK_QUESTIONS) and plan.contingency.strip()
    )
    return [
        {"name": "What matters to the person and who helped", "url": "plans:about", "done": bool(plan.what_matters.strip() and plan.helper)},
        {"name": "Outcomes", "url": "plans:outcomes", "done": plan.outcomes.exists()},
        {"name": "How the money is spent", "url": "plans:lines", "done": plan.lines.exists()},
        {"name": "Who holds the money", "url": "plans:money", "done": bool(plan.deployment)},
        {"name": "Risks and contingency", "url": "plans:risks", "done": bool(risks_done)},
        {"name": "Start date and duration", "url": "plans:duration", "done": plan.starts_on is not None},
    ]  # fmt: skip


def market_urls(user: Any, plan: SupportPlan, lines: Any) -> dict[int, str]:
    """The market-register page of each line's supplier, for the lines whose page ``user`` may open.

    The same checks the market's own pages make (market.views): staff who view the market see any
    entry of the authority; a service is also seen by its provider's own users. Anyone else (the
    panel, the person) would get a 404, so they are shown the supplier's name without a link."""
    sees_market = user is not None and user.has_perm("market.view_market", plan)
    urls = {}
    for line in lines:
        entry = line.market_service or line.personal_assistant or line.broker
        if entry is None or user is None:
            continue
        if sees_market or (
            line.market_service is not None and user.has_perm("market.change_provider", entry.provider)
        ):
            urls[line.pk] = entry.get_absolute_url()
    return urls


def plan_context(plan: SupportPlan, user: Any = None) -> dict[str, Any]:
    """What the plan's summary and money pages show; links only where ``user`` may follow them
    (a printed plan, with no user, has none)."""
    rules, _ = services.current_rules(plan.authority)
    lines = list(plan.lines.select_related("market_service__provider", "personal_assistant", "broker"))
    return {
        "plan": plan,
        "outcomes": plan.outcomes.prefetch_related("framework_outcomes__framework"),
        "lines": lines,
        "market_urls": market_urls(user, plan, lines),
        "check": services.check_budget(plan, rules),
        "referral_reasons": services.referral_reasons(plan, rules),
        "categories": {c.id: c.title for c in rules.spending_categories},
        "risk_questions": [(q, getattr(plan, f)) for f, q in services.RISK_QUESTIONS],
    }


@login_required
def plan_list(request: AuthedRequest) -> HttpResponse:
    if request.authority is None:
        raise PermissionDenied("no authority")
    finance_only = (
        Role.FINANCE in request.roles and not access.plans_scope(request.user, request.authority).exists()
    )
    ordered = access.money_scope(request.user, request.authority).select_related("person").order_by(
        "person__family_name", "person__given_name", "-created_at"
    )
    plans, q = search.searched(request, ordered, via="person__")
    state = request.GET.get("state", "")
    if state in PlanState.values:
        plans = plans.filter(state=state)
    page, query_string = paged(request, plans, keep={"q": q, "state": state})
    context: dict[str, Any] = {
        "page": page, "q": q, "state": state, "states": PlanState.choices, "finance_only": finance_only,
        "query_string": query_string,
    }  # fmt: skip
    if request.roles & {Role.PERSON, Role.REPRESENTATIVE, Role.ASSESSOR, Role.PLANNER}:
        # People who may have a plan started and have none open (a plan that ended leaves room for the next).
        open_states = [s for s in PlanState.values if s != PlanState.ENDED]
        candidates, _ = search.searched(
            request, people_scope(request.user, request.authority).exclude(support_plans__state__in=open_states)
        )
        people_page, _ = paged(request, candidates.order_by("family_name", "given_name", "pk"), param="people_page")
        context["people_page"] = people_page
        context["people"] = [p for p in people_page if request.user.has_perm("plans.add_plan", p)]
    return render(request, "plans/list.html", context)


def person_section(request: AuthedRequest, person: Person) -> tuple[str, dict[str, Any]] | None:
    """On a person's record: their support plans and the reviews still to hold, for those who may
    read them; and the way to start a plan, for those who may."""
    plans = access.plans_scope(request.user, request.authority).filter(person=person).order_by("-created_at")
    # Offered as the plans list offers it: to those who may, when the person has no plan open.
    may_start = request.user.has_perm("plans.add_plan", person) and not person.support_plans.exclude(
        state=PlanState.ENDED
    ).exists()
    if not may_start and not plans.exists():
        return None
    today = timezone.localdate()
    items = [
        registry.PersonItem(
            f"Support plan{f' from {format_date(p.starts_on)}' if p.starts_on else ''}", p.get_absolute_url(),
            p.get_state_display(),
        )
        for p in plans[:5]
    ]
    due = access.review_scope(request.user, request.authority).filter(plan__person=person, held_on__isnull=True)
    items += [
        registry.PersonItem(f"Review due {format_date(r.due_on)}", reverse("plans:review", args=[r.plan_id]),
                            overdue=r.due_on < today)
        for r in due.order_by("due_on")[:5]
    ]  # fmt: skip
    links = [registry.PersonLink("Start a support plan", reverse("plans:start", args=[person.pk]))] if may_start else []
    return registry.person_section_page("plans", "Support plans and reviews", items, empty="No support plan yet.",
                                        links=links)  # fmt: skip


@login_required
def plan_start(request: AuthedRequest, person_pk: int) -> HttpResponse:
    person = get_object_or_404(people_scope(request.user, request.authority), pk=person_pk)
    require(request, "plans.add_plan", person)
    if request.method == "POST":
        try:
            plan = services.create_plan(request.user, person)
        except ServiceError as exc:
            return render(
                request, "plans/start.html", {"person": person, "error": exc.errors["__all__"][0]}, status=400
            )
        messages.success(request, f"A support plan for {person} was started")
        return redirect(plan)
    budget, source, _ = services.latest_indicative_budget(person)
    return render(request, "plans/start.html", {"person": person, "budget": budget, "source": source})


@login_required
def plan_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    caps = access.capacities(request.user, plan)
    context = plan_context(plan, request.user)
    context.update(
        tasks=tasks(plan),
        # The meeting's page checks plans.see_panel: an assessor who referred the plan sees the date only.
        can_see_panel=request.user.has_perm("plans.see_panel", plan.authority),
        can_write=request.user.has_perm("plans.change_plan", plan),
        actions=services.next_steps(plan, caps),
        transitions=plan.transitions.select_related("actor"),
        referrals=plan.referrals.select_related("meeting", "decided_by"),
        appeals=plan.appeals.select_related("heard_by"),
        reviews=plan.reviews.prefetch_related("answers__outcome"),
        visits=plan.visits.all(),
        can_review=request.user.has_perm("plans.review_plan", plan),
        open_review=services.open_review(plan),
        invitations=services.visible_invitations(request.user, plan),
        invited_self=bool(caps & {Role.PERSON.value, Role.REPRESENTATIVE.value, access.VIEWER}),
    )
    return render(request, "plans/detail.html", context)


@login_required
def invitation_letter(request: AuthedRequest, pk: int, invitation_pk: int) -> HttpResponse:
    """The invitation to the panel as the person (or their representative) reads it: only the
    invitee and the plan's workers, the panel and admins see it; anyone else gets 404."""
    plan = _plan(request, pk)
    invitation = get_object_or_404(services.visible_invitations(request.user, plan), pk=invitation_pk)
    return render(request, "plans/invitation.html", {"plan": plan, "invitation": invitation})


@login_required
def plan_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    html = render_plan_html(plan)
    response = HttpResponse(pdf_bytes(html, request.build_absolute_uri("/")), content_type="application/pdf")
    return download(response, f"support-plan-{plan.pk}.pdf", inline=True)


def render_plan_html(plan: SupportPlan) -> str:
    context = plan_context(plan)
    context["printed_on"] = timezone.localdate()
    return render_to_string("plans/print.html", context)


def _section(
    request: AuthedRequest, pk: int, form_class: Any, title: str, **form_kwargs: Any
) -> HttpResponse:
    plan = _plan(request, pk, "plans.change_plan")
    form = form_class(request.POST or None, instance=plan, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.PLAN_FIELDS}
        if "indicative_budget" in form.cleaned_data and form.cleaned_data["indicative_budget"] is not None:
            data["indicative_budget_pence"] = form.cleaned_data["indicative_budget"]
            data["budget_source"] = f"Entered by {request.user} on {timezone.localdate():%-d %B %Y}"
        try:
            services.update_plan(request.user, plan, data, f"Plan written: {title.lower()}")
        except (ServiceError, TransitionRefused) as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"{title} saved")
            return redirect(plan)
    return _render_form(request, plan, form, title)


@login_required
def plan_about(request: AuthedRequest, pk: int) -> HttpResponse:
    return _section(request, pk, AboutForm, "What matters to the person and who helped")


@login_required
def plan_risks(request: AuthedRequest, pk: int) -> HttpResponse:
    return _section(request, pk, RisksForm, "Risks and contingency")


@login_required
def plan_money(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, "plans.change_plan")
    may_set = bool(access.capacities(request.user, plan) & {Role.ASSESSOR.value, Role.PLANNER.value})
    return _section(request, pk, MoneyForm, "Who holds the money", may_set_budget=may_set)


@login_required
def plan_duration(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, "plans.change_plan")
    form = DurationForm(
        request.POST or None, initial={"starts_on": plan.starts_on, "duration_months": plan.duration_months}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan(
                request.user, plan, form.cleaned_data, "Plan written: start date and duration"
            )
        except (ServiceError, TransitionRefused) as exc:
            _errors(form, exc)
        else:
            messages.success(request, "Start date and duration saved")
            return redirect(plan)
    return _render_form(request, plan, form, "Start date and duration")


@login_required
def plan_outcomes(request: AuthedRequest, pk: int, outcome_pk: int | None = None) -> HttpResponse:
    plan = _plan(request, pk, "plans.change_plan")
    outcome = get_object_or_404(plan.outcomes, pk=outcome_pk) if outcome_pk else None
    form = OutcomeForm(request.POST or None, plan=plan, instance=outcome)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_outcome(
                request.user, plan, form.cleaned_data["text"], form.cleaned_data["how_measured"],
                [o.pk for o in form.cleaned_data["framework_outcomes"]], outcome,
            )  # fmt: skip
        except (ServiceError, TransitionRefused) as exc:
            _errors(form, exc)
        else:
            messages.success(request, "Outcome saved")
            return redirect("plans:outcomes", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "plans/outcomes.html",
        {"plan": plan, "form": form, "outcome": outcome, "outcomes": plan.outcomes.prefetch_related("framework_outcomes")},
        status=status,
    )  # fmt: skip


@login_required
def outcome_delete(request: AuthedRequest, pk: int, outcome_pk: int) -> HttpResponse:
    plan = _plan(request, pk, "plans.change_plan")
    outcome = get_object_or_404(plan.outcomes, pk=outcome_pk)
    if request.method != "POST":
        return redirect("plans:outcomes", pk=plan.pk)
    services.delete_outcome(request.user, outcome)
    messages.success(request, "Outcome removed")
    return redirect("plans:outcomes", pk=plan.pk)


@login_required
def plan_lines(request: AuthedRequest, pk: int, line_pk: int | None = None) -> HttpResponse:
    plan = _plan(request, pk, "plans.view_money")
    can_write = request.user.has_perm("plans.change_plan", plan)
    rules, _ = services.current_rules(plan.authority)
    line = get_object_or_404(plan.lines, pk=line_pk) if line_pk else None
    if request.method == "POST" and not can_write:
        raise PermissionDenied("plans.change_plan")
    initial = {}
    if line is not None:
        initial = {
            f: getattr(line, f)
            for f in ["kind", "category", "description", "supplier", "unit", "quantity", "frequency"]
        }
        initial["unit_cost"] = line.unit_cost_pence  # shown in pounds by the field
        for name in services.MARKET_LINKS:
            if getattr(line, f"{name}_id") is not None:
                initial["market"] = f"{name}:{getattr(line, f'{name}_id')}"
    # Only someone who may write sees the form (and its market choices: a query per register).
    form = LineForm(request.POST or None, rules=rules, initial=initial, plan=plan) if can_write else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.save_line(request.user, plan, form.service_data(), line)
        except (ServiceError, TransitionRefused) as exc:
            _errors(form, exc)
        else:
            messages.success(request, "Spending saved")
            return redirect("plans:lines", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    context = plan_context(plan, request.user)
    caps = access.capacities(request.user, plan)
    context.update(
        form=form, line=line, can_write=can_write, can_view_plan=access.sees_plan(caps),
        money_actions=[t for t in available(plan.state, caps) if t.action == "activate"]
        if not access.sees_plan(caps) else [],
    )  # fmt: skip
    return render(request, "plans/lines.html", context, status=status)


@login_required
def line_delete(request: AuthedRequest, pk: int, line_pk: int) -> HttpResponse:
    plan = _plan(request, pk, "plans.change_plan")
    line = get_object_or_404(plan.lines, pk=line_pk)
    if request.method == "POST":
        services.delete_line(request.user, line)
        messages.success(request, "Spending removed")
    return redirect("plans:lines", pk=plan.pk)


@login_required
def plan_transition(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise Http404("no such step")
    plan = _plan(request, pk, permission_for(action))
    caps = access.capacities(request.user, plan)
    if not caps & transition.capacities:
        raise PermissionDenied(action)
    money_only = not access.sees_plan(caps)  # finance: back to the money, not the whole plan
    form = TransitionForm(request.POST or None, action=action, default_reason=transition.default_reason)
    if request.method == "POST" and form.is_valid():
        try:
            step = services.apply_transition(
                request.user, plan, action, form.cleaned_data["reason"],
                data={k: v for k, v in form.cleaned_data.items() if k != "reason"},
            )  # fmt: skip
        except TransitionForbidden as exc:
            raise PermissionDenied(str(exc)) from None
        except (ServiceError, TransitionRefused) as exc:
            _errors(form, exc)
        else:
            messages.success(
                request, f"{transition.label}: done" if step else "That was already done; nothing changed"
            )
            if money_only:
                return redirect("plans:lines", pk=plan.pk)
            return redirect(plan)
    elif (
        request.method != "POST" and plan.state not in transition.sources and plan.state != transition.target
    ):
        refused = (
            f"The plan is {plan.get_state_display().lower()}, so you cannot {transition.label.lower()} now"
        )
        return render(
            request, "plans/transition.html",
            {"form": form, "plan": plan, "transition": transition, "refused": refused,
             "money_only": money_only},
            status=400,
        )  # fmt: skip
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "plan": plan, "transition": transition, "money_only": money_only}
    if action in {"approve", "refer"}:
        context.update(plan_context(plan, request.user))
    if action in {"appeal", "uphold_appeal", "dismiss_appeal", "dismiss_condition_appeal"}:
        context.update(decision=services.open_referral(plan), appeal=services.waiting_appeal(plan))
    return render(request, "plans/transition.html", context, status=status)


@login_required
def plan_review(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, "plans.review_plan")
    review = services.open_review(plan)
    if plan.state != PlanState.UNDER_REVIEW or review is None:
        return render(
            request,
            "plans/review_not_started.html",
            {"plan": plan},
            status=400 if request.method == "POST" else 200,
        )
    outcomes = list(plan.outcomes.all())
    form = ReviewForm(
        request.POST or None,
        outcomes=outcomes,
        initial={"held_on": timezone.localdate(), "risk_level": plan.risk_level},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_review(
                request.user, review, form.answers(), risk_level=data["risk_level"], money_notes=data["money_notes"],
                notes=data["notes"], reassessment_needed=data["reassessment_needed"], new_budget_pence=data["new_budget"],
                held_on=data["held_on"],
            )  # fmt: skip
        except (ServiceError, TransitionRefused) as exc:
            _errors(form, exc)
        else:
            messages.success(request, "Review recorded. Finish the review to schedule the next one")
            return redirect(plan)
    return _render_form(request, plan, form, "Review the plan", review=review, intro="review")


# --- light-touch monitoring visits ---------------------------------------------------------------


@login_required
def plan_visits(request: AuthedRequest, pk: int) -> HttpResponse:
    """The plan's light-touch visits (how many a year follows the rules) and a form to add one."""
    plan = _plan(request, pk)
    can_visit = request.user.has_perm("plans.review_plan", plan)
    form = VisitScheduleForm(request.POST or None)
    if request.method == "POST":
        if not can_visit:
            raise PermissionDenied("plans.review_plan")
        if form.is_valid():
            try:
                services.schedule_visit(
                    request.user, plan, form.cleaned_data["due_on"], form.cleaned_data["reason"]
                )
            except (ServiceError, TransitionRefused) as exc:
                _errors(form, exc)
            else:
                messages.success(request, f"Visit scheduled for {form.cleaned_data['due_on']:%-d %B %Y}")
                return redirect("plans:visits", pk=plan.pk)
    return render(
        request, "plans/visits.html",
        {"plan": plan, "visits": plan.visits.all(), "form": form, "can_visit": can_visit,
         "running": plan.state in services.VISITABLE, "today": timezone.localdate()},
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


@login_required
def visit_record(request: AuthedRequest, pk: int, visit_pk: int) -> HttpResponse:
    plan = _plan(request, pk, "plans.review_plan")
    visit = get_object_or_404(plan.visits, pk=visit_pk)
    form = VisitRecordForm(
        request.POST or None,
        initial={"visited_on": visit.visited_on or timezone.localdate(), "notes": visit.notes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_visit(
                request.user, visit, form.cleaned_data["visited_on"], form.cleaned_data["notes"]
            )
        except (ServiceError, TransitionRefused) as exc:
            _errors(form, exc)
        else:
            messages.success(request, "Visit recorded")
            return redirect("plans:visits", pk=plan.pk)
    return _render_form(request, plan, form, f"Record the visit due {visit.due_on:%-d %B %Y}")


# --- panel ----------------------------------------------------------------------------------------


@login_required
def panel_meetings(request: AuthedRequest) -> HttpResponse:
    if request.authority is None:
        raise PermissionDenied("no authority")
    require(request, "plans.see_panel", request.authority)
    today = timezone.localdate()
    meetings = access.meeting_scope(request.user, request.authority).order_by("-meets_on")[:52]
    rules, _ = services.current_rules(request.authority)
    every_plan = access.plans_scope(request.user, request.authority, "totals")
    total = every_plan.exclude(state=PlanState.DRAFT).count()
    referred = every_plan.filter(referrals__isnull=False).distinct().count()
    return render(
        request, "plans/panel.html",
        {"meetings": meetings, "today": today, "total": total, "referred": referred,
         "share": round(100 * referred / total) if total else 0, "expected": rules.panel.referral.expected_share_percent},
    )  # fmt: skip


def _meeting(request: AuthedRequest, meeting_pk: int) -> PanelMeeting:
    """A meeting of the panel. Those who do not see the panel's work get 404 whether or not the
    meeting exists (docs/access.md: a record you may not see is not found), never a 403 that says
    it does."""
    if request.authority is None or not request.user.has_perm("plans.see_panel", request.authority):
        raise Http404("no such meeting")
    return get_object_or_404(access.meeting_scope(request.user, request.authority), pk=meeting_pk)


@login_required
def panel_meeting(request: AuthedRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    can_run = request.user.has_perm("plans.run_panel", request.authority)
    form = MinutesForm(request.POST or None, initial={"minutes": meeting.minutes})
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied("plans.run_panel")
        if form.is_valid():
            services.save_minutes(request.user, meeting, form.cleaned_data["minutes"])
            messages.success(request, "Minutes saved")
            return redirect(meeting)
    referrals = meeting.referrals.select_related("plan__person", "decided_by").prefetch_related("invitations")
    return render(
        request, "plans/meeting.html",
        {"meeting": meeting, "referrals": referrals, "form": form, "can_run": can_run,
         "attendance_forms": {r.pk: AttendanceForm(prefix=f"r{r.pk}", initial={"attendance": r.attendance, "attendee_name": r.attendee_name}) for r in referrals}},
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


@login_required
def panel_attendance(request: AuthedRequest, meeting_pk: int, referral_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    require(request, "plans.run_panel", request.authority)
    referral = get_object_or_404(
        access.referral_scope(request.user, request.authority), pk=referral_pk, meeting=meeting
    )
    form = AttendanceForm(request.POST or None, prefix=f"r{referral.pk}")
    if request.method == "POST" and form.is_valid():
        services.record_attendance(
            request.user, referral, form.cleaned_data["attendance"], form.cleaned_data["attendee_name"]
        )
        messages.success(request, f"Attendance recorded for {referral.plan.person}")
        return redirect(meeting)
    return _render_form(request, referral.plan, form, f"Who came for {referral.plan.person}")


@login_required
def invitation_sent(request: AuthedRequest, meeting_pk: int, invitation_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    invitation = get_object_or_404(
        access.invitation_scope(request.user, request.authority).select_related("referral__plan__person"),
        pk=invitation_pk, referral__meeting=meeting,
    )  # fmt: skip
    require(request, "plans.run_panel", request.authority)
    form = InvitationSentForm(
        request.POST or None,
        initial={"sent_how": invitation.sent_how, "sent_on": invitation.sent_on or timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_invitation_sent(
                request.user, invitation, form.cleaned_data["sent_how"], form.cleaned_data["sent_on"]
            )
        except ServiceError as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"Recorded how the invitation to {invitation.invitee_name} was sent")
            return redirect(meeting)
    return _render_form(
        request, invitation.referral.plan, form, f"How the invitation to {invitation.invitee_name} was sent"
    )


# --- reviews and refusals ----------------------------------------------------------------------------


@login_required
def reviews_list(request: AuthedRequest) -> HttpResponse:
    if request.authority is None or not request.roles & {Role.ASSESSOR, Role.ADMIN}:
        raise PermissionDenied("reviews")
    visible = access.plans_scope(request.user, request.authority)
    days_text = request.GET.get("days", "60")
    days = min(int(days_text), 3650) if days_text.isdigit() else 60
    due, q = search.searched(
        request, services.reviews_due(request.authority, within_days=days).filter(plan__in=visible), via="plan__person__"
    )
    page, query_string = paged(request, due, keep={"days": days_text, "q": q})
    return render(request, "plans/reviews.html", {"page": page, "query_string": query_string, "q": q,
                                                  "days": days, "today": timezone.localdate()})  # fmt: skip


@login_required
def refusal_list(request: AuthedRequest) -> HttpResponse:
    if request.authority is None:
        raise PermissionDenied("no authority")
    require(request, "plans.see_refusals", request.authority)
    refusals, q = search.searched(
        request, access.refusal_scope(request.user, request.authority).select_related("person"), via="person__"
    )
    page, query_string = paged(request, refusals, keep={"q": q})
    return render(request, "plans/refusals.html", {"page": page, "query_string": query_string, "q": q,
                                                   "today": timezone.localdate()})  # fmt: skip


@login_required
def refusal_add(request: AuthedRequest, person_pk: int) -> HttpResponse:
    person = get_object_or_404(people_scope(request.user, request.authority), pk=person_pk)
    require(request, "plans.add_refusal", person)
    form = RefusalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.record_refusal(request.user, person, form.cleaned_data["reason"], form.cleaned_data["notes"])
        messages.success(request, f"Recorded that {person} declined a personal budget")
        return redirect("plans:refusals")
    return _render_form(request, None, form, f"{person} declined a personal budget", person=person)


@login_required
def refusal_follow_up(request: AuthedRequest, refusal_pk: int) -> HttpResponse:
    refusal = get_object_or_404(access.refusal_scope(request.user, request.authority), pk=refusal_pk)
    require(request, "plans.add_refusal", refusal.person)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.follow_up_refusal(request.user, refusal, form.cleaned_data["follow_up_notes"])
        messages.success(request, "Follow-up recorded")
        return redirect("plans:refusals")
    return _render_form(request, None, form, f"Follow up {refusal.person}'s refusal", person=refusal.person)
