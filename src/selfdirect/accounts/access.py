"""Who may see invitations and switched-off accounts: the authority's administrators, for their
own authority only, and staff the invitations of the people whose records they may change."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from selfdirect.core import access
from selfdirect.core.constants import STAFF_ROLES, Role
from selfdirect.core.models import Authority, User
from selfdirect.people.models import Person

from .models import Deactivation, Invitation


@access.scope(Invitation)
def invitation_scope(user: User, authority: Authority | int | None) -> QuerySet[Invitation]:
    """Administrators see every invitation of their council; staff who may change a person's record
    see the invitations sent to that person and their representatives."""
    if authority is None or not user.is_authenticated:
        return Invitation.objects.none()
    roles = user.roles_in(authority)
    if Role.ADMIN in roles:
        return Invitation.objects.filter(authority=authority)
    if not roles & STAFF_ROLES:
        return Invitation.objects.none()
    people = access.scoped(Person, user, authority, purpose="edit").values("pk")
    return Invitation.objects.filter(authority=authority).filter(
        Q(person__in=people) | Q(representative__person__in=people)
    )


@access.scope(Deactivation)
def deactivation_scope(user: User, authority: Authority | int | None) -> QuerySet[Deactivation]:
    if authority is None or not user.is_authenticated or Role.ADMIN not in user.roles_in(authority):
        return Deactivation.objects.none()
    return Deactivation.objects.filter(authority=authority)
