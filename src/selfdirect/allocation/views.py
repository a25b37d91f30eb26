"""Pages for indicative budgets (the person's explanation, the staff derivation), and the
commissioner's policy pages: upload, validate (errors by line), publish, what-if, recalculate."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from selfdirect.assessment.access import visible_assessment
from selfdirect.assessment.constants import AssessmentStatus
from selfdirect.assessment.views import check_page
from selfdirect.core import policy_yaml, registry, words
from selfdirect.core.constants import Role
from selfdirect.core.dates import format_date
from selfdirect.core.errors import ServiceError
from selfdirect.core.http import AuthedRequest, current_authority, download, require
from selfdirect.core.models import Authority
from selfdirect.core.money import format_pence, parse_pounds
from selfdirect.people.access import people_scope
from selfdirect.people.models import Person
from selfdirect.policies import engine
from selfdirect.policies import labels as policy_labels
from selfdirect.policies import services as policy_services
from selfdirect.policies.access import policy_version_scope
from selfdirect.policies.constants import PolicyStatus
from selfdirect.policies.engine.money import format_rate
from selfdirect.policies.models import PolicyVersion

from . import charts, services
from .access import allocation_scope, what_if_scope
from .constants import PopulationKind, RunStatus
from .models import Allocation, WhatIfRun


def home_section(request: AuthedRequest) -> tuple[str, dict[str, Any]] | None:
    if request.authority is None or Role.COMMISSIONER not in request.roles:
        return None
    versions = policy_services.published_versions(request.authority)[:5]
    drafts = policy_version_scope(request.user, request.authority).filter(status=PolicyStatus.DRAFT).count()
    return "allocation/home_section.html", {"versions": versions, "drafts": drafts}


# --------------------------------------------------------------------------- budgets


def _view_level(request: AuthedRequest, person: Any) -> str:
    """staff: full derivation; person: plain English; money: figures only (finance). 403 otherwise."""
    user = request.user
    if user.has_perm("allocation.view_derivation", person):
        return "staff"
    if user.has_perm("allocation.view_budget", person):
        return "person"
    if user.has_perm("allocation.view_money", person):
        return "money"
    raise PermissionDenied("budget")


def _render_allocation(request: AuthedRequest, person: Any, allocation: Allocation | None) -> HttpResponse:
    level = _view_level(request, person)
    context: dict[str, Any] = {"person": person, "allocation": allocation, "level": level}
    if allocation is not None:
        data = allocation.explanation
        policy = policy_services.policy_for(allocation.policy_version)
        model = policy.model
        # The staff working was written with the policy's names for its rates and scores: shown
        # in the policy's words.
        lines = [{**ln, "staff_text": policy_labels.in_words(policy, ln.get("staff_text", ""))}
                 for ln in data.get("lines", [])]
        context["streams"] = [
            {"stream": s, "title": s.title,
             "person_title": (model.streams[s.stream].person_title or s.title) if s.stream in model.streams else s.title, "annual": s.annual_pence, "weekly": s.weekly_pence,
             "method": s.method, "lines": [ln for ln in lines if ln["stream"] == s.stream]}
            for s in allocation.streams.all()
        ]  # fmt: skip
        eligibility = dict(data.get("eligibility", {}))
        eligibility["staff_text"] = policy_labels.in_words(policy, eligibility.get("staff_text", ""))
        context["eligibility"] = eligibility
        context["rates"] = _rates_in_words(model, allocation.rates_used)
    return render(request, "allocation/budget.html", context)


def _rates_in_words(model: Any, used: dict[str, str]) -> list[tuple[str, str]]:
    """Each rate an allocation used as staff read it: what it is (the policy's description) and
    the amount per unit, not the rate's code."""
    shown = []
    for rate_id, amount in sorted(used.items()):
        rate = model.rates.get(rate_id)
        what = (rate.description if rate is not None and rate.description else "") or words.humanise(rate_id)
        per = f" per {rate.unit}" if rate is not None and rate.unit else ""
        shown.append((what, f"{amount}{per}"))  # stored in pounds, as the engine worked it
    return shown


def person_section(request: AuthedRequest, person: Person) -> tuple[str, dict[str, Any]] | None:
    """On a person's record: their indicative budgets, newest first, each with how it was worked out."""
    found = allocation_scope(request.user, request.authority).filter(person=person).order_by("-on", "-pk")
    if not found.exists():
        return None
    items = [
        registry.PersonItem(
            f"Indicative budget of {format_date(a.on)}", reverse("allocation:detail", args=[a.pk]),
            f"{format_pence(int(a.total_annual_pence))} a year",
        )
        for a in found[:5]
    ]
    return registry.person_section_page("allocations", "Indicative budgets", items, empty="")


@login_required
def budget(request: AuthedRequest, person_pk: int) -> HttpResponse:
    """The person's latest indicative budget and how it was worked out."""
    person = get_object_or_404(people_scope(request.user, request.authority), pk=person_pk)
    _view_level(request, person)
    return _render_allocation(request, person, services.latest_allocation(person))


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    visible = allocation_scope(request.user, request.authority).select_related(
        "person", "policy_version", "created_by"
    )
    allocation = get_object_or_404(visible, pk=pk)
    return _render_allocation(request, allocation.person, allocation)


@login_required
@require_POST
def send_assessment(request: AuthedRequest, assessment_pk: int) -> HttpResponse:
    """The person sends their self-assessment from "Check your answers": it is scored and the
    indicative budget worked out straight away. Refused (answers missing): the same page, saying why."""
    assessment = visible_assessment(request.user, request.authority, assessment_pk)
    require(request, "assessment.complete_self_assessment", assessment.person)
    if assessment.status == AssessmentStatus.DRAFT:
        try:
            services.submit_assessment(request.user, assessment)
        except ServiceError as exc:
            return check_page(request, assessment, " ".join(m for ms in exc.errors.values() for m in ms))
        messages.success(request, "Your self-assessment has been sent")
    return redirect("allocation:budget", person_pk=assessment.person_id)


@login_required
def allocate(request: AuthedRequest, assessment_pk: int) -> HttpResponse:
    """Work out and store the indicative budget for an assessment (assessor, planner, admin)."""
    assessment = visible_assessment(request.user, request.authority, assessment_pk)
    require(request, "allocation.allocate", assessment.person)
    if request.method != "POST":
        return redirect("assessment:detail", pk=assessment.pk)
    try:
        allocation = services.allocate_assessment(
            request.user, assessment, reason="Allocated by the assessor"
        )
    except ServiceError as exc:
        for msgs in exc.errors.values():
            for m in msgs:
                messages.error(request, m)
        return redirect("assessment:detail", pk=assessment.pk)
    messages.success(request, "The indicative budget has been worked out")
    return redirect("allocation:detail", pk=allocation.pk)


# --------------------------------------------------------------------------- policies


@login_required
def policies(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "allocation.view_policies", authority)
    versions = policy_version_scope(request.user, authority).select_related("published_by")
    return render(
        request, "allocation/policies.html",
        {"versions": versions, "can_manage": request.user.has_perm("allocation.manage_policies", authority),
         "can_what_if": request.user.has_perm("allocation.run_what_if", authority),
         "can_size": request.user.has_perm("allocation.size_pot", authority)},
    )  # fmt: skip


@login_required
def policy_upload(request: AuthedRequest) -> HttpResponse:
    """Upload (or paste) a policy YAML; it is validated and every problem is listed by line."""
    authority = current_authority(request)
    require(request, "allocation.manage_policies", authority)
    problems: list[Any] = []
    text = request.POST.get("yaml_text", "")
    filename = "pasted.yaml"
    if request.method == "POST":
        upload = request.FILES.get("policy_file")
        if upload is not None:
            filename = upload.name or filename
            try:
                if upload.size and upload.size > policy_yaml.MAX_BYTES:  # refused unread
                    raise policy_yaml.too_big(filename)
                text = policy_yaml.decode(upload.read(policy_yaml.MAX_BYTES + 1), filename)
            except policy_yaml.PolicyYamlError as exc:
                problems = exc.problems
        if not problems and not text.strip():
            problems = [
                {"file": "", "line": 0, "path": "", "message": "Choose a policy file or paste the YAML"}
            ]
        if not problems:
            try:
                version, created = policy_services.store_policy(request.user, authority, text, filename)
            except policy_services.PolicyRefused as exc:
                problems = exc.problems
            else:
                if created:
                    messages.success(request, f"{version.label} is valid and saved as a draft")
                elif version.is_published:
                    messages.info(
                        request,
                        f"This is the same as {version.label}, which is already published: nothing was changed",
                    )
                else:
                    messages.info(
                        request, f"This is the same as the draft {version.label}: nothing was changed"
                    )
                return redirect("allocation:policy", pk=version.pk)
    return render(
        request, "allocation/policy_upload.html",
        {"problems": problems, "yaml_text": text},
        status=400 if problems else 200,
    )  # fmt: skip


@login_required
def policy_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    authority = current_authority(request)
    require(request, "allocation.view_policies", authority)
    version = get_object_or_404(policy_version_scope(request.user, authority), pk=pk)
    policy = policy_services.policy_for(version)
    can_manage = request.user.has_perm("allocation.manage_policies", authority)
    if request.method == "POST":
        require(request, "allocation.manage_policies", authority)
        try:
            policy_services.publish_policy(request.user, version, request.POST.get("reason", ""))
        except ServiceError as exc:
            for msgs in exc.errors.values():
                for m in msgs:
                    messages.error(request, m)
        else:
            messages.success(request, f"{version.title} is published")
        return redirect("allocation:policy", pk=version.pk)
    model = policy.model
    return render(
        request, "allocation/policy_detail.html",
        {"version": version, "policy": model, "can_manage": can_manage,
         "rates": [{"id": rid, "what": r.description or words.humanise(rid), "amount": format_rate(r.amount),
                    "unit": r.unit} for rid, r in sorted(model.rates.items())],
         "streams": [{"id": sid, "title": s.title,
                      "methods": [words.humanise(ch.method.kind).lower() for ch in s.methods]}
                     for sid, s in model.streams.items()],
         "domains": model.questionnaire.domains,
         "can_size": request.user.has_perm("allocation.size_pot", authority)},
    )  # fmt: skip


# --------------------------------------------------------------------------- pot sizing

_ROUNDING_TEXT = {
    ("penny", "nearest"): "to the nearest penny",
    ("pound", "nearest"): "to the nearest pound",
    ("ten_pounds", "nearest"): "to the nearest £10",
    ("penny", "up"): "up to the penny",
    ("pound", "up"): "up to the pound",
    ("ten_pounds", "up"): "up to the next £10",
    ("penny", "down"): "down to the penny",
    ("pound", "down"): "down to the pound",
    ("ten_pounds", "down"): "down to the £10",
}


def _pot_working(version: PolicyVersion, sizing: Any) -> dict[str, Any]:
    """How the price per point was worked out, as text for the page."""
    policy = policy_services.policy_for(version)
    stream = policy.model.streams[sizing.stream]
    divisor = sizing.total_points * sizing.weeks
    exact = (Decimal(sizing.pot_pence) / divisor).quantize(Decimal("0.000001"), rounding=ROUND_DOWN)
    limits = []
    if stream.adjustments:
        limits.append("adjustments (" + "; ".join(a.label for a in stream.adjustments) + ")")
    limits.append("rounding " + _ROUNDING_TEXT[(stream.rounding.to, stream.rounding.mode)])
    if stream.minimum is not None:
        limits.append(f"a minimum of {format_pence(stream.minimum)}")
    if stream.maximum is not None:
        limits.append(f"a maximum of {format_pence(stream.maximum)} a person")
    difference = sizing.projected_spend_pence - sizing.pot_pence
    return {
        "stream_title": stream.title,
        "per": "a week" if sizing.period == "week" else "a year",
        "price": format_rate(sizing.price_per_point_pence),
        "price_pence": sizing.price_per_point_pence,
        "current_price": format_rate(sizing.current_price_pence),
        "pot": format_pence(sizing.pot_pence),
        "points": f"{sizing.total_points.normalize():,f}",
        "exact": format_rate(exact),
        "weeks": sizing.weeks,
        "spend": format_pence(sizing.projected_spend_pence),
        "difference": ("" if difference == 0 else
                       f"{format_pence(abs(difference))} {'over' if difference > 0 else 'under'} the money available"),
        "current_spend": format_pence(sizing.current_spend_pence),
        "limits": ", ".join(limits),
    }  # fmt: skip


@login_required
def price_per_point(request: AuthedRequest) -> HttpResponse:
    """Size the pot: the price per point that spends the money available for a stream over the
    current assessments, with how it was worked out. A read-only calculation, so the form is a GET."""
    authority = current_authority(request)
    require(request, "allocation.size_pot", authority)
    versions = list(policy_version_scope(request.user, authority))
    raw_version = request.GET.get("version", "").strip()
    version: PolicyVersion | None = None
    if raw_version:
        if not raw_version.isdigit():
            raise Http404("no such policy version")
        version = get_object_or_404(policy_version_scope(request.user, authority), pk=int(raw_version))
    shown = (
        version
        or policy_services.published_versions(authority).first()
        or (versions[0] if versions else None)
    )
    streams = []
    if shown is not None:
        policy = policy_services.policy_for(shown)
        streams = [
            (sid, s.title)
            for sid, s in policy.model.streams.items()
            if engine.sizing_method(policy, sid) is not None
        ]
    errors: dict[str, list[str]] = {}
    sizing = None
    submitted = "pot" in request.GET
    stream = request.GET.get("stream", "").strip()
    if submitted:
        if version is None:
            errors["version"] = ["Choose a policy version"]
        if not stream:
            errors["stream"] = ["Choose a funding stream"]
        pot_text = request.GET.get("pot", "").strip()
        pot_pence = 0
        if not pot_text:
            errors["pot"] = ["Enter the money available, in pounds"]
        else:
            try:
                pot_pence = parse_pounds(pot_text)
            except ValueError as exc:
                errors["pot"] = [
                    f"Enter the money available in pounds and pence, like 250000 or 250000.50: {exc}"
                ]
            else:
                if pot_pence <= 0:
                    errors["pot"] = ["The money available must be more than £0"]
        if not errors and version is not None:
            try:
                sizing = services.size_pot(version, stream, pot_pence)
            except ServiceError as exc:
                errors = {("pot" if k == "pot_pence" else k): v for k, v in exc.errors.items()}
    return render(
        request, "allocation/price_per_point.html",
        {"versions": versions, "shown": shown, "streams": streams, "stream": stream, "errors": errors,
         "pot": request.GET.get("pot", ""), "sizing": sizing,
         "working": _pot_working(version, sizing) if sizing is not None and version is not None else None},
        status=400 if errors else 200,
    )  # fmt: skip


# --------------------------------------------------------------------------- what-if


@login_required
def what_ifs(request: AuthedRequest) -> HttpResponse:
    """Start a what-if (a background task) and list earlier runs."""
    authority = current_authority(request)
    require(request, "allocation.run_what_if", authority)
    versions = list(policy_version_scope(request.user, authority))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        by_pk = {str(v.pk): v for v in versions}
        base, proposed = by_pk.get(request.POST.get("base", "")), by_pk.get(request.POST.get("proposed", ""))
        kind = request.POST.get("population", PopulationKind.CURRENT)
        size_raw = request.POST.get("synthetic_size", "").strip() or "0"
        if base is None:
            errors["base"] = ["Choose the version to compare against"]
        if proposed is None:
            errors["proposed"] = ["Choose the proposed version"]
        if kind not in PopulationKind.values:
            errors["population"] = ["Choose a population"]
        if not size_raw.isdigit():
            errors["synthetic_size"] = ["Enter a whole number of people"]
        if not errors and base is not None and proposed is not None:
            try:
                run = services.start_what_if(request.user, authority, base, proposed, kind, int(size_raw))
            except ServiceError as exc:
                errors = exc.errors
            else:
                return redirect("allocation:what-if", pk=run.pk)
    runs = what_if_scope(request.user, authority)[:20]
    base_pk, proposed_pk = what_if_defaults(authority, versions)
    if request.method == "POST":
        base_pk, proposed_pk = request.POST.get("base", ""), request.POST.get("proposed", "")
    return render(
        request, "allocation/what_ifs.html",
        {"versions": versions, "runs": runs, "errors": errors, "post": request.POST, "PopulationKind": PopulationKind,
         "base_pk": base_pk, "proposed_pk": proposed_pk},
        status=400 if errors else 200,
    )  # fmt: skip


def what_if_defaults(authority: Authority, versions: list[PolicyVersion]) -> tuple[str, str]:
    """The versions a new what-if starts from: the one in force today against the newest other one
    (``versions`` newest first). Comparing the newest with itself, as the first of each list did,
    shows no change at all."""
    base = policy_services.version_in_force(policy_services.newest_first(authority), timezone.localdate())
    if base is None and versions:
        base = versions[0]
    proposed = next((v for v in versions if v != base), None)
    return (str(base.pk) if base else "", str(proposed.pk) if proposed else "")


def _run(request: AuthedRequest, pk: int) -> WhatIfRun:
    authority = current_authority(request)
    require(request, "allocation.run_what_if", authority)
    return get_object_or_404(
        what_if_scope(request.user, authority), pk=pk
    )


@login_required
def what_if(request: AuthedRequest, pk: int) -> HttpResponse:
    """Status while it runs; then totals per stream, distribution, winners and losers, chart and table."""
    run = _run(request, pk)
    context: dict[str, Any] = {"run": run, "done": run.status == RunStatus.DONE}
    if run.status == RunStatus.DONE and run.result:
        context["chart"] = charts.what_if_chart(run.result, run.authority)
        context["result"] = run.result
        context["stream_rows"] = charts.stream_rows(run.result, run.authority)
    return render(request, "allocation/what_if.html", context)


@login_required
def what_if_csv(request: AuthedRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    if run.status != RunStatus.DONE or not run.result:
        return HttpResponse("The what-if has not finished", status=409, content_type="text/plain")
    response = HttpResponse(charts.what_if_csv(run.result), content_type="text/csv")
    return download(response, f"what-if-{run.pk}.csv")


# --------------------------------------------------------------------------- recalculation


@login_required
def recalculate(request: AuthedRequest, pk: int) -> HttpResponse:
    """Preview, person by person, the effect of a published version on current budgets; apply on confirmation."""
    authority = current_authority(request)
    require(request, "allocation.recalculate", authority)
    version = get_object_or_404(policy_version_scope(request.user, authority), pk=pk)
    error = ""
    if request.method == "POST":
        try:
            count = services.apply_recalculation(
                request.user, authority, version, request.POST.get("reason", "")
            )
        except ServiceError as exc:
            error = " ".join(m for ms in exc.errors.values() for m in ms)
        else:
            messages.success(request, f"{count} indicative budget{'s' if count != 1 else ''} recalculated")
            return redirect("allocation:policy", pk=version.pk)
    try:
        rows = services.recalculation_preview(authority, version)
    except ServiceError as exc:
        rows, error = [], " ".join(m for ms in exc.errors.values() for m in ms)
    return render(
        request, "allocation/recalculate.html",
        {"version": version, "rows": rows, "error": error,
         "ready": sum(1 for r in rows if r.result is not None)},
        status=400 if error and request.method == "POST" else 200,
    )  # fmt: skip
