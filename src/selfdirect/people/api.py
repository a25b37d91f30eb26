"""The people API: people, representatives, caseloads and contacts. Handlers are thin: they
find records through people_scope (404 when not visible), check the permission (403) and call
the same services as the web pages."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from selfdirect.core.api_schema import Id, Input, Moment, Pages, Reason, required
from selfdirect.core.http import AuthedRequest, current_authority, require
from selfdirect.core.models import AuditEvent, User

from . import services
from .access import Purpose, people_scope, team_scope
from .constants import (
    ClientGroup,
    ContactKind,
    ContactMethod,
    FacsBand,
    PrimarySupportReason,
    RepresentativeType,
    Sex,
)
from .models import Person, Representative, Team

router = Router(tags=["people"])


class PersonOut(Schema):
    id: int
    reference: str
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: dt.date
    sex: Sex
    address_line_1: str
    address_line_2: str
    town: str
    postcode: str
    nhs_number: str
    client_group: ClientGroup
    facs_band: FacsBand
    primary_support_reason: PrimarySupportReason
    contact_preference: ContactMethod
    phone: str
    email: str
    team_id: int | None
    allocated_worker_id: int | None


class CaseNotesOut(Schema):
    has_capacity: bool | None
    capacity_notes: str
    consents_to_share: bool
    consent_notes: str
    contact_notes: str


class PersonDetailOut(PersonOut):
    case_notes: CaseNotesOut | None = Field(None, description="Only for those who may see case notes")


class PersonIn(Input):
    reference: str = ""
    given_name: str = Field(..., min_length=1, max_length=100)
    family_name: str = Field(..., min_length=1, max_length=100)
    preferred_name: str = ""
    date_of_birth: dt.date
    sex: Sex = Sex.NOT_SAID
    address_line_1: str = Field(..., min_length=1)
    address_line_2: str = ""
    town: str = Field(..., min_length=1)
    postcode: str = Field(..., min_length=1, max_length=10)
    nhs_number: str = ""
    client_group: ClientGroup
    facs_band: FacsBand = FacsBand.NOT_ASSESSED
    primary_support_reason: PrimarySupportReason
    contact_preference: ContactMethod = ContactMethod.PHONE
    phone: str = ""
    email: str = ""
    team_id: Id | None = None
    reason: Reason = Field("New referral", description="Why the record is being created")


class PersonPatch(Input):
    """Only the fields sent change. None may be null except has_capacity (null: not yet assessed);
    an empty string clears an optional text field."""

    given_name: str = required(min_length=1, max_length=100)
    family_name: str = required(min_length=1, max_length=100)
    preferred_name: str = required()
    date_of_birth: dt.date = required()
    sex: Sex = required()
    address_line_1: str = required(min_length=1)
    address_line_2: str = required()
    town: str = required(min_length=1)
    postcode: str = required(min_length=1, max_length=10)
    nhs_number: str = required(description="Ten digits; an empty string removes it")
    client_group: ClientGroup = required()
    facs_band: FacsBand = required()
    primary_support_reason: PrimarySupportReason = required()
    contact_preference: ContactMethod = required()
    phone: str = required()
    email: str = required()
    contact_notes: str = required()
    has_capacity: bool | None = Field(None, description="null: not yet assessed")
    capacity_notes: str = required()
    consents_to_share: bool = required()
    consent_notes: str = required()
    reason: Reason = Field(..., description="Why the change is being made")


class ChangesOut(Schema):
    changes: dict[str, list[Any]]


class RepresentativeOut(Schema):
    id: int
    name: str
    type: RepresentativeType
    relationship: str
    phone: str
    email: str
    user_id: int | None
    may_view_record: bool
    may_complete_assessment: bool
    may_agree_plan: bool
    may_manage_money: bool
    evidence: str
    starts_on: dt.date
    ends_on: dt.date | None


class RepresentativeIn(Input):
    name: str = Field(..., min_length=1, max_length=200)
    type: RepresentativeType
    relationship: str = ""
    phone: str = ""
    email: str = ""
    user_id: Id | None = None
    may_view_record: bool = True
    may_complete_assessment: bool = False
    may_agree_plan: bool = False
    may_manage_money: bool = False
    evidence: str = ""
    starts_on: dt.date
    ends_on: dt.date | None = None
    reason: Reason


class ReasonIn(Input):
    reason: Reason


class TeamOut(Schema):
    id: int
    name: str
    people: int
    member_ids: list[int]


class AllocationIn(Input):
    team_id: Id | None
    allocated_worker_id: Id | None
    reason: Reason


class ContactOut(Schema):
    id: int
    happened_at: dt.datetime
    kind: ContactKind
    summary: str
    notes: str
    recorded_by_id: int


class ContactIn(Input):
    happened_at: Moment = Field(..., description="When the contact happened: today or earlier, from 1900")
    kind: ContactKind
    summary: str = Field(..., min_length=1, max_length=200)
    notes: str = ""


class EventOut(Schema):
    at: dt.datetime
    actor: str = Field(..., alias="actor_label")
    action: str
    object_type: str
    object_label: str
    changes: dict[str, list[Any]]
    reason: str


class PeopleFilter(Input):
    q: str = Field("", description="Words matched against name, reference, postcode or NHS number")
    facs_band: FacsBand | None = None
    client_group: ClientGroup | None = None
    team_id: Id | None = None




def _person(request: AuthedRequest, person_id: int, purpose: Purpose = "view") -> Person:
    authority = current_authority(request)
    person = get_object_or_404(people_scope(request.user, authority), pk=person_id)
    if purpose != "view" and not people_scope(request.user, authority, purpose).filter(pk=person_id).exists():
        raise PermissionDenied(purpose)
    return person




def _detail(request: AuthedRequest, person: Person) -> dict[str, Any]:
    data = PersonOut.from_orm(person).dict()
    if request.user.has_perm("people.view_case_notes", person):
        data["case_notes"] = CaseNotesOut.from_orm(person).dict()
    return data


def _team(request: AuthedRequest, authority: Any, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = team_scope(request.user, authority).filter(pk=team_id).first()
    if team is None:
        raise services.ServiceError({"team_id": ["No such team in this authority"]})
    return team


@router.get("/people", response=list[PersonOut], summary="People you work with")
@paginate(Pages)
def list_people(request: AuthedRequest, filters: Query[PeopleFilter]) -> Any:
    people = people_scope(request.user, current_authority(request))
    for word in filters.q.split():
        people = people.filter(
            Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(reference__iexact=word)
            | Q(postcode__istartswith=word) | Q(nhs_number=word)
        )  # fmt: skip
    if filters.facs_band:
        people = people.filter(facs_band=filters.facs_band)
    if filters.client_group:
        people = people.filter(client_group=filters.client_group)
    if filters.team_id is not None:
        people = people.filter(team_id=filters.team_id)
    return people


@router.post("/people", response={201: PersonDetailOut}, summary="Add a person")
def create_person(request: AuthedRequest, payload: PersonIn) -> Any:
    authority = current_authority(request)
    require(request, "people.add_person", authority)
    data = payload.dict(exclude={"reason", "team_id"})
    data["team"] = _team(request, authority, payload.team_id)
    if data["team"] is None and "admin" not in request.roles:
        raise services.ServiceError({"team_id": ["Choose the team whose caseload this person joins"]})
    if (
        data["team"] is not None
        and "admin" not in request.roles
        and not data["team"].members.filter(pk=request.user.pk).exists()
    ):
        raise services.ServiceError({"team_id": ["You can only add people to your own team's caseload"]})
    person = services.create_person(request.user, authority, data, payload.reason)
    return Status(201, _detail(request, person))


@router.get("/people/{person_id}", response=PersonDetailOut, summary="One person")
def get_person(request: AuthedRequest, person_id: int) -> Any:
    return _detail(request, _person(request, person_id))


@router.patch("/people/{person_id}", response=ChangesOut, summary="Change a person's record")
def patch_person(request: AuthedRequest, person_id: int, payload: PersonPatch) -> Any:
    person = _person(request, person_id, "edit")
    data = payload.dict(exclude={"reason"}, exclude_unset=True)
    changes = services.update_person(request.user, person, data, payload.reason)
    return {"changes": changes}


@router.delete("/people/{person_id}", response={204: None}, summary="Remove a person's record")
def delete_person(request: AuthedRequest, person_id: int, payload: ReasonIn) -> Any:
    person = _person(request, person_id)
    require(request, "people.delete_person", person)
    services.delete_person(request.user, person, payload.reason)
    return Status(204, None)


@router.put("/people/{person_id}/allocation", response=ChangesOut, summary="Set team and allocated worker")
def allocate(request: AuthedRequest, person_id: int, payload: AllocationIn) -> Any:
    person = _person(request, person_id)
    require(request, "people.allocate_person", person)
    worker = None
    if payload.allocated_worker_id is not None:
        worker = User.objects.filter(
            pk=payload.allocated_worker_id, memberships__authority=person.authority
        ).first()
        if worker is None:
            raise services.ServiceError({"allocated_worker_id": ["No such worker in this authority"]})
    changes = services.allocate(
        request.user, person, _team(request, person.authority, payload.team_id), worker, payload.reason
    )
    return {"changes": changes}


@router.get(
    "/people/{person_id}/history", response=list[EventOut], summary="Who changed the record, when and why"
)
@paginate(Pages)
def history(request: AuthedRequest, person_id: int) -> Any:
    person = _person(request, person_id, "case")
    return AuditEvent.objects.filter(authority=person.authority, person_id=person.pk)


@router.get("/people/{person_id}/representatives", response=list[RepresentativeOut], tags=["representatives"])
def list_representatives(request: AuthedRequest, person_id: int) -> Any:
    return _person(request, person_id).representatives.all()


def _rep_data(person: Person, payload: RepresentativeIn) -> dict[str, Any]:
    data = payload.dict(exclude={"reason", "user_id"})
    data["user"] = None
    if payload.user_id is not None:
        data["user"] = User.objects.filter(
            pk=payload.user_id, memberships__authority=person.authority
        ).first()
        if data["user"] is None:
            raise services.ServiceError({"user_id": ["No such user in this authority"]})
    return data


@router.post(
    "/people/{person_id}/representatives", response={201: RepresentativeOut}, tags=["representatives"]
)
def add_representative(request: AuthedRequest, person_id: int, payload: RepresentativeIn) -> Any:
    person = _person(request, person_id)
    require(request, "people.manage_representatives", person)
    rep = services.save_representative(request.user, person, _rep_data(person, payload), payload.reason)
    return Status(201, rep)


@router.put(
    "/people/{person_id}/representatives/{rep_id}", response=RepresentativeOut, tags=["representatives"]
)
def change_representative(
    request: AuthedRequest, person_id: int, rep_id: int, payload: RepresentativeIn
) -> Any:
    person = _person(request, person_id)
    require(request, "people.manage_representatives", person)
    rep = get_object_or_404(Representative, pk=rep_id, person=person)
    return services.save_representative(
        request.user, person, _rep_data(person, payload), payload.reason, rep=rep
    )


@router.delete("/people/{person_id}/representatives/{rep_id}", response={204: None}, tags=["representatives"])
def remove_representative(request: AuthedRequest, person_id: int, rep_id: int, payload: ReasonIn) -> Any:
    person = _person(request, person_id)
    require(request, "people.manage_representatives", person)
    rep = get_object_or_404(Representative, pk=rep_id, person=person)
    services.delete_representative(request.user, rep, payload.reason)
    return Status(204, None)


@router.get("/people/{person_id}/contacts", response=list[ContactOut], tags=["contacts"])
@paginate(Pages)
def list_contacts(request: AuthedRequest, person_id: int) -> Any:
    return _person(request, person_id, "case").contacts.all()


@router.post("/people/{person_id}/contacts", response={201: ContactOut}, tags=["contacts"])
def add_contact(request: AuthedRequest, person_id: int, payload: ContactIn) -> Any:
    person = _person(request, person_id)
    require(request, "people.add_contact", person)
    return Status(201, services.add_contact(request.user, person, payload.dict()))


def _teams(request: AuthedRequest) -> Any:
    authority = current_authority(request)
    teams = team_scope(request.user, authority)
    if "admin" not in request.roles:
        teams = teams.filter(members=request.user)
    return teams


@router.get(
    "/teams",
    response=list[TeamOut],
    tags=["caseloads"],
    summary="Teams you belong to (all, for administrators)",
)
def list_teams(request: AuthedRequest) -> Any:
    teams = _teams(request).annotate(people=Count("caseload", distinct=True)).prefetch_related("members")
    return [
        {"id": t.id, "name": t.name, "people": t.people, "member_ids": [m.pk for m in t.members.all()]}
        for t in teams
    ]


@router.get(
    "/teams/{team_id}/caseload", response=list[PersonOut], tags=["caseloads"], summary="A team's caseload"
)
@paginate(Pages)
def caseload(request: AuthedRequest, team_id: int) -> Any:
    team = get_object_or_404(_teams(request), pk=team_id)
    return people_scope(request.user, team.authority).filter(team=team)
