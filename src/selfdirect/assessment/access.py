"""Which assessments a user can reach: the one scope pages, the API and the CLI start from
(core/access.py). An assessment is part of the person's record, so it is seen by whoever may see
the person (people.access.people_scope); another authority's are never found (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from selfdirect.core import access
from selfdirect.core.models import Authority, User
from selfdirect.people.access import Purpose, people_scope

from .models import Assessment


@access.scope(Assessment)
def assessment_scope(
    user: User, authority: Authority | int | None, purpose: Purpose = "view"
) -> QuerySet[Assessment]:
    return Assessment.objects.filter(authority=authority, person__in=people_scope(user, authority, purpose))


def visible_assessment(user: User, authority: Authority | int | None, pk: int) -> Assessment:
    """The assessment ``pk`` if ``user`` may see it (404 otherwise), with what its pages and the API read
    of it: the one look-up of the assessment pages, the API and the send action."""
    found = assessment_scope(user, authority).select_related(
        "person", "person__authority", "policy_version", "confirmed_by", "answered_by"
    )
    return get_object_or_404(found, pk=pk)
