"""The people app's parts of the home page (registered in PeopleConfig.ready): your own record,
the people you act for, your caseload, the authority at a glance, finance's way in, and the
administrator's tools. Core draws only what the apps register."""

from __future__ import annotations

from collections import Counter
from typing import Any

from selfdirect.core.constants import CASELOAD_ROLES, Role
from selfdirect.core.http import AuthedRequest

from .access import people_scope
from .constants import FacsBand
from .models import Person, Representative

Section = tuple[str, dict[str, Any]] | None


def people_section(request: AuthedRequest) -> Section:
    authority, roles, user = request.authority, request.roles, request.user
    if authority is None:
        return None
    context: dict[str, Any] = {"roles": roles, "Role": Role, "facs_choices": FacsBand.choices}
    if Role.PERSON in roles:
        context["own_record"] = Person.objects.filter(authority=authority, user=user).first()
    if Role.REPRESENTATIVE in roles:
        context["represented"] = people_scope(user, authority).filter(
            pk__in=Representative.objects.filter(user=user).values("person")
        )
    if roles & CASELOAD_ROLES:
        scope = people_scope(user, authority)
        context["my_people"] = scope.filter(allocated_worker=user)[:20]
        context["my_people_count"] = scope.filter(allocated_worker=user).count()
        context["caseload_count"] = scope.count()
        context["unallocated_count"] = scope.filter(allocated_worker__isnull=True).count()
    if roles & {Role.COMMISSIONER, Role.ADMIN, Role.FINANCE}:
        people = Person.objects.filter(authority=authority)
        context["overview"] = {
            "total": people.count(),
            "by_band": Counter(people.values_list("facs_band", flat=True)),
            "by_group": Counter(people.values_list("client_group", flat=True)),
        }
    return "people/home_section.html", context


def admin_section(request: AuthedRequest) -> Section:
    if request.authority is None or Role.ADMIN not in request.roles:
        return None
    unallocated = Person.objects.filter(authority=request.authority, team__isnull=True).count()
    return "people/home_admin.html", {"roles": request.roles, "Role": Role, "unallocated_total": unallocated}
