"""The allocation API: indicative budgets (structured explanation), policies, what-ifs.

Handlers are thin: records are found through people_scope (404 when not visible), the rules
permission is checked (403) and the same services as the pages do the work."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from selfdirect.assessment.access import assessment_scope, visible_assessment
from selfdirect.assessment.constants import AssessmentStatus
from selfdirect.core.api_schema import Id, Input
from selfdirect.core.errors import ServiceError
from selfdirect.core.http import AuthedRequest
from selfdirect.core.models import Authority
from selfdirect.people.access import people_scope
from selfdirect.people.models import Person
from selfdirect.policies import services as policy_services
from selfdirect.policies.access import policy_version_scope

from . import services
from .access import allocation_scope, what_if_scope
from .constants import AllocationSource, PopulationKind
from .models import Allocation

router = Router(tags=["allocation"])


class StreamOut(Schema):
    stream: str
    title: str
    annual_pence: int
    weekly_pence: int
    method: str


class ExplanationLineOut(Schema):
    stream: str
    step: str
    person_text: str
    staff_text: str | None = Field(None, description="The full derivation; staff only")
    amount_pence: int
    policy_version: str
    rates: dict[str, str]


class AllocationOut(Schema):
    id: int
    person_id: int
    assessment_id: int | None = Field(None, description="Hidden from finance, who do not see answers")
    policy_version: str
    policy_hash: str
    on: dt.date
    source: AllocationSource
    indicative: bool = Field(True, description="Always true: a starting point, not the final budget")
    band: str
    route: str
    total_annual_pence: int
    total_weekly_pence: int
    streams: list[StreamOut]
    rates_used: dict[str, str]
    person_text: str | None = None
    staff_text: str | None = None
    lines: list[ExplanationLineOut] | None = Field(None, description="Line-by-line explanation (not for finance)")
    created_at: dt.datetime
    created_by: str | None


class AllocateIn(Input):
    assessment_id: Id | None = Field(None, description="Default: the person's latest sent assessment")
    reason: str = Field("", max_length=500)


def _person(request: AuthedRequest, pk: int) -> Person:
    return get_object_or_404(people_scope(request.user, request.authority), pk=pk)


def _level(request: AuthedRequest, person: Person) -> str:
    user = request.user
    if user.has_perm("allocation.view_derivation", person):
        return "staff"
    if user.has_perm("allocation.view_budget", person):
        return "person"
    if user.has_perm("allocation.view_money", person):
        return "money"
    raise PermissionDenied("allocation")


def allocation_out(a: Allocation, level: str) -> dict[str, Any]:
    data = a.explanation
    elig = data.get("eligibility", {})
    out: dict[str, Any] = {
        "id": a.pk, "person_id": a.person_id, "assessment_id": a.assessment_id if level != "money" else None,
        "policy_version": a.policy_version.version_id, "policy_hash": a.policy_version.content_hash,
        "on": a.on, "source": a.source, "indicative": True, "band": a.band, "route": a.route,
        "total_annual_pence": a.total_annual_pence, "total_weekly_pence": a.total_weekly_pence,
        "streams": [
            {"stream": s.stream, "title": s.title, "annual_pence": s.annual_pence,
             "weekly_pence": s.weekly_pence, "method": s.method}
            for s in a.streams.all()
        ],
        "rates_used": a.rates_used, "created_at": a.created_at,
        "created_by": str(a.created_by) if a.created_by_id else None,
    }  # fmt: skip
    if level != "money":
        out["person_text"] = elig.get("person_text")
        out["lines"] = [
            {**{k: ln[k] for k in ("stream", "step", "person_text", "amount_pence", "policy_version", "rates")},
             "staff_text": ln["staff_text"] if level == "staff" else None}
            for ln in data.get("lines", [])
        ]  # fmt: skip
    if level == "staff":
        out["staff_text"] = elig.get("staff_text")
    return out


@router.post(
    "/people/{person_id}/allocations",
    response={201: AllocationOut},
    summary="Work out and store an indicative budget from an assessment",
)
def create_allocation(request: AuthedRequest, person_id: int, payload: AllocateIn) -> Any:
    person = _person(request, person_id)
    if not request.user.has_perm("allocation.allocate", person):
        raise PermissionDenied("allocate")
    assessments = assessment_scope(request.user, request.authority).filter(person=person).select_related(
        "policy_version", "confirmed_by", "authority"
    )
    if payload.assessment_id is not None:
        assessment = get_object_or_404(assessments, pk=payload.assessment_id)
    else:
        found = assessments.exclude(status=AssessmentStatus.DRAFT).first() or assessments.first()
        if found is None:
            raise ServiceError({"assessment_id": ["This person has no assessment yet"]})
        assessment = found
    allocation = services.allocate_assessment(
        request.user, assessment, reason=payload.reason or "Allocated through the API"
    )
    return Status(201, allocation_out(allocation, "staff"))


@router.get(
    "/people/{person_id}/allocations",
    response=list[AllocationOut],
    summary="A person's indicative budgets, newest first",
)
def list_allocations(request: AuthedRequest, person_id: int) -> Any:
    person = _person(request, person_id)
    level = _level(request, person)
    qs = person.allocations.select_related("policy_version", "created_by").prefetch_related("streams")[:50]
    return [allocation_out(a, level) for a in qs]


@router.get(
    "/allocations/{allocation_id}",
    response=AllocationOut,
    summary="One indicative budget with its explanation",
)
def get_allocation(request: AuthedRequest, allocation_id: int) -> Any:
    visible = allocation_scope(request.user, request.authority).select_related(
        "person", "policy_version", "created_by"
    )
    a = get_object_or_404(visible, pk=allocation_id)
    return allocation_out(a, _level(request, a.person))


@router.post(
    "/assessments/{assessment_id}/submit",
    response={201: AllocationOut},
    summary="Send the self-assessment; returns the indicative budget",
    tags=["assessment"],
    operation_id="selfdirect_assessment_api_submit",
)
def submit_assessment(request: AuthedRequest, assessment_id: int) -> Any:
    a = visible_assessment(request.user, request.authority, assessment_id)
    if not request.user.has_perm("assessment.complete_self_assessment", a.person):
        raise PermissionDenied("submit")
    allocation = services.submit_assessment(request.user, a)
    return Status(201, allocation_out(allocation, _level(request, a.person)))


# --------------------------------------------------------------------------- policies


class PolicyProblemOut(Schema):
    file: str
    line: int
    path: str
    message: str


class PolicyIn(Input):
    yaml: str = Field(..., min_length=1, max_length=512 * 1024)
    filename: str = Field("policy.yaml", max_length=200)


class ValidationOut(Schema):
    valid: bool
    version_id: str | None
    errors: list[PolicyProblemOut]


class PolicyOut(Schema):
    id: int
    policy_id: str
    version_id: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None
    content_hash: str
    status: str
    published_at: dt.datetime | None


def _authority(request: AuthedRequest, perm: str) -> Authority:
    authority = request.authority
    if authority is None or not request.user.has_perm(perm, authority):
        raise PermissionDenied(perm)
    return authority


@router.post(
    "/policies/validate", response=ValidationOut, summary="Check a policy; every problem with its line"
)
def validate_policy(request: AuthedRequest, payload: PolicyIn) -> Any:
    _authority(request, "allocation.view_policies")
    policy, problems = policy_services.check_policy(payload.yaml, payload.filename)
    return {
        "valid": policy is not None,
        "version_id": policy.version_id if policy else None,
        "errors": [vars(p) for p in problems],
    }


@router.get("/policies", response=list[PolicyOut], summary="This authority's policy versions")
def list_policies(request: AuthedRequest) -> Any:
    authority = _authority(request, "allocation.view_policies")
    return list(policy_version_scope(request.user, authority))


@router.post(
    "/policies", response={201: PolicyOut}, summary="Upload a policy as a draft (refused with every problem)"
)
def upload_policy(request: AuthedRequest, payload: PolicyIn) -> Any:
    authority = _authority(request, "allocation.manage_policies")
    return Status(201, policy_services.upload_policy(request.user, authority, payload.yaml, payload.filename))


class PublishIn(Input):
    reason: str = Field("", max_length=500)


@router.post("/policies/{policy_pk}/publish", response=PolicyOut, summary="Publish (freeze) a draft version")
def publish_policy(request: AuthedRequest, policy_pk: int, payload: PublishIn) -> Any:
    authority = _authority(request, "allocation.manage_policies")
    version = get_object_or_404(policy_version_scope(request.user, authority), pk=policy_pk)
    return policy_services.publish_policy(request.user, version, payload.reason)


# --------------------------------------------------------------------------- pot sizing


class PotSizingOut(Schema):
    stream: str
    rate_id: str = Field(description="The rate the price per point would replace")
    pot_pence: int
    people_total: int = Field(description="Current assessments read (each person's latest submitted one)")
    people_scored: int = Field(
        description="People the points method funds for this stream: their points count"
    )
    total_points: str = Field(description="Their total points (a decimal, as text)")
    period: str = Field(description="The price is per point per year or per week")
    weeks: int
    price_per_point_pence: str = Field(
        description="pot / (total points x weeks), rounded down to 1/10,000 of a penny (a decimal, as text)"
    )
    projected_spend_pence: int = Field(
        description="The stream's cost at that price after adjustments, rounding and limits"
    )
    current_price_pence: str
    current_spend_pence: int


@router.get(
    "/policies/{policy_pk}/price-per-point",
    response=PotSizingOut,
    summary="Size the pot: the price per point that spends the money available over current assessments",
)
def price_per_point(
    request: AuthedRequest, policy_pk: int, stream: str, pot_pence: int = Query(..., ge=0, le=10**12)
) -> Any:
    authority = _authority(request, "allocation.size_pot")
    version = get_object_or_404(policy_version_scope(request.user, authority), pk=policy_pk)
    return services.size_pot(version, stream, pot_pence).to_dict()


# --------------------------------------------------------------------------- what-if


class WhatIfIn(Input):
    base_id: Id
    proposed_id: Id
    population: PopulationKind = PopulationKind.CURRENT
    synthetic_size: int = Field(0, ge=0, le=200_000)


class WhatIfOut(Schema):
    id: int
    status: str
    progress: int
    steps: int
    stage: str
    error: str
    result: dict[str, Any] | None


@router.post("/what-ifs", response={202: WhatIfOut}, summary="Queue a what-if over the population")
def start_what_if(request: AuthedRequest, payload: WhatIfIn) -> Any:
    authority = _authority(request, "allocation.run_what_if")
    versions = policy_version_scope(request.user, authority)
    base = get_object_or_404(versions, pk=payload.base_id)
    proposed = get_object_or_404(versions, pk=payload.proposed_id)
    run = services.start_what_if(
        request.user, authority, base, proposed, payload.population, payload.synthetic_size
    )
    run.refresh_from_db()
    return Status(202, run)


@router.get("/what-ifs/{run_id}", response=WhatIfOut, summary="A what-if's progress, then its result")
def get_what_if(request: AuthedRequest, run_id: int) -> Any:
    authority = _authority(request, "allocation.run_what_if")
    return get_object_or_404(what_if_scope(request.user, authority), pk=run_id)
