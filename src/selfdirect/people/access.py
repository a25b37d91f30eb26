"""Who may see which people: the one definition used by pages, the API and the CLI.

Every query for people goes through :func:`people_scope`, which starts from the authority and
adds only the people this user works with. Rules predicates (people/rules.py) are built on it,
so a list and a permission check can never disagree.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.utils import timezone

from selfdirect.core import access
from selfdirect.core.constants import CASELOAD_ROLES, Role
from selfdirect.core.models import Authority, User

from .models import ContactLogEntry, Person, Representative, Team

Purpose = Literal["view", "case", "edit"]
"""view: name, address, bands — what finance needs to pay; case: case notes, contact log and
history; edit: change the record."""


def team_ids(user: User, authority: Authority | int) -> QuerySet[Team]:
    return Team.objects.filter(authority=authority, members=user).values("pk")  # type: ignore[return-value]


@access.scope(Person)
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


@access.scope(Team)
def team_scope(user: User, authority: Authority | int | None) -> QuerySet[Team]:
    """The authority's teams, for anyone working in it (pages then narrow a worker to their own)."""
    if authority is None or not user.is_authenticated or not user.roles_in(authority):
        return Team.objects.none()
    return Team.objects.filter(authority=authority)


@access.scope(Representative)
def representative_scope(
    user: User, authority: Authority | int | None, purpose: Purpose = "view"
) -> QuerySet[Representative]:
    """The representatives of the people ``user`` may see for ``purpose``."""
    return Representative.objects.filter(authority=authority, person__in=people_scope(user, authority, purpose))


@access.scope(ContactLogEntry)
def contact_log_scope(user: User, authority: Authority | int | None) -> QuerySet[ContactLogEntry]:
    """Contact log entries are case records: seen by those who may see the person's case."""
    return ContactLogEntry.objects.filter(authority=authority, person__in=people_scope(user, authority, "case"))


HistoricalPerson = Person.history.model
HistoricalRepresentative = Representative.history.model


@access.scope(HistoricalPerson)
def person_history_scope(user: User, authority: Authority | int | None) -> QuerySet[Any]:
    """Earlier versions of a record are part of the person's case history."""
    return HistoricalPerson.objects.filter(authority=authority, id__in=people_scope(user, authority, "case").values("pk"))


@access.scope(HistoricalRepresentative)
def representative_history_scope(user: User, authority: Authority | int | None) -> QuerySet[Any]:
    return HistoricalRepresentative.objects.filter(
        authority=authority, person_id__in=people_scope(user, authority, "case").values("pk")
    )
