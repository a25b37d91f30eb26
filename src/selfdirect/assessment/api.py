"""The assessment API: start or resume, answer (person's or assessor's side), submit, confirm
eligibility. Bad answers answer 422 naming the question; records not visible answer 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from selfdirect.core.api_schema import Input, Reason
from selfdirect.core.http import AuthedRequest
from selfdirect.people.access import people_scope

from . import services
from .access import visible_assessment
from .constants import AssessmentStatus, Respondent, Side
from .models import Assessment

router = Router(tags=["assessment"])


class MissingOut(Schema):
    question_id: str
    domain: str
    person: str


class AssessmentOut(Schema):
    id: int
    person_id: int
    policy_version: str
    on: dt.date
    status: AssessmentStatus
    respondent: Respondent
    person_answers: dict[str, Any]
    assessor_answers: dict[str, Any] | None = Field(None, description="Staff only")
    derived_band: str
    band: str
    band_reason: str | None = Field(None, description="Staff only")
    missing: list[MissingOut]


class StartIn(Input):
    on: dt.date | None = Field(
        None, description="Assessment date (default today); the policy in force applies"
    )


class AnswersIn(Input):
    side: Side = Side.PERSON
    respondent: Respondent | None = None
    answers: dict[str, Any]


class EligibilityIn(Input):
    band: str
    reason: Reason | None = Field(
        None, description="Why: needed only for a band other than the one the answers give"
    )


def _assessment(request: AuthedRequest, pk: int) -> Assessment:
    return visible_assessment(request.user, request.authority, pk)


def _out(request: AuthedRequest, a: Assessment) -> dict[str, Any]:
    staff = request.user.has_perm("assessment.record_assessor_answers", a.person)
    return {
        "id": a.pk, "person_id": a.person_id, "policy_version": a.policy_version.version_id, "on": a.on,
        "status": a.status, "respondent": a.respondent, "person_answers": a.person_answers,
        "assessor_answers": a.assessor_answers if staff else None, "derived_band": a.derived_band,
        "band": a.band, "band_reason": a.band_reason if staff else None,
        "missing": [
            {"question_id": m.question_id, "domain": m.domain, "person": m.person}
            for m in services.missing(a, Side.ASSESSOR if staff else Side.PERSON)
        ],
    }  # fmt: skip


@router.post(
    "/people/{person_id}/assessments",
    response={201: AssessmentOut},
    summary="Start (or resume) an assessment",
)
def start(request: AuthedRequest, person_id: int, payload: StartIn) -> Any:
    person = get_object_or_404(people_scope(request.user, request.authority), pk=person_id)
    if not request.user.has_perm("assessment.complete_self_assessment", person):
        raise PermissionDenied("assessment")
    return Status(201, _out(request, services.start_assessment(request.user, person, payload.on)))


@router.get("/assessments/{assessment_id}", response=AssessmentOut, summary="An assessment's answers")
def get(request: AuthedRequest, assessment_id: int) -> Any:
    a = _assessment(request, assessment_id)
    if not request.user.has_perm("assessment.view_answers", a.person):
        raise PermissionDenied("answers")
    return _out(request, a)


@router.patch(
    "/assessments/{assessment_id}/answers", response=AssessmentOut, summary="Record answers (null clears one)"
)
def answer(request: AuthedRequest, assessment_id: int, payload: AnswersIn) -> Any:
    a = _assessment(request, assessment_id)
    perm = (
        "assessment.record_assessor_answers"
        if payload.side == Side.ASSESSOR
        else "assessment.complete_self_assessment"
    )
    if not request.user.has_perm(perm, a.person):
        raise PermissionDenied(perm)
    a = services.save_answers(
        request.user, a, payload.answers, side=payload.side, respondent=payload.respondent
    )
    return _out(request, a)


@router.post(
    "/assessments/{assessment_id}/eligibility",
    response=AssessmentOut,
    summary="Confirm the FACS band (with a reason when it differs from the answers)",
)
def confirm(request: AuthedRequest, assessment_id: int, payload: EligibilityIn) -> Any:
    a = _assessment(request, assessment_id)
    if not request.user.has_perm("assessment.confirm_eligibility", a.person):
        raise PermissionDenied("eligibility")
    return _out(request, services.confirm_eligibility(request.user, a, payload.band, payload.reason))
