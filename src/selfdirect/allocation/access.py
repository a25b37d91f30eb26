"""Which allocations and what-if runs a user can reach: one scope per model (core/access.py).

- an indicative budget is part of the person's record: seen by whoever may see the person
  (people.access.people_scope);
- a what-if run is the authority's planning: any member of the authority finds it, and the rules
  (rules.py) then say who may open it (403 for a role that may not).
Another authority's rows are never found at all (404)."""

from __future__ import annotations

from django.db.models import QuerySet

from selfdirect.core import access
from selfdirect.core.models import Authority, User
from selfdirect.people.access import people_scope

from .models import Allocation, WhatIfRun


@access.scope(Allocation)
def allocation_scope(user: User, authority: Authority | int | None) -> QuerySet[Allocation]:
    return Allocation.objects.filter(authority=authority, person__in=people_scope(user, authority))


@access.scope(WhatIfRun)
def what_if_scope(user: User, authority: Authority | int | None) -> QuerySet[WhatIfRun]:
    if authority is None or not user.is_authenticated or not user.roles_in(authority):
        return WhatIfRun.objects.none()
    return WhatIfRun.objects.filter(authority=authority).select_related("base", "proposed")
