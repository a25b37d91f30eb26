"""Which Extra Care rows a user can reach: one scope per model (core/access.py). Schemes and their
runs are the authority's planning: anyone working in the authority finds them, and the rules
(rules.py) then say who may read or change them (403 for a role that may not); another authority's
are never found at all (404)."""

from __future__ import annotations

from django.db.models import QuerySet

from selfdirect.core import access
from selfdirect.core.models import Authority, User

from .models import AnalysisRun, Scheme


def _member(user: User, authority: Authority | int | None) -> bool:
    return bool(authority is not None and user.is_authenticated and user.roles_in(authority))


@access.scope(Scheme)
def scheme_scope(user: User, authority: Authority | int | None) -> QuerySet[Scheme]:
    if not _member(user, authority):
        return Scheme.objects.none()
    return Scheme.objects.filter(authority=authority)


@access.scope(AnalysisRun)
def run_scope(user: User, authority: Authority | int | None) -> QuerySet[AnalysisRun]:
    if not _member(user, authority):
        return AnalysisRun.objects.none()
    return AnalysisRun.objects.filter(authority=authority).select_related("scheme", "version")
