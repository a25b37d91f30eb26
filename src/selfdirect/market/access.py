"""Who may see which market records: the one definition used by pages, the API and the CLI.

Staff who view the market (assessors, planners, finance, commissioners, administrators) see the
whole market of their authority; commissioners and administrators manage it. A provider user sees
and edits only the organisations they belong to (ProviderMembership). Anything of another
authority, or outside these scopes, is not found (404). The public directory shows only listed,
consenting, in-date entries (see :mod:`selfdirect.market.directory`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from selfdirect.core.constants import Role
from selfdirect.core.http import current_authority
from selfdirect.core.models import Authority, User

from .models import Provider

MANAGE_ROLES = frozenset({Role.COMMISSIONER, Role.ADMIN})
VIEW_ROLES = frozenset({Role.ASSESSOR, Role.PLANNER, Role.FINANCE, Role.COMMISSIONER, Role.ADMIN})


def roles(user: User, authority: Authority | int | None) -> frozenset[str]:
    if authority is None or not user.is_authenticated:
        return frozenset()
    return user.roles_in(authority)


def views_market(user: User, authority: Authority | int | None) -> bool:
    return bool(roles(user, authority) & VIEW_ROLES)


def manages_market(user: User, authority: Authority | int | None) -> bool:
    return bool(roles(user, authority) & MANAGE_ROLES)


def own_provider_ids(user: User, authority: Authority | int | None) -> QuerySet[Provider]:
    if Role.PROVIDER not in roles(user, authority):
        return Provider.objects.none()
    return Provider.objects.filter(authority=authority, members__user=user)


def provider_scope(user: User, authority: Authority | int | None) -> QuerySet[Provider]:
    """The providers ``user`` may see in ``authority``."""
    if views_market(user, authority):
        return Provider.objects.filter(authority=authority)
    return own_provider_ids(user, authority)


def edits_provider(user: User, provider: Provider) -> bool:
    return (
        manages_market(user, provider.authority_id)
        or own_provider_ids(user, provider.authority_id).filter(pk=provider.pk).exists()
    )


def visible(request: Any, model: type[Model], pk: int) -> Any:
    """A market record of the request's authority, when the user views the market; otherwise 404
    (a record they may not see answers as one that does not exist)."""
    authority = current_authority(request)
    if not views_market(request.user, authority):
        raise Http404("not visible")
    return get_object_or_404(model._default_manager.filter(authority=authority), pk=pk)
