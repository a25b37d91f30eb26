"""Market permissions as `rules` predicates. Authority-wide permissions take an Authority; provider
permissions take a Provider; employer-duty permissions take a Person."""

from __future__ import annotations

from typing import Any

import rules

from selfdirect.core.models import User
from selfdirect.people import access as people_access

from . import access
from .models import Provider


def _authority_of(target: Any) -> Any:
    return getattr(target, "authority_id", target)


@rules.predicate
def views_market(user: User, target: Any) -> bool:
    return access.views_market(user, _authority_of(target))


@rules.predicate
def manages_market(user: User, target: Any) -> bool:
    return access.manages_market(user, _authority_of(target))


@rules.predicate
def edits_provider(user: User, provider: Provider) -> bool:
    return access.edits_provider(user, provider)


@rules.predicate
def sees_employer_duties(user: User, person: Any) -> bool:
    return people_access.can(user, person, "view")


@rules.predicate
def edits_person(user: User, person: Any) -> bool:
    return people_access.can(user, person, "edit")


@rules.predicate
def edits_employer_duties(user: User, person: Any) -> bool:
    if person.user_id is not None and person.user_id == user.pk:
        return True  # the budget holder keeps their own checklist
    return people_access.can(user, person, "edit")


rules.add_perm("market.view_market", views_market)
rules.add_perm("market.manage_market", manages_market)
rules.add_perm("market.import_providers", manages_market)
rules.add_perm("market.change_provider", edits_provider)
rules.add_perm("market.view_employer_duties", sees_employer_duties)
rules.add_perm("market.change_employer_duties", edits_employer_duties)
rules.add_perm("market.transfer_arrangement", edits_person)
