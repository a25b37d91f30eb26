"""Demo data for policies and budgets: publish each demo authority's policy files, then give
some demo people a sent self-assessment and an indicative budget. Deterministic (fixed seeds)
and idempotent (nothing is added twice). Margaret Okafor is left without one, so the demo
person can start her own self-assessment."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.db import transaction

from selfdirect.assessment import services as assessment_services
from selfdirect.assessment.constants import Side
from selfdirect.assessment.models import Assessment
from selfdirect.core.constants import Role
from selfdirect.core.models import Authority, Membership, User
from selfdirect.people.models import Person

from . import services

DEMO_DAY = dt.date(2026, 4, 1)
ASSESSED_PER_AUTHORITY = 30


def _user(authority: Authority, role: str) -> User | None:
    m = (
        Membership.objects.filter(authority=authority, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


@transaction.atomic
def load_allocation_demo(assessed: int = ASSESSED_PER_AUTHORITY) -> list[str]:
    """Publish policies and create demo assessments and budgets; returns what was done."""
    done: list[str] = []
    for authority in Authority.objects.filter(slug__in=["northshire", "southvale"]).order_by("slug"):
        folder = settings.PROJECT_DIR / "policies" / authority.slug
        commissioner = _user(authority, Role.COMMISSIONER)
        for path in sorted(folder.glob("policy-*.yaml")):
            try:
                with transaction.atomic():  # a savepoint: a refusal leaves the rest of the demo intact
                    version = services.publish_file(
                        commissioner, authority, path.read_text(encoding="utf-8"), path.name
                    )
            except services.ServiceError as refused:
                # A database from before this file changed keeps the version it published (published
                # versions never change); a fresh var/ gets the new text.
                done.append(f"{authority.slug}: {path.name} kept as published before ({refused})")
                continue
            done.append(f"{authority.slug}: {version.version_id} published")
        if Assessment.objects.filter(authority=authority).exists():
            continue
        assessor = _user(authority, Role.ASSESSOR)
        version = services.policy_in_force(authority, DEMO_DAY)
        policy = services.policy_for(version)
        rng = random.Random(f"assessments-{authority.slug}")
        people = Person.objects.filter(authority=authority, user__isnull=True).order_by("reference")[
            :assessed
        ]
        for i, person in enumerate(people):
            raw = services.synthetic_answers(policy, rng, trigger_chance=0.45)
            answers = {qid: assessment_services.clean_answer(policy, qid, v) for qid, v in raw.items()}
            assessment = Assessment.objects.create(
                authority=authority, person=person, policy_version=version, on=DEMO_DAY,
                person_answers=answers, created_by=assessor, answered_by=assessor,
                respondent="worker" if i % 3 == 0 else "person",
            )  # fmt: skip
            assessment_services.submit(assessor, assessment)
            if i % 4 == 0 and assessor is not None:
                # The assessor saw it differently on one trigger: the comparison page highlights it.
                trigger = policy.model.questionnaire.domains[1].triggers[0].id
                assessment_services.save_answers(
                    assessor, assessment, {trigger: not answers.get(trigger, False)}, side=Side.ASSESSOR
                )
                assessment.refresh_from_db()
                gaps = assessment_services.missing(assessment, Side.ASSESSOR)
                if gaps:
                    continue
                derived = services.engine.determine_eligibility(policy, assessment.combined_answers)
                assessment_services.confirm_eligibility(
                    assessor, assessment, derived.derived_band, "Agreed at the assessment visit (demo)"
                )
                assessment.refresh_from_db()
                services.allocate_assessment(assessor, assessment, reason="Allocated after the visit (demo)")
        done.append(f"{authority.slug}: {len(people)} assessments with indicative budgets")
    return done
