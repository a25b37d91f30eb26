"""The market's section on the home page (registered in apps.py)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from selfdirect.core.constants import Role
from selfdirect.core.http import AuthedRequest

from . import access
from .access import contract_scope, pa_scope


def section(request: AuthedRequest) -> tuple[str, dict[str, Any]] | None:
    authority, user = request.authority, request.user
    if authority is None:
        return None
    roles = request.roles
    context: dict[str, Any] = {"authority": authority}
    if Role.PROVIDER in roles:
        context["own_providers"] = list(access.own_provider_ids(user, authority))
    if access.manages_market(user, authority):
        today = timezone.localdate()
        context["manage"] = True
        context["expired_dbs"] = sum(
            1
            for pa in pa_scope(user, authority).filter(listed=True)
            if not pa.dbs_in_date(today)
        )
        context["tenders_due"] = (
            contract_scope(user, authority).filter(tender_notice_on__lte=today, ends_on__gte=today).count()
        )
    elif access.views_market(user, authority):
        context["view"] = True
    if Role.PROVIDER not in roles and not context.get("manage") and not context.get("view"):
        return None
    return "market/home_section.html", context
