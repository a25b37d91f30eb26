"""Checking the records a request body names by id (a provider, a service, areas...), in the
caller's authority: one way for every part of the market API, the API's counterpart of the pages'
choice fields (forms.py), which offer the authority's records."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from selfdirect.core.models import Authority, User

from .. import services
from ..access import area_scope
from ..models import Area


def chosen_areas(user: User, authority: Authority, ids: list[int], field: str = "area_ids") -> list[Area]:
    found = list(area_scope(user, authority).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise services.ServiceError({field: ["Choose areas in this authority"]})
    return found


def chosen(model: type[Model], authority: Authority, pk: int | None, field: str) -> Any:
    """The record of ``model`` a body names by ``pk``, if any: any of the authority's, as the page's
    choice field would offer (who may see the record is the scope's question, not asked here: a
    budget holder names their PA from the register, which they cannot list)."""
    if pk is None:
        return None
    obj = model._default_manager.filter(authority=authority, pk=pk).first()
    if obj is None:
        raise services.ServiceError({field: [f"No such {model._meta.verbose_name} in this authority"]})
    return obj
