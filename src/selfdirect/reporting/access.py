"""Who may see which reporting rows: one scope per model (core/access.py).

Aggregates (settings, take-up snapshots) are the authority's and go to anyone who may see its
reports; monthly packs count the whole authority, so only to the authority-wide roles; move-ons and
review offers name a person, so they follow that person's scope (people.access)."""

from __future__ import annotations

from django.db.models import QuerySet

from selfdirect.core import access
from selfdirect.core.models import Authority, User
from selfdirect.people.access import Purpose, has_role, people_scope

from .models import BudgetOffer, MoveOn, ReportingSettings, ReportPack, TakeUpSnapshot
from .rules import REPORT_ROLES, WHOLE_AUTHORITY


@access.scope(ReportingSettings)
def settings_scope(user: User, authority: Authority | int | None) -> QuerySet[ReportingSettings]:
    if not has_role(user, authority, *REPORT_ROLES):
        return ReportingSettings.objects.none()
    return ReportingSettings.objects.filter(authority=authority)


@access.scope(TakeUpSnapshot)
def snapshot_scope(user: User, authority: Authority | int | None) -> QuerySet[TakeUpSnapshot]:
    if not has_role(user, authority, *REPORT_ROLES):
        return TakeUpSnapshot.objects.none()
    return TakeUpSnapshot.objects.filter(authority=authority)


@access.scope(ReportPack)
def pack_scope(user: User, authority: Authority | int | None) -> QuerySet[ReportPack]:
    if not has_role(user, authority, *WHOLE_AUTHORITY):
        return ReportPack.objects.none()
    return ReportPack.objects.filter(authority=authority)


@access.scope(MoveOn)
def move_on_scope(user: User, authority: Authority | int | None, purpose: Purpose = "view") -> QuerySet[MoveOn]:
    return MoveOn.objects.filter(authority=authority, person__in=people_scope(user, authority, purpose))


@access.scope(BudgetOffer)
def offer_scope(user: User, authority: Authority | int | None, purpose: Purpose = "view") -> QuerySet[BudgetOffer]:
    return BudgetOffer.objects.filter(authority=authority, person__in=people_scope(user, authority, purpose))
