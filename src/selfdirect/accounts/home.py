"""On a person's record: their own account, and their representatives', for staff who may change
the record (an invitation to set one up, or who signs in)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from selfdirect.core import access, registry
from selfdirect.core.constants import STAFF_ROLES
from selfdirect.core.dates import format_date
from selfdirect.core.http import AuthedRequest
from selfdirect.people.models import Person, Representative

from .models import Invitation


def person_account_section(request: AuthedRequest, person: Any) -> tuple[str, dict[str, Any]] | None:
    if not request.roles & STAFF_ROLES:
        return None
    if not access.scoped(Person, request.user, request.authority, purpose="edit").filter(pk=person.pk).exists():
        return None
    open_ones = access.scoped(Invitation, request.user, request.authority).filter(
        accepted_at__isnull=True, withdrawn_at__isnull=True
    )
    waiting = {(i.person_id, i.representative_id): i for i in open_ones.filter(person=person) if i.waiting}
    waiting.update({(None, i.representative_id): i for i in open_ones.filter(representative__person=person)
                    if i.waiting})  # fmt: skip
    items: list[registry.PersonItem] = []
    links: list[registry.PersonLink] = []
    own = waiting.get((person.pk, None))
    if person.user_id:
        items.append(registry.PersonItem(f"{person} signs in as {person.user.username}", person.get_absolute_url()))
    elif own is not None:
        links.append(registry.PersonLink(
            f"Invitation sent to {own.email}, until {format_date(timezone.localtime(own.expires_at).date())}: "
            "send it again",
            reverse("accounts:invite-person", args=[person.pk]),
        ))  # fmt: skip
    else:
        links.append(registry.PersonLink(f"Invite {person} to see their own record",
                                         reverse("accounts:invite-person", args=[person.pk])))  # fmt: skip
    for rep in access.scoped(Representative, request.user, request.authority).filter(person=person):
        sent = waiting.get((None, rep.pk))
        if rep.user_id:
            continue
        text = (f"Invitation sent to {rep.name} ({sent.email}): send it again" if sent
                else f"Invite {rep.name}, their representative, to an account")  # fmt: skip
        links.append(registry.PersonLink(text, reverse("accounts:invite-rep", args=[person.pk, rep.pk])))
    return registry.person_section_page("account", "Accounts", items, empty="They do not sign in yet.", links=links)
