"""Finding the records a request names by id, in the caller's authority: one way for every part of
the market API."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from selfdirect.core.models import Authority

from .. import services
from ..models import Area


def chosen_areas(authority: Authority, ids: list[int], field: str = "area_ids") -> list[Area]:
    found = list(Area.objects.filter(authority=authority, pk__in=ids))
    if len(found) != len(set(ids)):
        raise services.ServiceError({field: ["Choose areas in this authority"]})
    return found


def chosen(model: type[Model], authority: Authority, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    obj = model._default_manager.filter(authority=authority, pk=pk).first()
    if obj is None:
        raise services.ServiceError({field: [f"No such {model._meta.verbose_name} in this authority"]})
    return obj
