"""The Extra Care API: schemes, their calculators' results, background runs and rotas.

Handlers are thin: they find the scheme in the acting authority (404 otherwise), check the
permission (403) and call the same services as the pages. Bad inputs answer 422 problem details
whose ``errors`` give each field's path, e.g. ``["body", "inputs", "scheme", "flats"]``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from selfdirect.core.api_schema import Input, Reason
from selfdirect.core.http import AuthedRequest, current_authority, download, problem_response, require

from . import services
from .access import run_scope, scheme_scope
from .analysis import figures
from .constants import RunKind, RunStatus
from .engine import SchemeInputError
from .inputs import load
from .models import AnalysisRun, Scheme

router = Router(tags=["extracare"])


class SchemeIn(Input):
    name: str = Field(..., description="The scheme's name, unique in the authority")
    inputs: dict[str, Any] = Field(
        ...,
        description="scheme (flats, occupancy, residents, need_mix, staffing, shifts, schedule, core), "
        "costing, planning and viability; see docs/extracare.md. GET a scheme for a full example.",
    )
    reason: Reason = Field(..., description="Why the scheme is being saved")


class SeedIn(Input):
    name: str | None = Field(None, description="Name for the new scheme (default: the seed example's)")


class SchemeOut(Schema):
    id: int
    name: str
    version: int
    version_saved_at: dt.datetime
    version_reason: str
    inputs: dict[str, Any]
    url: str


class ReasonIn(Input):
    reason: Reason


class RunIn(Input):
    kind: RunKind
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="simulation: floating_share (0-1), days, seed. sweep: levels, replications, days, "
        "seed, target_p95_minutes. rota: staff, nights_staff, time_limit_seconds, week_start.",
    )


class RunOut(Schema):
    id: int
    scheme_id: int
    version: int
    kind: RunKind
    params: dict[str, Any]
    status: RunStatus
    done: int
    total: int
    status_url: str
    page_url: str
    error: str
    result: dict[str, Any] | None


def _problem(exc: SchemeInputError, root: str = "inputs") -> HttpResponse:
    """422 problem details; engine paths like 'scheme.need_mix.bands[0].share' become lists."""
    errors = []
    for path, message in exc.problems:
        parts = [p for p in re.split(r"\.|\[|\]", path) if p != ""]
        prefix = ["body"] if parts and parts[0] == "name" else ["body", root]
        errors.append({"path": prefix + parts, "message": message})
    return problem_response(422, "The request has invalid fields", errors=errors)






def _scheme(request: AuthedRequest, scheme_id: int, perm: str = "extracare.view_scheme") -> Scheme:
    scheme = get_object_or_404(scheme_scope(request.user, current_authority(request)), pk=scheme_id)
    require(request, perm, scheme)
    return scheme


def _out(scheme: Scheme) -> dict[str, Any]:
    v = scheme.current
    return {
        "id": scheme.pk, "name": scheme.name, "version": v.number, "version_saved_at": v.created_at,
        "version_reason": v.reason, "inputs": v.inputs, "url": scheme.get_absolute_url(),
    }  # fmt: skip


def run_out(run: AnalysisRun) -> dict[str, Any]:
    result = dict(run.result) if run.result else None
    if result is not None:
        result.pop("charts", None)  # the SVG an older result stored; the figures are all here
        result.pop("csv", None)
    return {
        "id": run.pk, "scheme_id": run.scheme_id, "version": run.version.number, "kind": run.kind,
        "params": run.params, "status": run.status, "done": run.done, "total": run.total,
        "status_url": reverse("api-1:extracare_run", args=[run.pk]), "page_url": run.get_absolute_url(),
        "error": run.error, "result": result,
    }  # fmt: skip


@router.get("/extracare/schemes", response=list[SchemeOut], summary="Extra Care schemes in your authority")
def list_schemes(request: AuthedRequest) -> Any:
    authority = current_authority(request)
    require(request, "extracare.view_scheme", authority)
    return [_out(s) for s in scheme_scope(request.user, authority)]


@router.post("/extracare/schemes", response={201: SchemeOut}, summary="Create a scheme")
def create_scheme(request: AuthedRequest, payload: SchemeIn) -> Any:
    authority = current_authority(request)
    require(request, "extracare.add_scheme", authority)
    try:
        scheme = services.create_scheme(request.user, authority, payload.name, payload.inputs, payload.reason)
    except SchemeInputError as exc:
        return _problem(exc)
    return Status(201, _out(scheme))


@router.post(
    "/extracare/schemes/from-seed", response={201: SchemeOut},
    summary="Create a scheme from the Housing LIN technical brief's 40-flat example",
)  # fmt: skip
def create_from_seed(request: AuthedRequest, payload: SeedIn) -> Any:
    authority = current_authority(request)
    require(request, "extracare.add_scheme", authority)
    try:
        scheme = services.create_from_seed(request.user, authority, payload.name)
    except SchemeInputError as exc:
        return _problem(exc)
    return Status(201, _out(scheme))


@router.get(
    "/extracare/schemes/{scheme_id}", response=SchemeOut, summary="One scheme with its current inputs"
)
def get_scheme(request: AuthedRequest, scheme_id: int) -> Any:
    return _out(_scheme(request, scheme_id))


@router.put(
    "/extracare/schemes/{scheme_id}", response={200: SchemeOut},
    summary="Save new inputs (a new version when anything changed)",
)  # fmt: skip
def put_scheme(request: AuthedRequest, scheme_id: int, payload: SchemeIn) -> Any:
    scheme = _scheme(request, scheme_id, "extracare.change_scheme")
    try:
        services.update_scheme(request.user, scheme, payload.name, payload.inputs, payload.reason)
    except SchemeInputError as exc:
        return _problem(exc)
    return _out(scheme_scope(request.user, scheme.authority_id).get(pk=scheme.pk))


@router.delete("/extracare/schemes/{scheme_id}", response={204: None}, summary="Delete a scheme")
def delete_scheme(request: AuthedRequest, scheme_id: int, payload: ReasonIn) -> Any:
    scheme = _scheme(request, scheme_id, "extracare.delete_scheme")
    services.delete_scheme(request.user, scheme, payload.reason)
    return Status(204, None)


@router.get(
    "/extracare/schemes/{scheme_id}/results", response=dict[str, Any],
    summary="Every calculator's working, costings, core charges, phasing and pooled-budget viability",
)  # fmt: skip
def results(
    request: AuthedRequest, scheme_id: int, occupied: int | None = Query(None, ge=0, le=100_000)
) -> Any:
    scheme = _scheme(request, scheme_id)
    version = scheme.current
    data = figures(load(version.inputs, scheme.name), occupied=occupied).as_dict()
    return {
        "scheme_id": scheme.pk,
        "version": version.number,
        "version_saved_at": version.created_at.isoformat(),
        **data,
    }


@router.post(
    "/extracare/schemes/{scheme_id}/runs", response={202: RunOut},
    summary="Start a simulation, floating-cover sweep or rota in the background",
)  # fmt: skip
def start_run(request: AuthedRequest, scheme_id: int, payload: RunIn) -> Any:
    scheme = _scheme(request, scheme_id, "extracare.run_analysis")
    try:
        run = services.start_run(request.user, scheme, payload.kind, payload.params)
    except SchemeInputError as exc:
        return _problem(exc, "params")
    return Status(202, run_out(run))


def _run(request: AuthedRequest, run_id: int) -> AnalysisRun:
    run = get_object_or_404(run_scope(request.user, current_authority(request)), pk=run_id)
    require(request, "extracare.view_scheme", run.scheme)
    return run


@router.get(
    "/extracare/runs/{run_id}",
    response=RunOut,
    url_name="extracare_run",
    summary="A run's status, progress and result",
)
def get_run(request: AuthedRequest, run_id: int) -> Any:
    return run_out(_run(request, run_id))


@router.get(
    "/extracare/runs/{run_id}/rota.csv", response={200: str}, summary="A finished rota as CSV",
    openapi_extra={"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
)  # fmt: skip
def rota_csv(request: AuthedRequest, run_id: int) -> Any:
    run = _run(request, run_id)
    if run.kind != RunKind.ROTA or not run.result or not run.result.get("feasible"):
        from django.http import Http404

        raise Http404("no rota")
    response = HttpResponse(run.result["csv"], content_type="text/csv; charset=utf-8")
    return download(response, f"rota-run{run.pk}.csv")
