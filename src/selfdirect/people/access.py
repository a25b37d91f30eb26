"""Who may see which people: the one definition used by pages, the API and the CLI.

Every query for people goes through :func:`people_scope`, which starts from the authority and
adds only the people this user works with. Rules predicates (people/rules.py) are built on it,
so a list and a permission check can never disagree.
"""

from __future__ import annotations

from typing import Literal

from django.db.models import Q, QuerySet
from django.utils import timezone

from selfdirect.core.constants import CASELOAD_ROLES, Role
from selfdirect.core.models import Authority, User

from .models import Person, Representative, Team

Purpose = Literal["view", "case", "edit"]
"""view: name, address, bands — what finance needs to pay; case: case notes, contact log and
history; edit: change the record."""


def team_ids(user: User, authority: Authority | int) -> QuerySet[Team]:
    return Team.objects.filter(authority=authority, members=user).values("pk")  # type: ignore[return-value]


def people_scope(
    user: User, authority: Authority | int | None, purpose: Purpose = "view"
) -> QuerySet[Person]:
    """The people in ``authority`` that ``user`` may see for ``purpose``. Empty for outsiders."""
    if authority is None or not user.is_authenticated:
        return Person.objects.none()
    roles = user.roles_in(authority)
    base = Person.objects.filter(authority=authority)
    if Role.ADMIN in roles:
        return base
    if purpose == "view" and Role.FINANCE in roles:
        return base
    allowed = Q(pk__in=[])
    if roles & CASELOAD_ROLES:
        allowed |= Q(team__in=team_ids(user, authority))
    if Role.PERSON in roles and purpose != "edit":
        allowed |= Q(user=user)
    if Role.REPRESENTATIVE in roles and purpose == "view":
        today = timezone.localdate()
        represented = Representative.objects.filter(
            user=user, authority=authority, may_view_record=True, starts_on__lte=today
        ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        allowed |= Q(pk__in=represented.values("person"))
    return base.filter(allowed)


def can(user: User, person: Person, purpose: Purpose) -> bool:
    return people_scope(user, person.authority_id, purpose).filter(pk=person.pk).exists()


def has_role(user: User, authority: Authority | int | None, *roles: str) -> bool:
    return bool(user.is_authenticated and authority is not None and user.roles_in(authority) & set(roles))
