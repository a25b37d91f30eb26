"""What can be done with allocations: work out and store indicative budgets, what-ifs, pot sizing
and recalculation under a policy version (the versions themselves: selfdirect.policies.services).
Views, the API and the CLI call these; each change is written in one transaction with its audit
event."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from selfdirect.assessment import services as assessment_services
from selfdirect.assessment.constants import AssessmentStatus
from selfdirect.assessment.models import Assessment
from selfdirect.core import audit, runs
from selfdirect.core.constants import AuditAction
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User
from selfdirect.core.money import MAX_PENCE, format_pence
from selfdirect.people.models import Person
from selfdirect.policies import engine
from selfdirect.policies.models import PolicyVersion
from selfdirect.policies.services import describe_missing, policy_for

# Policy versions moved to selfdirect.policies (issue 18.1); the apps above (plans, reporting, ledger)
# still reach these through here until they import selfdirect.policies.services themselves.
from selfdirect.policies.services import newest_first as newest_first
from selfdirect.policies.services import policy_in_force as policy_in_force
from selfdirect.policies.services import publish_file as publish_file
from selfdirect.policies.services import version_in_force as version_in_force

from .constants import AllocationSource, PopulationKind
from .models import Allocation, AllocationStream, WhatIfRun

# --------------------------------------------------------------------------- allocation


def run_engine(policy: engine.Policy, assessment: Assessment, on: dt.date) -> engine.Allocation:
    """Run the engine on an assessment's answers (the assessor's laid over the person's)."""
    answers = assessment.combined_answers
    override = None
    if assessment.band and assessment.derived_band and assessment.band != assessment.derived_band:
        who = assessment.confirmed_by.get_full_name() if assessment.confirmed_by else ""
        override = engine.AssessorDecision(
            assessment.band, assessment.band_reason or "assessor's decision", who
        )
    try:
        return engine.allocate(policy, answers, on=on, override=override)
    except engine.AssessmentIncomplete as exc:
        raise ServiceError(
            {
                "answers": [
                    "The assessment is not complete. Still to answer: "
                    + "; ".join(describe_missing(exc.missing, policy))
                ]
            }
        ) from None
    except engine.AnswerError as exc:
        raise ServiceError({p.question_id: [p.message] for p in exc.problems}) from None
    except ValueError as exc:
        raise ServiceError({"on": [str(exc)]}) from None


def save_allocation(
    actor: User | None,
    assessment: Assessment,
    result: engine.Allocation,
    version: PolicyVersion,
    source: str,
    reason: str,
) -> Allocation:
    """Store an engine result with its streams, explanation and rates, and audit it."""
    with transaction.atomic():
        allocation = Allocation.objects.create(
            authority_id=assessment.authority_id, person_id=assessment.person_id, assessment=assessment,
            policy_version=version, on=result.on, source=source, band=result.eligibility.band,
            route=result.eligibility.route, total_annual_pence=result.total_annual_pence,
            total_weekly_pence=result.total_weekly_pence, explanation=result.to_dict(),
            rates_used=dict(result.rates_used), reason=reason[:500], created_by=actor,
        )  # fmt: skip
        AllocationStream.objects.bulk_create(
            AllocationStream(
                allocation=allocation,
                stream=key,
                title=s.title,
                annual_pence=s.annual_pence,
                weekly_pence=s.weekly_pence,
                method=s.method or "",
            )  # fmt: skip
            for key, s in result.streams.items()
        )
        audit.record(
            actor=actor, authority=assessment.authority, action=AuditAction.ALLOCATE, obj=allocation,
            reason=reason or "Indicative budget worked out",
            changes={"total_annual_pence": [None, result.total_annual_pence],
                     "policy_version": [None, result.policy_version]},
            person_id=assessment.person_id,
        )  # fmt: skip
    return allocation


def allocate_assessment(
    actor: User | None,
    assessment: Assessment,
    *,
    source: str = AllocationSource.ASSESSOR,
    reason: str = "",
    on: dt.date | None = None,
) -> Allocation:
    """Work out and store the indicative budget for an assessment under its policy version.

    Refused (ServiceError) while the assessment is incomplete: the message lists what is missing.
    """
    version = assessment.policy_version
    policy = policy_for(version)
    result = run_engine(policy, assessment, on or assessment.on)
    return save_allocation(
        actor, assessment, result, version, source, reason or "Indicative budget worked out"
    )


def latest_allocation(person: Person) -> Allocation | None:
    return person.allocations.select_related("policy_version").prefetch_related("streams").first()


# --------------------------------------------------------------------------- populations


@dataclass(frozen=True)
class PopulationData:
    answers: list[dict[str, Any]]
    client_group: list[str]
    age_band: list[str]
    person_ids: list[int | None]


def current_population(authority: Authority | int, on: dt.date) -> PopulationData:
    """Everyone's latest submitted assessment in the authority, with their reporting groups."""
    latest: dict[int, Assessment] = {}
    qs = (
        Assessment.objects.filter(authority=authority)
        .exclude(status=AssessmentStatus.DRAFT)
        .select_related("person")
        .order_by("person_id", "-on", "-pk")
    )
    for a in qs:
        latest.setdefault(a.person_id, a)
    rows = list(latest.values())
    return PopulationData(
        [a.combined_answers for a in rows],
        [a.person.get_client_group_display() for a in rows],
        engine.age_bands([a.person.age_on(on) for a in rows]),
        [a.person_id for a in rows],
    )


def synthetic_population(policy: engine.Policy, size: int, seed: int = 2026) -> PopulationData:
    """A made-up, reproducible population answering ``policy``'s questionnaire (for the demo)."""
    rng = random.Random(seed)
    answers: list[dict[str, Any]] = []
    for _ in range(size):
        answers.append(synthetic_answers(policy, rng))
    groups = [str(a.get("client_group", "unknown")) for a in answers]
    ages = [a.get("age") for a in answers]
    return PopulationData(
        answers, groups, engine.age_bands([int(x) if x else None for x in ages]), [None] * size
    )


def synthetic_answers(
    policy: engine.Policy, rng: random.Random, trigger_chance: float = 0.35
) -> dict[str, Any]:
    """One complete, valid set of answers: triggers at random, then every open question."""
    out: dict[str, Any] = {}
    for domain in policy.model.questionnaire.domains:
        opened = not domain.triggers
        for t in domain.triggers:
            out[t.id] = rng.random() < trigger_chance
            opened = opened or out[t.id]
        if opened:
            for q in domain.questions:
                value = _random_answer(q, rng)
                if value is not None:
                    out[q.id] = value
    return out


def _random_answer(q: Any, rng: random.Random) -> Any:
    if q.type == "yes_no":
        return rng.random() < 0.5
    if q.type == "single_choice":
        return rng.choice(q.options).value
    if q.type == "multiple_choice":
        return [o.value for o in q.options if rng.random() < 0.4]
    if q.type == "number":
        if not q.required and rng.random() < 0.7:
            return None
        lo = int(q.min if q.min is not None else 0)
        hi = int(q.max if q.max is not None else lo + 40)
        if q.id == "age" or "age" in q.id.split("_"):
            lo, hi = max(lo, 18), min(hi, 100)
        return str(rng.randint(lo, min(hi, lo + 60)))
    return "" if not q.required else "Made-up answer"


def submit_assessment(actor: User | None, assessment: Assessment) -> Allocation:
    """The person sends their self-assessment: it is marked submitted (assessment.services.send) and
    its indicative budget worked out and stored, in one transaction. Sending it again returns the
    budget it already has."""
    if assessment.status != AssessmentStatus.DRAFT:
        done = assessment.allocations.first()
        if done is not None:
            return done
    with transaction.atomic():
        sent = assessment_services.send(actor, assessment)
        return allocate_assessment(
            actor, sent, source=AllocationSource.SELF_ASSESSMENT,
            reason="Indicative budget from the self-assessment",
        )  # fmt: skip


# --------------------------------------------------------------------------- what-if


WHAT_IF_TASK = "selfdirect.allocation.tasks.what_if_task"


def start_what_if(
    actor: User | None,
    authority: Authority,
    base: PolicyVersion,
    proposed: PolicyVersion,
    population: str = PopulationKind.CURRENT,
    synthetic_size: int = 0,
    *,
    to_worker: bool = True,
) -> WhatIfRun:
    """Record a what-if run; the page and the API hand it to the task worker once it commits
    (``to_worker``), the CLI works it out in line with :func:`execute_what_if`."""
    if base.authority_id != authority.pk or proposed.authority_id != authority.pk:
        raise ServiceError({"base": ["Choose versions of this authority's policy"]})
    if population == PopulationKind.SYNTHETIC and not 1 <= synthetic_size <= 200_000:
        raise ServiceError({"synthetic_size": ["Enter a size between 1 and 200,000"]})
    with transaction.atomic():
        run = WhatIfRun.objects.create(
            authority=authority, base=base, proposed=proposed, population=population,
            synthetic_size=synthetic_size if population == PopulationKind.SYNTHETIC else 0, created_by=actor,
        )  # fmt: skip
        audit.record(
            actor=actor, authority=authority, action=AuditAction.CREATE, obj=run,
            reason=f"What-if {base.version_id} -> {proposed.version_id} ({population})",
        )  # fmt: skip
        if to_worker:
            runs.enqueue(run, WHAT_IF_TASK)
    return run


def execute_what_if(run: WhatIfRun, progress: Callable[[int, str], None] | None = None) -> dict[str, Any]:
    """Do the work of a what-if run, saving progress after each step; returns the result."""

    def step(n: int, stage: str) -> None:
        runs.progress(WhatIfRun, run.pk, n, stage=stage)
        if progress:
            progress(n, stage)

    runs.start(WhatIfRun, run.pk)
    try:
        base, proposed = policy_for(run.base), policy_for(run.proposed)
        step(0, "Reading the population")
        if run.population == PopulationKind.SYNTHETIC:
            data = synthetic_population(base, run.synthetic_size)
        else:
            data = current_population(run.authority_id, proposed.effective_from)
        step(1, f"Encoding {len(data.answers)} people's answers")
        pop = engine.Population.from_answers(
            data.answers,
            [base, proposed],
            groups={"client_group": data.client_group, "age_band": data.age_band},
        )
        step(2, "Running both policy versions over everyone")
        result = engine.what_if(base, proposed, pop)
        step(3, "Sizing the price per point")
        result["pot"] = pot_sizing_for(proposed, pop)
        result["population"] = run.population
    except Exception as exc:  # a failed run says why on its status page, not in a log only
        runs.fail(WhatIfRun, run.pk, str(exc))
        raise
    runs.finish(WhatIfRun, run.pk, progress=run.steps, stage="Finished", result=result)
    if progress:
        progress(run.steps, "Finished")
    return result


def pot_sizing_for(policy: engine.Policy, pop: engine.Population) -> list[dict[str, Any]]:
    """For each stream priced by points: the price per point that spends the current projected total."""
    out = []
    current = engine.compute_population(policy, pop)
    for name in policy.model.streams:
        if engine.sizing_method(policy, name) is None:
            continue
        pot = int(current.streams[name].sum())
        if pot <= 0:
            continue
        try:
            out.append(engine.size_price_per_point(policy, pop, name, pot, current).to_dict())
        except ValueError:  # nobody the points method funds scores any points
            continue
    return out


def size_pot(
    version: PolicyVersion, stream: str, pot_pence: int, on: dt.date | None = None
) -> engine.PotSizing:
    """The price per point that spends ``pot_pence`` on ``stream`` over the current assessments.

    Read only (nothing is saved). Every refusal names its field: ``stream``, ``pot_pence`` or,
    when there is nothing to share the money between, ``assessments``.
    """
    policy = policy_for(version)
    streams = policy.model.streams
    if stream not in streams:
        raise ServiceError(
            {"stream": [f"{stream!r} is not a funding stream of {version.label}: "
                        f"choose one of {', '.join(streams)}"]}
        )  # fmt: skip
    title = streams[stream].title
    if engine.sizing_method(policy, stream) is None:
        raise ServiceError(
            {
                "stream": [
                    f"{title} is not paid by points in {version.label}, so it has no price per point"
                ]
            }
        )
    if pot_pence <= 0:
        raise ServiceError({"pot_pence": ["The money available must be more than £0"]})
    if pot_pence > MAX_PENCE:
        raise ServiceError({"pot_pence": [f"The money available must be at most {format_pence(MAX_PENCE)}"]})
    data = current_population(version.authority_id, on or version.effective_from)
    if not data.answers:
        raise ServiceError(
            {"assessments": ["There are no current assessments yet, so there are no points to share the money "
                             "between"]}
        )  # fmt: skip
    try:
        pop = engine.Population.from_answers(data.answers, [policy])
    except ValueError as exc:
        raise ServiceError(
            {"assessments": [f"A current assessment does not fit {version.label}: {exc}"]}
        ) from None
    try:
        return engine.size_price_per_point(policy, pop, stream, pot_pence)
    except ValueError:  # the only refusal left: nobody the points method funds scores any points
        n = len(data.answers)
        raise ServiceError(
            {
                "assessments": [
                    f"None of the {n} current assessment{'s' if n != 1 else ''} scores any points "
                    f"for {title}, so the price per point cannot be worked out"
                ]
            }
        ) from None


# --------------------------------------------------------------------------- bulk recalculation


@dataclass
class RecalcRow:
    person: Person
    current: Allocation
    assessment: Assessment
    new_total_pence: int | None
    change_pence: int | None
    problem: str
    result: engine.Allocation | None = None


def recalculation_preview(authority: Authority, version: PolicyVersion) -> list[RecalcRow]:
    """Person by person: each latest allocation against what ``version`` would give now."""
    if not version.is_published:
        raise ServiceError({"version": ["Publish the version before recalculating budgets with it"]})
    policy = policy_for(version)
    latest: dict[int, Allocation] = {}
    qs = (
        Allocation.objects.filter(authority=authority)
        .select_related("person", "assessment", "assessment__confirmed_by", "policy_version")
        .order_by("person_id", "-created_at", "-pk")
    )
    for a in qs:
        latest.setdefault(a.person_id, a)
    rows = []
    on = version.effective_from
    for alloc in sorted(latest.values(), key=lambda a: (a.person.family_name, a.person.given_name, a.pk)):
        if alloc.policy_version_id == version.pk:
            continue
        try:
            result = run_engine(policy, alloc.assessment, on)
        except ServiceError as exc:
            problem = "; ".join(m for ms in exc.errors.values() for m in ms)
            rows.append(RecalcRow(alloc.person, alloc, alloc.assessment, None, None, problem))
            continue
        total = result.total_annual_pence
        rows.append(
            RecalcRow(
                alloc.person, alloc, alloc.assessment, total, total - alloc.total_annual_pence, "", result
            )
        )
    return rows


def apply_recalculation(actor: User | None, authority: Authority, version: PolicyVersion, reason: str) -> int:
    """Create a new allocation for everyone the preview could recalculate; returns how many."""
    if not reason.strip():
        raise ServiceError({"reason": ["Enter why budgets are being recalculated"]})
    rows = recalculation_preview(authority, version)
    count = 0
    with transaction.atomic():
        for row in rows:
            if row.result is None:
                continue
            save_allocation(
                actor, row.assessment, row.result, version, AllocationSource.RECALCULATION, reason
            )
            count += 1
    return count
