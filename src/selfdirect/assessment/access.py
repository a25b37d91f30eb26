"""Which assessments a user can reach: the one scope pages, the API and the CLI start from
(core/access.py). An assessment is part of the person's record, so it is seen by whoever may see
the person (people.access.people_scope); another authority's are never found (404)."""

from __future__ import annotations

from django.db.models import QuerySet

from selfdirect.core import access
from selfdirect.core.models import Authority, User
from selfdirect.people.access import Purpose, people_scope

from .models import Assessment


@access.scope(Assessment)
def assessment_scope(
    user: User, authority: Authority | int | None, purpose: Purpose = "view"
) -> QuerySet[Assessment]:
    return Assessment.objects.filter(authority=authority, person__in=people_scope(user, authority, purpose))
