"""Deterministic demo data: two made-up authorities, their teams, one sign-in per role each and
about 200 synthetic people per authority with plausible spreads of age, client group and band.

People are dated over the demo's year of history (selfdirect.core.demo): two in five are the
caseload the council brought in when it went live, in the history's first days; the rest were
referred steadily since, up to the load day. Everything is generated from a fixed seed and the
load day, so two runs on one day give the same people, and loading twice changes nothing."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from selfdirect.core.constants import Role
from selfdirect.core.demo import DEMO_PASSWORD, DemoCalendar, backdate
from selfdirect.core.models import Authority, Membership, User

from . import services
from .constants import (
    ClientGroup,
    ContactKind,
    ContactMethod,
    FacsBand,
    PrimarySupportReason,
    RepresentativeType,
    Sex,
)
from .models import ContactLogEntry, Person, Team

CASELOAD_SHARE = 0.4  # of the people: the caseload brought in when the council went live
GO_LIVE_DAYS = 5  # the caseload was brought in over the history's first days


@dataclass(frozen=True)
class DemoAuthority:
    slug: str
    name: str
    postcode_area: str
    towns: tuple[str, ...]
    teams: tuple[str, ...]
    seed: int


AUTHORITIES = (
    DemoAuthority(
        "northshire", "Northshire County Council", "NX", ("Northam", "Kelby", "Aldwick", "Marsh Hinton"),
        ("Older People North", "Learning Disability Team", "Housing Support Team"), 1001,
    ),
    DemoAuthority(
        "southvale", "Southvale Borough Council", "SV", ("Southvale", "Brookmere", "Eastleigh Vale"),
        ("Adult Community Team", "Mental Health and Recovery", "Housing Related Support"), 2002,
    ),
)  # fmt: skip

GIVEN_F = ["Margaret", "Joan", "Patricia", "Aisha", "Sarah", "Emma", "Grace", "Priya", "Olivia", "Mary",
           "Fatima", "Helen", "Susan", "Chloe", "Irene", "Dorothy", "Amira", "Jessica", "Ruth", "Kathleen"]  # fmt: skip
GIVEN_M = ["John", "David", "Peter", "Mohammed", "James", "Robert", "Arjun", "Thomas", "Daniel", "George",
           "William", "Kwame", "Michael", "Ali", "Harry", "Stephen", "Brian", "Oliver", "Tomasz", "Kenneth"]  # fmt: skip
FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
          "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Khan", "Wood",
          "Jackson", "Clarke", "Hughes", "Edwards", "Lewis", "Okafor", "Nowak", "Begum", "Murphy", "Harris"]  # fmt: skip
STREETS = ["Church Street", "Mill Lane", "Station Road", "Victoria Road", "Park Avenue", "The Green",
           "Queen's Road", "Orchard Close", "Meadow Way", "High Street"]  # fmt: skip

# Roughly the mix of a council's adult social care and housing-support caseload.
GROUP_WEIGHTS: dict[str, int] = {
    ClientGroup.OLDER_PEOPLE: 30, ClientGroup.OLDER_DEMENTIA: 12, ClientGroup.PHYSICAL_SENSORY: 14,
    ClientGroup.SEVERE_LEARNING_DISABILITIES: 8, ClientGroup.MILD_LEARNING_DISABILITIES: 6,
    ClientGroup.SEVERE_MENTAL_HEALTH: 7, ClientGroup.MILD_MENTAL_HEALTH: 5, ClientGroup.SINGLE_HOMELESS: 4,
    ClientGroup.DRUG_ALCOHOL: 3, ClientGroup.DOMESTIC_VIOLENCE: 3, ClientGroup.YOUNG_AT_RISK: 2,
    ClientGroup.EX_OFFENDERS: 1, ClientGroup.HOMELESS_FAMILIES: 1, ClientGroup.TEENAGE_PARENTS: 1,
    ClientGroup.REFUGEES: 1, ClientGroup.TRAVELLERS: 1, ClientGroup.HIV: 1,
}  # fmt: skip
BAND_WEIGHTS: dict[str, int] = {FacsBand.CRITICAL: 15, FacsBand.SUBSTANTIAL: 45, FacsBand.MODERATE: 22, FacsBand.LOW: 12,
                FacsBand.NOT_ASSESSED: 6}  # fmt: skip
OLDER = {ClientGroup.OLDER_PEOPLE, ClientGroup.OLDER_DEMENTIA}
YOUNG = {ClientGroup.YOUNG_AT_RISK, ClientGroup.TEENAGE_PARENTS}
REASON_BY_GROUP: dict[str, PrimarySupportReason] = {
    ClientGroup.OLDER_DEMENTIA: PrimarySupportReason.MEMORY_COGNITION,
    ClientGroup.SEVERE_LEARNING_DISABILITIES: PrimarySupportReason.LEARNING_DISABILITY,
    ClientGroup.MILD_LEARNING_DISABILITIES: PrimarySupportReason.LEARNING_DISABILITY,
    ClientGroup.SEVERE_MENTAL_HEALTH: PrimarySupportReason.MENTAL_HEALTH,
    ClientGroup.MILD_MENTAL_HEALTH: PrimarySupportReason.MENTAL_HEALTH,
    ClientGroup.PHYSICAL_SENSORY: PrimarySupportReason.PHYSICAL,
    ClientGroup.OLDER_PEOPLE: PrimarySupportReason.PHYSICAL,
}  # fmt: skip

ROLE_NAMES = {
    Role.PERSON: "Margaret Okafor", Role.REPRESENTATIVE: "Sam Okafor", Role.ASSESSOR: "Alex Assessor",
    Role.PLANNER: "Priya Planner", Role.PANEL: "Pat Panel", Role.FINANCE: "Frank Finance",
    Role.COMMISSIONER: "Chris Commissioner", Role.PROVIDER: "Polly Provider", Role.ADMIN: "Ada Admin",
}  # fmt: skip


def demo_nhs_number(rng: random.Random) -> str:
    """A checksum-valid number in the 999 range, which the NHS keeps for testing."""
    while True:
        digits = [9, 9, 9] + [rng.randrange(10) for _ in range(6)]
        total = sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def username(slug: str, role: str) -> str:
    return f"{slug}-{role}"


def _pick(rng: random.Random, weights: Mapping[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def referred_on(i: int, count: int, cal: DemoCalendar) -> dt.date:
    """When the i-th of ``count`` demo people was referred (their record created): the caseload
    brought in at go-live over the history's first days, then the rest evenly up to the load day."""
    caseload = round(count * CASELOAD_SHARE)
    if i < caseload:
        return cal.start + dt.timedelta(days=i * GO_LIVE_DAYS // max(caseload, 1))
    first = cal.start + dt.timedelta(days=GO_LIVE_DAYS + 2)
    span = (cal.today - first).days
    return first + dt.timedelta(days=(i - caseload + 1) * span // (count - caseload))


def _person_data(
    rng: random.Random, demo: DemoAuthority, team_for_group: dict[str, Team], today: dt.date
) -> dict[str, Any]:
    group = _pick(rng, GROUP_WEIGHTS)
    if group in OLDER:
        age = rng.randint(65, 98)
    elif group in YOUNG:
        age = rng.randint(16, 24)
    else:
        age = rng.randint(18, 64)
    born = today - dt.timedelta(days=age * 365 + rng.randrange(365))
    sex = rng.choices([Sex.FEMALE, Sex.MALE, Sex.NOT_SAID], weights=[56, 42, 2])[0]
    given = rng.choice(GIVEN_M if sex == Sex.MALE else GIVEN_F)
    if group == ClientGroup.DOMESTIC_VIOLENCE:
        sex, given = Sex.FEMALE, rng.choice(GIVEN_F)
    reason = REASON_BY_GROUP.get(
        group, PrimarySupportReason.HOUSING if group not in OLDER else PrimarySupportReason.PHYSICAL
    )
    band = _pick(rng, BAND_WEIGHTS)
    return {
        "given_name": given, "family_name": rng.choice(FAMILY), "date_of_birth": born, "sex": sex,
        "address_line_1": f"{rng.randint(1, 140)} {rng.choice(STREETS)}", "town": rng.choice(demo.towns),
        "postcode": f"{demo.postcode_area}{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
        "nhs_number": demo_nhs_number(rng) if rng.random() < 0.8 else "",
        "client_group": group, "facs_band": band, "primary_support_reason": reason,
        "contact_preference": rng.choice(list(ContactMethod)),
        "phone": f"01632 {rng.randint(100000, 999999)}",
        "has_capacity": rng.random() > 0.15 if band != FacsBand.NOT_ASSESSED else None,
        "consents_to_share": rng.random() > 0.1,
        "team": team_for_group[group],
    }  # fmt: skip


def _team_for_group(teams: list[Team]) -> dict[str, Team]:
    older, ld, housing = teams
    mapping: dict[str, Team] = {}
    for group in ClientGroup:
        if group in {ClientGroup.SEVERE_LEARNING_DISABILITIES, ClientGroup.MILD_LEARNING_DISABILITIES,
                     ClientGroup.SEVERE_MENTAL_HEALTH, ClientGroup.MILD_MENTAL_HEALTH}:  # fmt: skip
            mapping[group] = ld
        elif group in OLDER or group == ClientGroup.PHYSICAL_SENSORY:
            mapping[group] = older
        else:
            mapping[group] = housing
    return mapping


def _dated(person: Person, cal: DemoCalendar, day: dt.date, i: int) -> None:
    """Date a new demo person's record (and its first history entry) on their referral day."""
    moment = cal.at(day, 9 + i % 8, (i * 7) % 60)
    backdate(Person, person.pk, created_at=moment, updated_at=moment)
    person.history.filter(id=person.pk).update(history_date=moment)


@transaction.atomic
def load_demo(people_per_authority: int = 200, today: dt.date | None = None) -> list[tuple[str, str, str]]:
    """Create (or leave as they are) the demo authorities. Returns (authority, role, username)."""
    cal = DemoCalendar.on(today)
    logins: list[tuple[str, str, str]] = []
    password_hash = make_password(DEMO_PASSWORD)
    for demo in AUTHORITIES:
        authority, _ = Authority.objects.get_or_create(slug=demo.slug, defaults={"name": demo.name})
        teams = [Team.objects.get_or_create(authority=authority, name=name)[0] for name in demo.teams]
        users: dict[str, User] = {}
        for role in Role:
            name = username(demo.slug, role)
            user, created = User.objects.get_or_create(
                username=name, defaults={"full_name": ROLE_NAMES[role], "password": password_hash,
                                         "email": f"{name}@example.org"},
            )  # fmt: skip
            Membership.objects.get_or_create(user=user, authority=authority, role=role)
            users[role] = user
            logins.append((demo.name, Role(role).label, name))
        # The assessor works in the first team; the planner in the first two.
        teams[0].members.add(users[Role.ASSESSOR], users[Role.PLANNER])
        teams[1].members.add(users[Role.PLANNER])
        if Person.objects.filter(authority=authority).exists():
            continue
        rng = random.Random(demo.seed)
        mapping = _team_for_group(teams)
        admin = users[Role.ADMIN]
        for i in range(people_per_authority):
            data = _person_data(rng, demo, mapping, cal.today)
            if data["team"] == teams[0] and rng.random() < 0.6:
                data["allocated_worker"] = users[Role.ASSESSOR]
            person = services.create_person(admin, authority, data, "Demo data")
            day = referred_on(i, people_per_authority, cal)
            _dated(person, cal, day, i)
            if i % 9 == 0:
                called = min(day + dt.timedelta(days=1 + i % 5), cal.today)
                contact = services.add_contact(users[Role.ASSESSOR], person, {
                    "happened_at": cal.at(called, 10), "kind": ContactKind.PHONE,
                    "summary": "Talked through the self-assessment", "notes": "Prefers a call in the morning.",
                })  # fmt: skip
                backdate(ContactLogEntry, contact.pk, recorded_at=cal.at(called, 11))
        # The demo person and their representative, on the assessor's caseload: brought in with
        # the caseload at go-live; her son has acted for her since before then.
        own = services.create_person(admin, authority, {
            "given_name": "Margaret", "family_name": "Okafor", "date_of_birth": dt.date(1944, 3, 27),
            "sex": Sex.FEMALE, "address_line_1": "12 Orchard Close", "town": demo.towns[0],
            "postcode": f"{demo.postcode_area}1 2AB", "nhs_number": "9434765919",
            "client_group": ClientGroup.OLDER_PEOPLE, "facs_band": FacsBand.SUBSTANTIAL,
            "primary_support_reason": PrimarySupportReason.PHYSICAL, "contact_preference": ContactMethod.PHONE,
            "phone": "01632 960001", "has_capacity": True, "consents_to_share": True, "team": teams[0],
            "allocated_worker": users[Role.ASSESSOR], "user": users[Role.PERSON],
        }, "Demo data")  # fmt: skip
        _dated(own, cal, cal.start + dt.timedelta(days=2), people_per_authority)
        rep = services.save_representative(admin, own, {
            "name": "Sam Okafor", "type": RepresentativeType.FAMILY, "relationship": "son",
            "user": users[Role.REPRESENTATIVE], "may_view_record": True, "may_complete_assessment": True,
            "may_agree_plan": True, "may_manage_money": False, "starts_on": cal.start - dt.timedelta(days=90),
        }, "Demo data")  # fmt: skip
        rep.history.filter(id=rep.pk).update(history_date=cal.at(cal.start + dt.timedelta(days=2), 17))
    return logins
