"""Extra Care pages. Each view finds the scheme in the acting authority (else 404), checks the
permission (403) and calls a service; the figures come from :mod:`.analysis`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from selfdirect.core.forms import ReasonMixin
from selfdirect.core.http import AuthedRequest, download, require

from . import charts, services
from .access import run_scope, scheme_scope
from .analysis import figures
from .constants import EDIT_ROLES, RunKind
from .engine import APPRAISAL_QUESTIONS, MODELS, SchemeInputError
from .engine.breakdown import fmt_hours
from .forms import AppraisalForm, RotaForm, SchemeForm, SeedForm, SimulationForm, SweepForm
from .inputs import canonical, load, seed_inputs
from .models import AnalysisRun, Scheme


def home_section(request: AuthedRequest) -> tuple[str, dict[str, Any]] | None:
    """Home page: the authority's schemes, for commissioners (and admins)."""
    if request.authority is None or not request.roles & EDIT_ROLES:
        return None
    schemes = scheme_scope(request.user, request.authority)
    return "extracare/home_section.html", {"schemes": schemes[:10], "scheme_count": schemes.count()}


def _scheme(request: AuthedRequest, pk: int, perm: str = "extracare.view_scheme") -> Scheme:
    scheme = get_object_or_404(scheme_scope(request.user, request.authority), pk=pk)
    require(request, perm, scheme)
    return scheme


def _context(scheme: Scheme, request: AuthedRequest, **extra: Any) -> dict[str, Any]:
    return {
        "scheme": scheme,
        "version": scheme.current,
        "can_edit": request.user.has_perm("extracare.change_scheme", scheme),
        **extra,
    }


@login_required
def scheme_list(request: AuthedRequest) -> HttpResponse:
    if request.authority is None:
        raise PermissionDenied("no authority")
    require(request, "extracare.view_scheme", request.authority)
    schemes = scheme_scope(request.user, request.authority).prefetch_related("versions")
    return render(
        request,
        "extracare/list.html",
        {"schemes": schemes, "can_add": request.user.has_perm("extracare.add_scheme", request.authority),
         "seed_form": SeedForm()},
    )  # fmt: skip


@login_required
def scheme_from_seed(request: AuthedRequest) -> HttpResponse:
    if request.authority is None:
        raise PermissionDenied("no authority")
    require(request, "extracare.add_scheme", request.authority)
    if request.method != "POST":
        return redirect("extracare:list")
    scheme = services.create_from_seed(request.user, request.authority)
    messages.success(
        request,
        f"{scheme.name} was created from the Housing LIN example. Change any figure with 'Change inputs'.",
    )
    return redirect(scheme)


def _save(request: AuthedRequest, form: SchemeForm, scheme: Scheme | None) -> Scheme | None:
    name, inputs = form.to_inputs()
    reason = form.cleaned_data["reason"]
    try:
        if scheme is None:
            return services.create_scheme(request.user, request.authority, name, inputs, reason)  # type: ignore[arg-type]
        version = services.update_scheme(request.user, scheme, name, inputs, reason)
    except SchemeInputError as exc:
        form.add_problems(exc.problems)
        return None
    messages.success(request, f"Saved as version {version.number}" if version else "Nothing was changed")
    return scheme


@login_required
def scheme_create(request: AuthedRequest) -> HttpResponse:
    if request.authority is None:
        raise PermissionDenied("no authority")
    require(request, "extracare.add_scheme", request.authority)
    initial = (
        SchemeForm.initial_from("", seed_inputs()) if request.GET.get("from") == "seed" else _blank_initial()
    )
    form = SchemeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        scheme = _save(request, form, None)
        if scheme is not None:
            messages.success(request, f"{scheme.name} was created")
            return redirect(scheme)
    status = 400 if request.method == "POST" else 200
    return render(request, "extracare/form.html", {"form": form, "title": "Plan a new scheme"}, status=status)


def _blank_initial() -> dict[str, Any]:
    """Engine defaults for the rules (the seed's), nothing about residents or rates."""
    data = seed_inputs()
    data["scheme"]["residents"] = []
    data["scheme"]["occupancy"] = []
    data["scheme"]["need_mix"] = None
    data["scheme"]["schedule"] = None
    data["costing"] = {"loaded_rate_pence": None, "rate_card": None, "weeks_per_year": "52"}
    data["viability"] = {"budgets_pence": {}, "planned_rate_pence": None}
    data["planning"]["opening_date"] = None
    initial = SchemeForm.initial_from("", data)
    initial["flats"] = ""
    return initial


@login_required
def scheme_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk, "extracare.change_scheme")
    # The inputs as the engine reads them today, so a version saved under an earlier field name
    # still fills its box.
    inputs = canonical(load(scheme.current.inputs, scheme.name))
    form = SchemeForm(request.POST or None, initial=SchemeForm.initial_from(scheme.name, inputs))
    if request.method == "POST" and form.is_valid() and _save(request, form, scheme) is not None:
        return redirect(scheme)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "extracare/form.html", {"form": form, "title": f"Change {scheme.name}", "scheme": scheme},
        status=status,
    )  # fmt: skip


@login_required
def scheme_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk, "extracare.delete_scheme")
    form = ReasonMixin(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.delete_scheme(request.user, scheme, form.cleaned_data["reason"])
        messages.success(request, f"{scheme.name} was deleted")
        return redirect("extracare:list")
    status = 400 if request.method == "POST" else 200
    return render(request, "extracare/delete.html", {"form": form, "scheme": scheme}, status=status)


@login_required
def scheme_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    inputs = load(scheme.current.inputs, scheme.name)
    fig = figures(inputs)
    phasing_chart = charts.phasing_chart(fig.phasing)
    return render(
        request,
        "extracare/detail.html",
        _context(
            scheme, request, inputs=inputs, fig=fig, tables={h["key"]: h for h in fig.hours}, demand=fmt_hours(fig.demand_hours),
            phasing_chart=phasing_chart, versions=scheme.versions.select_related("created_by")[:10],
            runs=scheme.runs.all()[:10],
        ),
    )  # fmt: skip


@login_required
def scheme_models(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    appraisal = services.appraisal_for(scheme)
    rows = [
        {"question": q, "answers": [(m.key, appraisal[m.key]["answers"][q.key]) for m in MODELS]}
        for q in APPRAISAL_QUESTIONS
    ]
    models = [{"model": m, **appraisal[m.key]} for m in MODELS]
    return render(request, "extracare/models.html", _context(scheme, request, rows=rows, models=models))


@login_required
def scheme_model_edit(request: AuthedRequest, pk: int, key: str) -> HttpResponse:
    scheme = _scheme(request, pk, "extracare.change_scheme")
    model = next((m for m in MODELS if m.key == key.upper()), None)
    if model is None:
        raise Http404("no such model")
    current = services.appraisal_for(scheme)[model.key]
    initial = {**current["notes"], **{f"q_{q}": v for q, v in current["answers"].items()}}
    form = AppraisalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.save_appraisal(
                request.user, scheme, model.key,
                {k: d[k] for k in ("advantages", "disadvantages", "notes")},
                {q.key: d[f"q_{q.key}"] for q in APPRAISAL_QUESTIONS}, d["reason"],
            )  # fmt: skip
        except SchemeInputError as exc:
            for path, message in exc.problems:
                form.add_error(None, f"{path}: {message}")
        else:
            messages.success(request, f"Notes on model {model.key} were saved")
            return redirect("extracare:models", scheme.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "extracare/model_form.html", _context(scheme, request, form=form, model=model), status=status
    )


@login_required
def scheme_viability(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    inputs = load(scheme.current.inputs, scheme.name)
    raw = request.GET.get("occupied", "")
    occupied = int(raw) if raw.isdigit() else None
    fig = figures(inputs, occupied=occupied)
    chart = charts.viability_chart(fig.viability) if fig.viability else None
    return render(
        request,
        "extracare/viability.html",
        _context(scheme, request, inputs=inputs, fig=fig, v=fig.viability, chart=chart),
    )


def _start(
    request: AuthedRequest, scheme: Scheme, kind: str, form: Any, params: dict[str, Any]
) -> HttpResponse | None:
    try:
        run = services.start_run(request.user, scheme, kind, params)
    except SchemeInputError as exc:
        for path, message in exc.problems:
            form.add_error(path if path in form.fields else None, message)
        return None
    return redirect(run)


@login_required
def scheme_simulate(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    sim = SimulationForm(request.POST if request.POST.get("kind") == "simulation" else None)
    swp = SweepForm(request.POST if request.POST.get("kind") == "sweep" else None)
    if request.method == "POST":
        require(request, "extracare.run_analysis", scheme)
        if sim.is_bound and sim.is_valid():
            params = {**sim.cleaned_data, "floating_share": sim.cleaned_data["floating_share"] / 100}
            started = _start(request, scheme, RunKind.SIMULATION, sim, params)
            if started:
                return started
        elif swp.is_bound and swp.is_valid():
            started = _start(request, scheme, RunKind.SWEEP, swp, dict(swp.cleaned_data))
            if started:
                return started
    runs = scheme.runs.filter(kind__in=[RunKind.SIMULATION, RunKind.SWEEP])[:10]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "extracare/simulate.html",
        _context(scheme, request, sim=sim, swp=swp, runs=runs),
        status=status,
    )


@login_required
def scheme_rota(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    form = RotaForm(request.POST or None)
    if request.method == "POST":
        require(request, "extracare.run_analysis", scheme)
        if form.is_valid():
            params = dict(form.cleaned_data)
            params["week_start"] = params["week_start"].isoformat() if params["week_start"] else None
            started = _start(request, scheme, RunKind.ROTA, form, params)
            if started:
                return started
    runs = scheme.runs.filter(kind=RunKind.ROTA)[:10]
    status = 400 if request.method == "POST" else 200
    return render(
        request, "extracare/rota.html", _context(scheme, request, form=form, runs=runs), status=status
    )


def _run(request: AuthedRequest, pk: int, run_pk: int) -> AnalysisRun:
    scheme = _scheme(request, pk)
    return get_object_or_404(run_scope(request.user, request.authority), pk=run_pk, scheme=scheme)


@login_required
def run_detail(request: AuthedRequest, pk: int, run_pk: int) -> HttpResponse:
    run = _run(request, pk, run_pk)
    # The charts are drawn from the figures the result stores (an older result's stored SVG "charts"
    # are left unread).
    chart = None
    if run.result and run.kind == RunKind.SIMULATION:
        chart = charts.utilisation_chart(run.result)
    elif run.result and run.kind == RunKind.SWEEP:
        chart = charts.response_chart(run.result)
    hours = (
        [(h, run.result["utilisation_by_hour"][h]) for h in range(24)]
        if run.kind == RunKind.SIMULATION and run.result
        else []
    )
    days: list[dict[str, Any]] = []
    if run.kind == RunKind.ROTA and run.result and run.result["feasible"]:
        workers = sorted({a["worker"] for a in run.result["assignments"]})
        grid = {(a["worker"], a["day_index"]): a for a in run.result["assignments"]}
        days = [
            {
                "worker": w,
                "cells": [grid.get((w, d)) for d in range(7)],
                "paid": run.result["hours_by_worker"].get(w, "0"),
            }
            for w in workers
        ]
    return render(
        request, "extracare/run.html",
        {"run": run, "scheme": run.scheme, "chart": chart,
         "can_edit": request.user.has_perm("extracare.change_scheme", run.scheme), "hours": hours, "rota_rows": days,
         "day_names": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
         "refresh": not run.finished},
    )  # fmt: skip


@login_required
def run_csv(request: AuthedRequest, pk: int, run_pk: int) -> HttpResponse:
    run = _run(request, pk, run_pk)
    if run.kind != RunKind.ROTA or not run.result or not run.result.get("feasible"):
        raise Http404("no rota")
    response = HttpResponse(run.result["csv"], content_type="text/csv; charset=utf-8")
    return download(response, f"rota-scheme{run.scheme_id}-v{run.version.number}-run{run.pk}.csv")


def run_url(run: AnalysisRun) -> str:
    return reverse("extracare:run", args=[run.scheme_id, run.pk])
