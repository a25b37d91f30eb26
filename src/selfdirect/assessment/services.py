"""What can be done with assessments: start or resume, answer (person's or assessor's side),
submit, compare, confirm eligibility. Each change is audited; answers are checked by the
allocation engine's questionnaire rules so the page, the API and the CLI agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User
from selfdirect.people import services as people_services
from selfdirect.people.models import Person
from selfdirect.policies import engine
from selfdirect.policies.engine.eligibility import derive_band
from selfdirect.policies.engine.questionnaire import applicable_answers, normalise_answer, normalise_answers
from selfdirect.policies.services import describe_missing, policy_for, policy_in_force

from .constants import AssessmentStatus, Respondent, Side
from .models import Assessment


def _policy(assessment: Assessment) -> engine.Policy:
    return policy_for(assessment.policy_version)


def policy_of(assessment: Assessment) -> engine.Policy:
    return _policy(assessment)


def today() -> dt.date:
    """The assessment date for a new assessment (one place, so tests can fix it)."""
    return timezone.localdate()


def current_draft(person: Person) -> Assessment | None:
    return person.assessments.filter(status=AssessmentStatus.DRAFT).select_related("policy_version").first()


def waiting_for_assessor(person: Person) -> Assessment | None:
    """The person's latest self-assessment sent in and not yet gone through (eligibility unconfirmed)."""
    found = person.assessments.filter(status=AssessmentStatus.SUBMITTED)
    return found.order_by("-submitted_at", "-pk").first()


def start_assessment(actor: User | None, person: Person, on: dt.date | None = None) -> Assessment:
    """Resume the person's draft, or start one under the policy in force on ``on`` (default today)."""
    draft = current_draft(person)
    if draft is not None:
        return draft
    on = on or today()
    version = policy_in_force(person.authority_id, on)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            authority_id=person.authority_id, person=person, policy_version=version, on=on, created_by=actor,
            person_answers=answers_from_record(policy_for(version), person, on),
        )
        audit.record(
            actor=actor, authority=person.authority, action=AuditAction.CREATE, obj=assessment,
            reason=f"Assessment started under {version.label}", person_id=person.pk,
        )  # fmt: skip
    return assessment


def answers_from_record(policy: engine.Policy, person: Person, on: dt.date) -> dict[str, Any]:
    """The answers the person's record already gives (a question's ``from_record``), so they are
    filled in rather than asked; one the question would refuse (an age below its minimum) is left
    to be asked."""
    known = {"age": Decimal(person.age_on(on))} if person.date_of_birth else {}
    answers = {}
    for q in policy.questions.values():
        if q.from_record in known:
            norm, problem = normalise_answer(q, known[q.from_record])
            if not problem:
                answers[q.id] = to_stored(norm)
    return answers


def to_stored(value: Any) -> Any:
    """Canonical engine answer -> JSON (numbers as strings, never floats)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def clean_answer(policy: engine.Policy, question_id: str, value: Any, *, staff: bool = False) -> Any:
    """Check one answer; the stored form, or ServiceError naming the question (in the staff
    wording when ``staff``, the assessor's side, else in the person's)."""
    q = policy.questions.get(question_id)
    if q is None:
        raise ServiceError({question_id: [f"There is no question {question_id!r} in this questionnaire"]})
    norm, msg = normalise_answer(q, value)
    if msg:
        raise ServiceError({question_id: [problem_message(q, value, staff=staff)]})
    return to_stored(norm)


# --------------------------------------------------------------------------- messages
# The engine's messages name a question by its id, for a policy's test cases and the CLI. Pages and
# the API say the same thing as GOV.UK says it ("Your age must be 18 or more"), naming the answer
# from the question itself: the person's age, the number of what its unit counts, or for staff
# the question's staff wording. The engine decides what is acceptable; these only word it.


def answer_subject(q: Any, *, staff: bool = False) -> str:
    """What the answer is, to name it in a message: "your age", "the number of hours a week"."""
    if staff:
        return q.staff[:1].lower() + q.staff[1:] if q.staff[1:2].islower() else q.staff
    if q.from_record == "age":
        return "your age"
    if q.unit:
        return f"the number of {q.unit}"
    return "your answer"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _for(q: Any, staff: bool) -> str:
    """On the person's page the question is the heading above the message; staff see a whole form."""
    return f" for “{q.staff}”" if staff else ""


def _figure(value: Decimal) -> str:
    return f"{value.normalize():,f}"


def blank_message(q: Any, *, staff: bool = False) -> str:
    """What to say when a question that needs an answer was left blank."""
    if q.type == "yes_no":
        return f"Select yes or no{_for(q, staff)}"
    if q.type == "single_choice":
        return f"Select an answer{_for(q, staff)}"
    if q.type == "multiple_choice":
        return f"Select at least one answer{_for(q, staff)}"
    return f"Enter {answer_subject(q, staff=staff)}"


def problem_message(q: Any, value: Any, *, staff: bool = False) -> str:
    """Why the engine refused ``value`` for ``q``, as a GOV.UK error message naming the answer."""
    if value is None or value == "" or value == []:
        return blank_message(q, staff=staff)
    subject = answer_subject(q, staff=staff)
    if q.type == "yes_no":
        return f"Select yes or no{_for(q, staff)}"
    if q.type == "single_choice":
        return f"Select one of the answers listed{_for(q, staff)}"
    if q.type == "multiple_choice":
        return f"Select only the answers listed{_for(q, staff)}"
    if q.type == "number":
        try:
            num = Decimal(str(value)) if not isinstance(value, bool) else Decimal("NaN")
        except (InvalidOperation, TypeError, ValueError):
            num = Decimal("NaN")
        if not num.is_finite():
            return _sentence(f"{subject} must be a number")
        if num != num.quantize(Decimal(1).scaleb(-q.decimals)):
            if not q.decimals:
                return _sentence(f"{subject} must be a whole number")
            places = f"{q.decimals} decimal place{'s' if q.decimals != 1 else ''}"
            return _sentence(f"{subject} can have up to {places}")
        if q.min is not None and num < q.min:
            return _sentence(f"{subject} must be {_figure(q.min)} or more")
        if q.max is not None and num > q.max:
            return _sentence(f"{subject} must be {_figure(q.max)} or less")
        return _sentence(f"{subject} must be a number")
    if not isinstance(value, str):
        return _sentence(f"{subject} must be written as text")
    return _sentence(f"{subject} must be {q.max_length:,} characters or less")


_BLANK = object()


def save_answers(
    actor: User | None,
    assessment: Assessment,
    answers: dict[str, Any],
    *,
    side: str = Side.PERSON,
    respondent: str | None = None,
) -> Assessment:
    """Record answers on one side; every bad answer is refused together and nothing is written."""
    policy = _policy(assessment)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for qid, value in answers.items():
        if value is None or value == "":
            q = policy.questions.get(qid)
            if q is None:
                errors[qid] = [f"There is no question {qid!r} in this questionnaire"]
            # An optional question left blank is answered "nothing" (kept, so it is not asked again);
            # a required one left blank is simply unanswered.
            cleaned[qid] = _BLANK if (q is not None and not q.required and value == "") else None
            continue
        try:
            cleaned[qid] = clean_answer(policy, qid, value, staff=side == Side.ASSESSOR)
        except ServiceError as exc:
            errors.update(exc.errors)
    if respondent is not None and respondent not in Respondent.values:
        errors["respondent"] = [f"Choose one of {', '.join(Respondent.values)}"]
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.status != AssessmentStatus.DRAFT and side == Side.PERSON:
            raise ServiceError("This self-assessment has been sent; the assessor records any changes")
        field = "assessor_answers" if side == Side.ASSESSOR else "person_answers"
        store: dict[str, Any] = dict(getattr(assessment, field))
        before = {k: store.get(k) for k in cleaned}
        for qid, value in cleaned.items():
            if value is None:
                store.pop(qid, None)
            else:
                store[qid] = None if value is _BLANK else value
        cleaned = {k: (None if v is _BLANK else v) for k, v in cleaned.items()}
        setattr(assessment, field, store)
        if side == Side.PERSON:
            assessment.answered_by = actor
            if respondent:
                assessment.respondent = respondent
        assessment.save()
        changes = {f"{side}.{k}": [before[k], cleaned[k]] for k in cleaned if before[k] != cleaned[k]}
        if changes:
            audit.record(
                actor=actor, authority=assessment.person.authority, action=AuditAction.CHANGE, obj=assessment,
                reason=f"Answers recorded ({Side(side).label.lower()})", changes=changes,
                person_id=assessment.person_id,
            )  # fmt: skip
    return assessment


def missing(assessment: Assessment, side: str = Side.PERSON) -> list[engine.MissingAnswer]:
    policy = _policy(assessment)
    answers = assessment.person_answers if side == Side.PERSON else assessment.combined_answers
    return engine.missing_answers(policy, answers)


def send(actor: User | None, assessment: Assessment) -> Assessment:
    """The person's "send": the assessment must be complete; it is marked submitted, with the band
    its answers give, once (sending it again changes nothing). What it produces, the indicative
    budget, is allocation's: allocation.services.submit_assessment calls this in its transaction."""
    policy = _policy(assessment)
    gaps = engine.missing_answers(policy, assessment.person_answers)
    if gaps:
        raise ServiceError({"answers": ["Still to answer: " + "; ".join(describe_missing(gaps, policy))]})
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update().select_related("policy_version").get(pk=assessment.pk)
        )
        if assessment.status == AssessmentStatus.DRAFT:
            derived = engine.determine_eligibility(policy, assessment.combined_answers)
            assessment.status = AssessmentStatus.SUBMITTED
            assessment.submitted_at = timezone.now()
            assessment.derived_band = derived.derived_band
            assessment.save()
            audit.record(
                actor=actor, authority=assessment.person.authority, action=AuditAction.CHANGE, obj=assessment,
                reason="Self-assessment submitted", changes={"status": ["draft", "submitted"]},
                person_id=assessment.person_id,
            )  # fmt: skip
    return assessment


@dataclass(frozen=True)
class ComparisonRow:
    question_id: str
    domain: str
    person_wording: str
    staff_wording: str
    tags: tuple[str, ...]
    person_answer: str
    assessor_answer: str
    differs: bool
    trigger: bool


def display_answer(q: Any, value: Any) -> str:
    """An answer as words (option labels, yes/no), for check-answers and comparison pages."""
    if value is None or value == "" or value == []:
        return ""
    if q.type == "yes_no":
        return "Yes" if value in (True, "yes") else "No"
    labels = {o.value: o.label for o in q.options}
    if q.type == "single_choice":
        return str(labels.get(value, value))
    if q.type == "multiple_choice":
        return ", ".join(str(labels.get(v, v)) for v in value) or "None of these"
    if q.type == "number":
        return with_unit(q, value)
    return str(value)


def with_unit(q: Any, value: Any) -> str:
    """A number answer with what it counts: "3 hours a week", "1 night a year", "75 years"."""
    try:
        num = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not num.is_finite():
        return str(value)
    shown = _figure(num)
    if not q.unit:
        return shown
    first, _, rest = q.unit.partition(" ")
    if num == 1 and first.endswith("s"):
        first = first[:-1]
    return " ".join(x for x in (shown, first, rest) if x)


def comparison(assessment: Assessment) -> list[ComparisonRow]:
    """Every question that applies to either side's answers, both answers, and whether they differ."""
    policy = _policy(assessment)
    shown = {q.id for q in engine.applicable_questions(policy, assessment.person_answers)}
    shown |= {q.id for q in engine.applicable_questions(policy, assessment.combined_answers)}
    rows = []
    for d in policy.model.questionnaire.domains:
        for q in [*d.triggers, *d.questions]:
            if q.id not in shown:
                continue
            mine = assessment.person_answers.get(q.id)
            theirs = assessment.assessor_answers.get(q.id)
            rows.append(
                ComparisonRow(
                    q.id,
                    d.title,
                    q.person,
                    q.staff,
                    tuple(q.tags),
                    display_answer(q, mine),
                    display_answer(q, theirs),
                    theirs is not None and theirs != mine,
                    q in d.triggers,
                )  # fmt: skip
            )
    return rows


# What the audit record says when the assessor confirms the band the answers give without typing why.
CONFIRMED_AS_DERIVED = "Confirmed the band the answers give"


def confirm_eligibility(
    actor: User | None, assessment: Assessment, band: str, reason: str | None = None
) -> Assessment:
    """The assessor confirms (or sets) the FACS band; the person's record follows.

    A reason is needed only for a band other than the one the answers give; confirming that band
    without one records :data:`CONFIRMED_AS_DERIVED`, so the history always says why."""
    if band not in engine.FACS_BANDS:
        raise ServiceError({"band": [f"Choose one of {', '.join(engine.FACS_BANDS)}"]})
    reason = (reason or "").strip()
    policy = _policy(assessment)
    gaps = engine.missing_answers(policy, assessment.combined_answers)
    if gaps:
        raise ServiceError({"answers": ["Still to answer: " + "; ".join(describe_missing(gaps, policy))]})
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        derived = engine.determine_eligibility(policy, assessment.combined_answers)
        if not reason:
            if band != derived.derived_band:
                raise ServiceError(
                    {"reason": [f"Enter why you chose the {band} band when the answers give {derived.derived_band}"]}
                )
            reason = CONFIRMED_AS_DERIVED
        before = audit.snapshot(assessment, ["status", "band", "band_reason"])
        assessment.derived_band = derived.derived_band
        assessment.band = band
        assessment.band_reason = reason
        assessment.status = AssessmentStatus.CONFIRMED
        assessment.submitted_at = assessment.submitted_at or timezone.now()
        assessment.confirmed_by = actor
        assessment.confirmed_at = timezone.now()
        assessment.save()
        audit.record(
            actor=actor, authority=assessment.person.authority, action=AuditAction.CHANGE, obj=assessment,
            reason=reason,
            changes=audit.diff(before, audit.snapshot(assessment, ["status", "band", "band_reason"])),
            person_id=assessment.person_id,
        )  # fmt: skip
        people_services.update_person(actor, assessment.person, {"facs_band": band}, f"Eligibility confirmed: {reason}")
    return assessment


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def _and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def derived_eligibility(assessment: Assessment) -> tuple[str, str] | None:
    """The band the combined answers give, and one sentence for staff saying which of the policy's
    rules gave it and which bands the council funds: "The answers meet the critical band (the first
    of the policy's eligibility rules). Northshire Council funds the critical and substantial
    bands." None while an answer is one the questionnaire refuses."""
    policy = _policy(assessment)
    try:
        answers = applicable_answers(policy, normalise_answers(policy, assessment.combined_answers))
    except engine.AnswerError:
        return None
    band, rule = derive_band(policy, answers)
    if rule is None:
        why = f"None of the policy's eligibility rules matches the answers, so they give its default band, {band}."
    else:
        nth = _ORDINALS[rule] if rule < len(_ORDINALS) else f"number {rule + 1}"
        why = f"The answers meet the {band} band (the {nth} of the policy's eligibility rules)."
    funded: list[str] = list(policy.model.eligibility.funded_bands)
    funds = f"{assessment.authority.name} funds the {_and_list(funded)} band{'s' if len(funded) > 1 else ''}"
    if band not in funded:
        funds += ", so this band is not funded"
    return band, f"{why} {funds}."
