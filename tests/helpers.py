"""Test helpers: a small, known world of two authorities with one user per role each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.test import Client

from selfdirect.core.constants import Role
from selfdirect.core.models import ApiToken, Authority, Membership, User
from selfdirect.people.constants import ClientGroup, FacsBand, PrimarySupportReason, RepresentativeType
from selfdirect.people.models import Person, Representative, Team

PASSWORD = "a-long-test-password"


@dataclass
class Side:
    """One authority's share of the world."""

    authority: Authority
    users: dict[str, User]
    home_team: Team  # the assessor's and planner's team
    other_team: Team  # a team none of the caseload workers belong to
    self_person: Person  # the person user's own record, on home_team, with the representative
    caseload_person: Person  # someone else on home_team
    other_person: Person  # someone on other_team
    representative: Representative


@dataclass
class World:
    north: Side
    south: Side
    tokens: dict[str, str] = field(default_factory=dict)


def make_person(authority: Authority, team: Team | None, given: str, family: str, **extra) -> Person:
    data = {
        "authority": authority,
        "reference": f"{authority.slug[:2].upper()}{Person.objects.count() + 1:06d}",
        "given_name": given,
        "family_name": family,
        "date_of_birth": dt.date(1950, 5, 17),
        "address_line_1": "1 High Street",
        "town": "Northam",
        "postcode": "NX1 1AA",
        "client_group": ClientGroup.OLDER_PEOPLE,
        "facs_band": FacsBand.SUBSTANTIAL,
        "primary_support_reason": PrimarySupportReason.PHYSICAL,
        "team": team,
        "capacity_notes": "Private capacity note",
    }
    data.update(extra)
    return Person.objects.create(**data)


def make_side(slug: str, name: str) -> Side:
    authority = Authority.objects.create(slug=slug, name=name)
    users: dict[str, User] = {}
    for role in Role:
        user = User.objects.create_user(f"{slug}-{role}", password=PASSWORD, full_name=f"{slug} {role}")
        Membership.objects.create(user=user, authority=authority, role=role)
        users[role] = user
    home = Team.objects.create(authority=authority, name="Home team")
    other = Team.objects.create(authority=authority, name="Other team")
    home.members.add(users[Role.ASSESSOR], users[Role.PLANNER])
    self_person = make_person(authority, home, "Margaret", f"Okafor-{slug}", user=users[Role.PERSON])
    caseload = make_person(authority, home, "John", f"Smith-{slug}", allocated_worker=users[Role.ASSESSOR])
    other_person = make_person(authority, other, "Aisha", f"Khan-{slug}")
    rep = Representative.objects.create(
        authority=authority,
        person=self_person,
        name="Sam Okafor",
        type=RepresentativeType.FAMILY,
        user=users[Role.REPRESENTATIVE],
        starts_on=dt.date(2020, 1, 1),
        may_view_record=True,
    )
    return Side(authority, users, home, other, self_person, caseload, other_person, rep)


def make_world() -> World:
    return World(
        north=make_side("northshire", "Northshire County Council"),
        south=make_side("southvale", "Southvale Borough Council"),
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_for(user: User, authority: Authority) -> str:
    return ApiToken.issue(user, authority, "test")[1]
