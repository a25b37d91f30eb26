"""Permissions on assessments, as `rules` predicates over people.access. The object is the Person.

- the person (own record) and a representative allowed to complete the assessment fill in the
  self-assessment and see their indicative budget;
- caseload workers (assessor, planner) and administrators see both sets of answers, record the
  assessor's, confirm eligibility and allocate;
- finance and commissioners never see individual answers.
"""

from __future__ import annotations

import rules
from django.db.models import Q
from django.utils import timezone

from selfdirect.core.constants import CASELOAD_ROLES, Role
from selfdirect.core.models import User
from selfdirect.people import access
from selfdirect.people.models import Person, Representative


def representative_may_complete(user: User, person: Person) -> bool:
    today = timezone.localdate()
    return (
        Representative.objects.filter(
            user=user,
            person=person,
            authority_id=person.authority_id,
            may_complete_assessment=True,
            starts_on__lte=today,
        )  # fmt: skip
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exists()
    )


@rules.predicate
def completes_self_assessment(user: User, person: Person) -> bool:
    if not user.is_authenticated:
        return False
    roles = user.roles_in(person.authority_id)
    if Role.PERSON in roles and person.user_id == user.pk:
        return True
    return Role.REPRESENTATIVE in roles and representative_may_complete(user, person)


@rules.predicate
def records_assessor_answers(user: User, person: Person) -> bool:
    if not user.is_authenticated:
        return False
    roles = user.roles_in(person.authority_id)
    if Role.ADMIN in roles:
        return True
    return (
        bool(roles & CASELOAD_ROLES)
        and access.people_scope(user, person.authority_id, "edit").filter(pk=person.pk).exists()
    )


rules.add_perm("assessment.complete_self_assessment", completes_self_assessment | records_assessor_answers)
rules.add_perm("assessment.view_answers", completes_self_assessment | records_assessor_answers)
rules.add_perm("assessment.record_assessor_answers", records_assessor_answers)
rules.add_perm("assessment.confirm_eligibility", records_assessor_answers)
