"""Demo data for policies and budgets: publish each demo authority's policy files, then give
some demo people a sent self-assessment and an indicative budget, assessed a few weeks after
they were referred, over the demo's year of history. Deterministic (fixed seeds and the load day)
and idempotent (nothing is added twice). Margaret Okafor is left without one, so the demo person
can start her own self-assessment.

The policy files take effect on 1 April 2026 (northshire-2026, southvale-2026). The demo's
history starts twelve months before the day it is loaded, which may be earlier; then each
authority's earliest file is published in force from the history's first day instead, so the
people assessed in it are assessed under it. Only that date changes: every rate and figure is
the file's own, and a later file (northshire-2027, from 1 April 2027) keeps its date."""

from __future__ import annotations

import datetime as dt
import random
import re

from django.conf import settings
from django.db import transaction

from selfdirect.assessment import services as assessment_services
from selfdirect.assessment.constants import Side
from selfdirect.assessment.models import Assessment
from selfdirect.core.constants import Role
from selfdirect.core.demo import DemoCalendar, backdate
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, Membership, User
from selfdirect.people.models import Person
from selfdirect.policies import engine
from selfdirect.policies import services as policy_services
from selfdirect.policies.constants import PolicyStatus
from selfdirect.policies.models import PolicyVersion

from . import services
from .models import Allocation

ASSESSED_PER_AUTHORITY = 60
EFFECTIVE_FROM = re.compile(r"^effective_from: *(\d{4}-\d{2}-\d{2})[^\n]*$", re.MULTILINE)


def _user(authority: Authority, role: str) -> User | None:
    m = (
        Membership.objects.filter(authority=authority, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


def in_force_from(text: str, day: dt.date) -> str:
    """The policy text taking effect on ``day`` instead of its own date when that is later (the
    line keeps its place, so problems are still reported on the file's own lines)."""
    found = EFFECTIVE_FROM.search(text)
    if found is None or dt.date.fromisoformat(found.group(1)) <= day:
        return text
    line = f"effective_from: {day.isoformat()}  # demo: from the start of its history (the file says {found.group(1)})"
    return text[: found.start()] + line + text[found.end() :]


def publish_policies(authority: Authority, cal: DemoCalendar) -> list[str]:
    """Publish the authority's policy files (the earliest in force from the history's start)."""
    done: list[str] = []
    folder = settings.PROJECT_DIR / "policies" / authority.slug
    commissioner = _user(authority, Role.COMMISSIONER)
    for n, path in enumerate(sorted(folder.glob("policy-*.yaml"))):
        text = path.read_text(encoding="utf-8")
        if n == 0:
            text = in_force_from(text, cal.start)
        try:
            parsed: engine.Policy | None = engine.load_policy(text, filename=path.name)
        except engine.PolicyError:
            parsed = None  # publish_file below reports every problem
        kept = (
            parsed
            and PolicyVersion.objects.filter(
                authority=authority, policy_id=parsed.id, status=PolicyStatus.PUBLISHED
            ).first()
        )
        if parsed is not None and kept and kept.content_hash != parsed.content_hash:
            # A database from before this file changed (or loaded on another day) keeps the version
            # it published: published versions never change.
            done.append(f"{authority.slug}: {path.name} kept as published before ({kept.version_id})")
            continue
        try:
            with transaction.atomic():  # a savepoint: a refusal leaves the rest of the demo intact
                version = policy_services.publish_file(commissioner, authority, text, path.name)
        except ServiceError as refused:
            done.append(f"{authority.slug}: {path.name} kept as published before ({refused})")
            continue
        done.append(f"{authority.slug}: {version.version_id} published")
    return done


def _assessed_people(authority: Authority, count: int, last_day: dt.date) -> list[Person]:
    """``count`` people spread evenly over everyone referred by ``last_day`` (in referral order)."""
    pool = list(
        Person.objects.filter(
            authority=authority, user__isnull=True, created_at__date__lte=last_day
        ).order_by("created_at", "reference")
    )
    if len(pool) <= count:
        return pool
    return [pool[j * len(pool) // count] for j in range(count)]


@transaction.atomic
def load_allocation_demo(assessed: int = ASSESSED_PER_AUTHORITY, today: dt.date | None = None) -> list[str]:
    """Publish policies and create demo assessments and budgets; returns what was done."""
    cal = DemoCalendar.on(today)
    done: list[str] = []
    for authority in Authority.objects.filter(slug__in=["northshire", "southvale"]).order_by("slug"):
        done += publish_policies(authority, cal)
        if Assessment.objects.filter(authority=authority).exists():
            continue
        assessor = _user(authority, Role.ASSESSOR)
        rng = random.Random(f"assessments-{authority.slug}")
        days = random.Random(f"assessment-days-{authority.slug}")
        people = _assessed_people(authority, assessed, cal.today - dt.timedelta(days=14))
        for i, person in enumerate(people):
            referred = person.created_at.date()
            on = min(referred + dt.timedelta(days=10 + days.randrange(35)), cal.today - dt.timedelta(days=1))
            try:
                version = policy_services.policy_in_force(authority, on)
            except ServiceError:
                continue  # a version published before kept its later date: nobody is assessed before it
            policy = policy_services.policy_for(version)
            raw = services.synthetic_answers(policy, rng, trigger_chance=0.45)
            answers = {qid: assessment_services.clean_answer(policy, qid, v) for qid, v in raw.items()}
            assessment = Assessment.objects.create(
                authority=authority, person=person, policy_version=version, on=on,
                person_answers=answers, created_by=assessor, answered_by=assessor,
                respondent="worker" if i % 3 == 0 else "person",
            )  # fmt: skip
            services.submit_assessment(assessor, assessment)
            moment = cal.at(on, 11, i % 60)
            backdate(Assessment, assessment.pk, created_at=cal.at(on, 10, i % 60), submitted_at=moment)
            if i % 4 == 0 and assessor is not None:
                # The assessor saw it differently on one trigger: the comparison page highlights it.
                trigger = policy.model.questionnaire.domains[1].triggers[0].id
                assessment_services.save_answers(
                    assessor, assessment, {trigger: not answers.get(trigger, False)}, side=Side.ASSESSOR
                )
                assessment.refresh_from_db()
                gaps = assessment_services.missing(assessment, Side.ASSESSOR)
                if not gaps:
                    derived = engine.determine_eligibility(policy, assessment.combined_answers)
                    assessment_services.confirm_eligibility(
                        assessor, assessment, derived.derived_band, "Agreed at the assessment visit (demo)"
                    )
                    assessment.refresh_from_db()
                    services.allocate_assessment(
                        assessor, assessment, reason="Allocated after the visit (demo)"
                    )
                    backdate(Assessment, assessment.pk, confirmed_at=cal.at(on, 15, i % 60))
            for allocation in Allocation.objects.filter(assessment=assessment).order_by("pk"):
                backdate(Allocation, allocation.pk, created_at=moment)
        done.append(f"{authority.slug}: {len(people)} assessments with indicative budgets")
    return done
