"""Who may see which policy versions: the one scope pages, the API and the CLI start from
(core/access.py). A policy is readable data for everyone who works in the authority
(``allocation.view_policies``); other authorities' versions are never visible."""

from __future__ import annotations

from django.db.models import QuerySet

from selfdirect.core import access
from selfdirect.core.models import Authority, User

from .models import PolicyVersion


@access.scope(PolicyVersion)
def policy_version_scope(user: User, authority: Authority | int | None) -> QuerySet[PolicyVersion]:
    """``authority``'s policy versions, drafts included, for any member of it; none for anyone else."""
    if authority is None or not user.is_authenticated or not user.roles_in(authority):
        return PolicyVersion.objects.none()
    return PolicyVersion.objects.filter(authority=authority)
