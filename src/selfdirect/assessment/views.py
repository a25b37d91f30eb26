"""Self-assessment question pages (one thing per page, then "check your answers"), and the
assessor's pages: both sets of answers side by side, the assessor's own answers, eligibility.

Records are found through people_scope (404 when not visible); the action's permission is
checked next (403); services do the work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from selfdirect.core import registry
from selfdirect.core.constants import CASELOAD_ROLES, Role
from selfdirect.core.dates import format_date
from selfdirect.core.errors import ServiceError
from selfdirect.core.http import AuthedRequest, paged, require
from selfdirect.people import search
from selfdirect.people.access import people_scope, representative_scope
from selfdirect.people.models import Person
from selfdirect.policies import engine

from . import services
from .access import assessment_scope, visible_assessment
from .constants import AssessmentStatus, Respondent, Side
from .models import Assessment


def _person(request: AuthedRequest, pk: int) -> Person:
    return get_object_or_404(people_scope(request.user, request.authority).select_related("authority"), pk=pk)


def _assessment(request: AuthedRequest, pk: int) -> Assessment:
    return visible_assessment(request.user, request.authority, pk)


def respondent_for(request: AuthedRequest, person: Person) -> str:
    """Who is answering: the person, a representative, or a worker talking the person through."""
    if person.user_id == request.user.pk:
        return Respondent.PERSON
    if (
        Role.REPRESENTATIVE in request.roles
        and representative_scope(request.user, request.authority).filter(user=request.user, person=person).exists()
    ):
        return Respondent.REPRESENTATIVE
    return Respondent.WORKER


def is_staff_view(request: AuthedRequest) -> bool:
    return bool(request.roles & (CASELOAD_ROLES | {Role.ADMIN}))


def sent_in_section(request: AuthedRequest) -> tuple[str, dict[str, Any]] | None:
    """An assessor's queue: self-assessments sent in, waiting for eligibility to be confirmed."""
    if request.authority is None or Role.ASSESSOR not in request.roles:
        return None
    waiting = (
        assessment_scope(request.user, request.authority)
        .filter(status=AssessmentStatus.SUBMITTED)
        .select_related("person")
        .order_by("submitted_at", "pk")
    )
    shown, count = list(waiting[:20]), waiting.count()
    return "assessment/sent_in.html", {"assessments": shown, "count": count, "more": count - len(shown)}


def person_section(request: AuthedRequest, person: Person) -> tuple[str, dict[str, Any]] | None:
    """On a person's record: their self-assessments, newest first, for those who may see them."""
    if not request.user.has_perm("assessment.record_assessor_answers", person):
        return None  # the comparison is the assessor's; the person reaches theirs from the home page
    found = assessment_scope(request.user, request.authority).filter(person=person).order_by("-on", "-pk")
    items = [
        registry.PersonItem(f"Self-assessment of {format_date(a.on)}", reverse("assessment:detail", args=[a.pk]),
                            a.get_status_display())
        for a in found[:5]
    ]  # fmt: skip
    links = [registry.PersonLink(f"All self-assessments for {person}, or start one",
                                 reverse("assessment:person", args=[person.pk]))]  # fmt: skip
    return registry.person_section_page(
        "assessments", "Self-assessments", items, empty="No self-assessment yet.", links=links
    )


def home_section(request: AuthedRequest) -> tuple[str, dict[str, Any]] | None:
    """The person's (or the representative's) link to the self-assessment and budget."""
    if request.authority is None or not request.roles & {Role.PERSON, Role.REPRESENTATIVE}:
        return None
    people = [
        p
        for p in people_scope(request.user, request.authority)
        if request.user.has_perm("assessment.complete_self_assessment", p)
    ]
    if not people:
        return None
    return "assessment/home_section.html", {"people": people}


@login_required
def start(request: AuthedRequest, person_pk: int) -> HttpResponse:
    """The start page: begin or continue the self-assessment (or talk the person through it)."""
    person = _person(request, person_pk)
    require(request, "assessment.complete_self_assessment", person)
    draft = services.current_draft(person)
    if request.method == "POST":
        try:
            assessment = services.start_assessment(request.user, person)
        except ServiceError as exc:
            messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
            return redirect("assessment:start", person_pk=person.pk)
        respondent = respondent_for(request, person)
        if assessment.respondent != respondent:
            services.save_answers(request.user, assessment, {}, respondent=respondent)
        return redirect(next_url(assessment))
    past = [
        (a, history_text(a))
        for a in person.assessments.exclude(status=AssessmentStatus.DRAFT).select_related("policy_version")[:10]
    ]
    # One sent in and not yet gone through with a worker: its state is the page's news, and starting
    # again is offered only as a second thing (the model allows another; the person rarely needs one).
    waiting = None if draft else services.waiting_for_assessor(person)
    return render(
        request, "assessment/start.html",
        {"person": person, "draft": draft, "waiting": waiting, "past": past,
         "respondent": respondent_for(request, person), "Respondent": Respondent, "Status": AssessmentStatus,
         "is_staff": is_staff_view(request)},
    )  # fmt: skip


def history_text(assessment: Assessment) -> str:
    """What happened to a self-assessment, each day said once: "Sent on 8 December 2026",
    "Started on 1 May 2026, sent on 8 December 2026, eligibility confirmed on 9 December 2026",
    "Sent and eligibility confirmed on 9 December 2026"."""
    started = assessment.on
    sent = timezone.localdate(assessment.submitted_at) if assessment.submitted_at else started
    parts = [] if sent == started else [f"started on {format_date(started)}"]
    if assessment.status == AssessmentStatus.CONFIRMED:
        confirmed = timezone.localdate(assessment.confirmed_at) if assessment.confirmed_at else None
        if confirmed is None:
            parts += [f"sent on {format_date(sent)}", "eligibility confirmed"]
        elif confirmed == sent:
            parts.append(f"sent and eligibility confirmed on {format_date(sent)}")
        else:
            parts += [f"sent on {format_date(sent)}", f"eligibility confirmed on {format_date(confirmed)}"]
    else:
        parts.append(f"sent on {format_date(sent)}")
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def next_url(assessment: Assessment, after: str | None = None) -> str:
    """The next unanswered question after ``after`` (or the first), else the check page."""
    policy = services.policy_of(assessment)
    order = engine.applicable_questions(policy, assessment.person_answers)
    ids = [q.id for q in order]
    begin = ids.index(after) + 1 if after in ids else 0
    for q in order[begin:]:
        if q.id not in assessment.person_answers:
            return reverse("assessment:question", args=[assessment.pk, q.id])
    for q in order[:begin]:
        if q.id not in assessment.person_answers:
            return reverse("assessment:question", args=[assessment.pk, q.id])
    return reverse("assessment:check", args=[assessment.pk])


def number_hint(q: Any) -> str:
    """What a number question takes, in words a screen reader also reads (the unit after the box is
    hidden from it, as GOV.UK's suffix is): "Enter a whole number of years, from 18 to 120", or with
    decimals "Enter the number of hours a week, from 0 to 100. You can use up to 2 decimal places."
    The question's place is shown by part (its area of life), which stays the same as answers open
    or close questions, unlike a count of questions ("question 1 of 19", then "4 of 22")."""
    if q.type != "number":
        return ""
    if q.decimals:
        what = f"the number of {q.unit}" if q.unit else "a number"
    else:
        what = f"a whole number of {q.unit}" if q.unit else "a whole number"
    low, high = (f"{v.normalize():f}" if v is not None else None for v in (q.min, q.max))
    if low is not None and high is not None:
        what += f", from {low} to {high}"
    elif low is not None:
        what += f", {low} or more"
    elif high is not None:
        what += f", {high} or less"
    hint = f"Enter {what}"
    if q.decimals:
        places = f"{q.decimals} decimal place{'s' if q.decimals != 1 else ''}"
        hint += f". You can use up to {places}."
    return hint


def _answer_from_post(q: Any, request: AuthedRequest) -> tuple[Any, str | None]:
    """The raw answer from the form, or a GOV.UK error message (the same words the API gives)."""
    if q.type == "multiple_choice":
        chosen = request.POST.getlist("answer")
        if not chosen and q.required:
            return None, services.blank_message(q)
        return chosen, None
    raw = request.POST.get("answer", "").strip()
    if raw == "":
        if not q.required:
            return "", None
        return None, services.blank_message(q)
    return raw, None


SAVED_FOR_LATER = (
    "Your answers so far have been saved. Choose “Continue your self-assessment” when you come back."
)


@login_required
def question(request: AuthedRequest, pk: int, qid: str) -> HttpResponse:
    """One question on its own page, in the person's words (no staff wording or outcome tags)."""
    assessment = _assessment(request, pk)
    require(request, "assessment.complete_self_assessment", assessment.person)
    if assessment.status != AssessmentStatus.DRAFT:
        return redirect("assessment:check", pk=assessment.pk)
    policy = services.policy_of(assessment)
    order = engine.applicable_questions(policy, assessment.person_answers)
    ids = [q.id for q in order]
    if qid not in ids:
        raise Http404("not a question to answer now")
    q = policy.questions[qid]
    domain = policy.domains[policy.question_domain[qid]]
    error = None
    value: Any = assessment.person_answers.get(qid)
    changing = request.GET.get("change") == "1"
    if request.method == "POST":
        raw, error = _answer_from_post(q, request)
        value = raw
        if "later" in request.POST and raw in (None, "", []):
            # "Save and come back later" with nothing on the page: nothing to save, just leave.
            messages.success(request, SAVED_FOR_LATER)
            return redirect("assessment:start", person_pk=assessment.person_id)
        if error is None:
            try:
                assessment = services.save_answers(
                    request.user,
                    assessment,
                    {qid: raw},
                    respondent=respondent_for(request, assessment.person),
                )
            except ServiceError as exc:
                error = " ".join(m for ms in exc.errors.values() for m in ms)
            else:
                if "later" in request.POST:
                    messages.success(request, SAVED_FOR_LATER)
                    return redirect("assessment:start", person_pk=assessment.person_id)
                if changing:
                    nxt = next_url(assessment)
                    if nxt.endswith("/check/"):
                        return redirect(nxt)
                return redirect(next_url(assessment, after=qid))
    position = ids.index(qid)
    if changing:  # opened from "Check your answers": back is back there
        back = reverse("assessment:check", args=[assessment.pk])
    elif position > 0:
        back = reverse("assessment:question", args=[assessment.pk, ids[position - 1]])
    else:
        back = reverse("assessment:start", args=[assessment.person_id])
    domain_ids = list(policy.domains)
    selected = value if isinstance(value, list) else [value]
    if q.type == "yes_no":
        selected = ["yes" if v in (True, "yes") else "no" if v in (False, "no") else v for v in selected]
    return render(
        request, "assessment/question.html",
        {"assessment": assessment, "q": q, "domain": domain, "error": error, "value": value if value is not None else "",
         "selected": [str(s) for s in selected if s is not None], "back": back,
         "part": domain_ids.index(policy.question_domain[qid]) + 1, "parts": len(domain_ids),
         "number_hint": number_hint(q)},
        status=400 if error else 200,
    )  # fmt: skip


def _answer_rows(assessment: Assessment, policy: engine.Policy) -> list[dict[str, Any]]:
    sections: list[dict[str, Any]] = []
    shown = {q.id for q in engine.applicable_questions(policy, assessment.person_answers)}
    known = services.answers_from_record(policy, assessment.person, assessment.on)
    for d in policy.model.questionnaire.domains:
        rows = []
        for q in [*d.triggers, *d.questions]:
            if q.id in shown:
                answer = services.display_answer(q, assessment.person_answers.get(q.id))
                rows.append({"q": q, "answer": answer, "answered": q.id in assessment.person_answers,
                             "from_record": q.id in known and known[q.id] == assessment.person_answers.get(q.id)})
        if rows:
            sections.append({"title": d.person_title or d.title, "rows": rows})
    return sections


@login_required
@require_GET
def check(request: AuthedRequest, pk: int) -> HttpResponse:
    """Check your answers. The page's button sends them to allocation (allocation:send), which works
    out the indicative budget straight away."""
    assessment = _assessment(request, pk)
    require(request, "assessment.complete_self_assessment", assessment.person)
    return check_page(request, assessment)


def check_page(request: AuthedRequest, assessment: Assessment, error: str | None = None) -> HttpResponse:
    """The "Check your answers" page, with why sending was refused when it was (400)."""
    policy = services.policy_of(assessment)
    missing = engine.missing_answers(policy, assessment.person_answers)
    return render(
        request, "assessment/check.html",
        {"assessment": assessment, "sections": _answer_rows(assessment, policy), "missing": missing,
         "error": error, "editable": assessment.status == AssessmentStatus.DRAFT},
        status=400 if error else 200,
    )  # fmt: skip


# --------------------------------------------------------------------------- assessor's pages


def _detail_page(
    request: AuthedRequest, assessment: Assessment, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    """The comparison page, with the confirm form's problems (400) when it was refused."""
    policy = services.policy_of(assessment)
    rows = services.comparison(assessment)
    derived = services.derived_eligibility(assessment)
    confirmed = assessment.status == AssessmentStatus.CONFIRMED
    # The person's latest indicative budget (allocation's, reached through the person so this app
    # does not import it). One worked out before the band was confirmed may rest on another band:
    # working out a new one is then the first next step, and the old one is labelled as such.
    latest_budget = assessment.person.allocations.order_by("-created_at", "-pk").first() if confirmed else None
    budget_stale = confirmed and (
        latest_budget is None
        or (assessment.confirmed_at is not None and latest_budget.created_at < assessment.confirmed_at)
    )
    return render(
        request, "assessment/detail.html",
        {"assessment": assessment, "rows": rows, "differences": sum(r.differs for r in rows),
         "recorded": bool(assessment.assessor_answers),
         "derived_band": derived[0] if derived else "", "derived_text": derived[1] if derived else "",
         "missing": engine.missing_answers(policy, assessment.combined_answers), "bands": engine.FACS_BANDS,
         "confirmed": confirmed, "latest_budget": latest_budget, "budget_stale": budget_stale,
         "can_start_plan": request.user.has_perm("plans.add_plan", assessment.person),
         "allocations": assessment.allocations.select_related("policy_version")[:5], "errors": errors or {},
         "band_value": request.POST.get("band", ""), "reason_value": request.POST.get("reason", "")},
        status=400 if errors else 200,
    )  # fmt: skip


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The assessor's comparison: the person's and the assessor's answers side by side."""
    assessment = _assessment(request, pk)
    require(request, "assessment.record_assessor_answers", assessment.person)
    return _detail_page(request, assessment)


@login_required
def assessor_answers(request: AuthedRequest, pk: int) -> HttpResponse:
    """The assessor's own answers, on one page with the staff wording and outcome tags."""
    assessment = _assessment(request, pk)
    require(request, "assessment.record_assessor_answers", assessment.person)
    policy = services.policy_of(assessment)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        answers, errors = _assessor_answers_from_post(policy, assessment, request)
        if errors:
            # Report the other questions' problems too, all at once; nothing is written.
            for qid, value in answers.items():
                if value not in (None, ""):
                    try:
                        services.clean_answer(policy, qid, value, staff=True)
                    except ServiceError as exc:
                        errors.update(exc.errors)
        else:
            try:
                services.save_answers(request.user, assessment, answers, side=Side.ASSESSOR)
            except ServiceError as exc:
                errors = exc.errors
            else:
                messages.success(request, "The assessor's answers have been saved")
                return redirect("assessment:detail", pk=assessment.pk)
    sections = []
    source = assessment.combined_answers
    shown = {q.id for q in engine.applicable_questions(policy, source)}
    for d in policy.model.questionnaire.domains:
        qs = [
            {
                "q": q,
                "value": _post_or(request, q, assessment.assessor_answers.get(q.id)),
                "theirs": services.display_answer(q, assessment.person_answers.get(q.id))
                or ("Not answered" if q.id not in assessment.person_answers else "Left blank"),
                "errors": errors.get(q.id, []),
            }
            for q in [*d.triggers, *d.questions]
            if q.id in shown
        ]
        if qs:
            sections.append({"domain": d, "questions": qs})
    return render(
        request, "assessment/assessor_form.html",
        {"assessment": assessment, "sections": sections, "errors": errors, "none_of_these": NONE_OF_THESE},
        status=400 if errors else 200,
    )  # fmt: skip


# The assessor's "None of these" box. Ticking nothing means "no answer of mine, keep the person's"
# (as the page says), so "none applies" needs a box of its own; GOV.UK's exclusive checkbox.
NONE_OF_THESE = "__none_of_these__"


def _assessor_answers_from_post(
    policy: engine.Policy, assessment: Assessment, request: AuthedRequest
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The assessor's answers from the one-page form, and any problem a question's boxes alone show.

    A question left blank keeps the person's answer: a radio question's "Keep their answer" (its
    default), a box left empty, or a multiple-choice question shown on the page (``present-<id>``)
    with nothing ticked clears any answer of the assessor's, so the person's stands. A question not
    on the page is left alone.
    """
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for q in engine.applicable_questions(policy, assessment.combined_answers):
        if q.type == "multiple_choice":
            if f"present-{q.id}" not in request.POST:
                continue
            chosen = request.POST.getlist(q.id)
            if NONE_OF_THESE not in chosen:
                answers[q.id] = chosen or None
            elif q.required:
                errors[q.id] = [services.blank_message(q, staff=True)]
            elif len(chosen) > 1:
                errors[q.id] = [f"Select the answers that apply for “{q.staff}” or “None of these”, not both"]
            else:
                answers[q.id] = []
        elif q.id in request.POST:
            answers[q.id] = request.POST.get(q.id, "").strip() or None
    return answers, errors


def _post_or(request: AuthedRequest, q: Any, stored: Any) -> Any:
    if request.method == "POST":
        return request.POST.getlist(q.id) if q.type == "multiple_choice" else request.POST.get(q.id, "")
    if q.type == "yes_no" and stored is not None:
        return "yes" if stored else "no"
    if q.type == "multiple_choice" and stored == []:
        return [NONE_OF_THESE]
    return stored if stored is not None else ([] if q.type == "multiple_choice" else "")


@login_required
def confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    """Confirm the FACS band: the one the answers give (a reason is optional), or another with a reason."""
    assessment = _assessment(request, pk)
    require(request, "assessment.confirm_eligibility", assessment.person)
    if request.method != "POST":
        return redirect("assessment:detail", pk=assessment.pk)
    try:
        services.confirm_eligibility(
            request.user, assessment, request.POST.get("band", ""), request.POST.get("reason", "")
        )
    except ServiceError as exc:
        return _detail_page(request, assessment, exc.errors)
    assessment.refresh_from_db()
    messages.success(
        request,
        f"Eligibility confirmed: the {assessment.band} band, by {assessment.confirmed_by} on "
        f"{format_date(timezone.localdate(assessment.confirmed_at or timezone.now()))}",
    )
    return redirect("assessment:detail", pk=assessment.pk)


@login_required
def person_assessments(request: AuthedRequest, person_pk: int) -> HttpResponse:
    """Staff: a person's assessments, newest first, with a link to talk them through a new one."""
    person = _person(request, person_pk)
    if not request.user.has_perm("assessment.record_assessor_answers", person):
        raise PermissionDenied("assessments")
    assessments = person.assessments.select_related("policy_version")
    return render(request, "assessment/person_list.html", {"person": person, "assessments": assessments})


@login_required
def assessment_list(request: AuthedRequest) -> HttpResponse:
    """Staff: every self-assessment they may see, a page at a time; ``?status=submitted`` is the
    queue of those sent in (oldest first, as they wait), which the home page's list continues."""
    if request.authority is None or not request.roles & (CASELOAD_ROLES | {Role.ADMIN}):
        raise PermissionDenied("assessments")
    status = request.GET.get("status", "")
    status = status if status in AssessmentStatus.values else ""
    found = assessment_scope(request.user, request.authority).select_related("person")
    if status:
        found = found.filter(status=status)
    if status == AssessmentStatus.SUBMITTED:
        found = found.order_by("submitted_at", "pk")
    else:
        found = found.order_by("-on", "-pk")
    found, q = search.searched(request, found, via="person__")
    page, query_string = paged(request, found, keep={"status": status, "q": q})
    return render(
        request, "assessment/list.html",
        {"page": page, "query_string": query_string, "q": q, "status": status,
         "statuses": AssessmentStatus.choices, "Status": AssessmentStatus},
    )  # fmt: skip
