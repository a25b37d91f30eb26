"""Accounts, managed by the council's administrators: invite, give and take roles and teams,
switch an account off and on, and API tokens. The pages, the API and the CLI call these, so the
rules are the same everywhere, and every change is in the audit log with its reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction, Role
from selfdirect.core.dates import format_date
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import ApiToken, Authority, Membership, User
from selfdirect.people.models import Person, Representative, Team

from . import emails
from .models import Deactivation, Invitation, hash_link, new_link

MAX_INVITATION_DAYS = 30
MAX_TOKEN_DAYS = 366


class LinkGone(Exception):
    """An invitation link that cannot be used: unknown, expired, withdrawn or already used."""


def role_labels(roles: Iterable[str]) -> list[str]:
    """The roles' names, in the order the roles are listed everywhere (Role)."""
    held = set(roles)
    return [str(r.label) for r in Role if r.value in held]


def _roles(values: Sequence[str]) -> list[str]:
    unknown = [v for v in values if v not in Role.values]
    if unknown:
        raise ServiceError({"roles": [f"There is no role called {', '.join(unknown)}: choose from the list"]})
    if not values:
        raise ServiceError({"roles": ["Select at least one role"]})
    return sorted(set(values))


def _teams(authority: Authority, team_ids: Sequence[int]) -> list[Team]:
    teams = list(Team.objects.filter(authority=authority, pk__in=team_ids))
    if len(teams) != len(set(team_ids)):
        raise ServiceError({"teams": ["Choose teams of this council from the list"]})
    return teams


def staff(authority: Authority) -> QuerySet[User]:
    """Everyone with an account in the authority: holding a role there now, or switched off there."""
    return (
        User.objects.filter(Q(memberships__authority=authority) | Q(deactivations__authority=authority))
        .distinct()
        .order_by("full_name", "username")
    )


def is_switched_off(user: User, authority: Authority) -> bool:
    return Deactivation.objects.filter(authority=authority, user=user).exists()


# Invitations ---------------------------------------------------------------------------------


def invite(
    actor: User,
    authority: Authority,
    *,
    email: str,
    full_name: str,
    roles: Sequence[str],
    team_ids: Sequence[int] = (),
    days: int = 7,
    person: Person | None = None,
    representative: Representative | None = None,
    link_base: str,
) -> tuple[Invitation, str]:
    """Invite someone to set up an account with ``roles`` (and ``team_ids``) in the authority: an
    email with a one-time link valid for ``days``. A waiting invitation to the same address is
    withdrawn (the newest link is the one that works). Returns the invitation and its link."""
    errors: dict[str, list[str]] = {}
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter an email address in the correct format, like name@example.com"]
    if not full_name.strip():
        errors["full_name"] = ["Enter their full name"]
    if not 1 <= days <= MAX_INVITATION_DAYS:
        errors["days"] = [f"The link must last between 1 and {MAX_INVITATION_DAYS} days"]
    try:
        roles = _roles(roles)
        teams = _teams(authority, team_ids)
    except ServiceError as exc:
        errors.update(exc.errors)
        teams = []
    if "email" not in errors:
        existing = User.objects.filter(email__iexact=email, memberships__authority=authority).first()
        if existing is not None:
            errors["email"] = [f"{existing} already has an account here with this email: change their roles instead"]
    if person is not None and person.authority_id != authority.pk:
        errors["person"] = ["That person is not on this council's records"]
    if person is not None and person.user_id is not None:
        errors["person"] = [f"{person} already has an account"]
    if errors:
        raise ServiceError(errors)
    raw = new_link()
    now = timezone.now()
    with transaction.atomic():
        waiting = Invitation.objects.select_for_update().filter(
            authority=authority, email=email, accepted_at__isnull=True, withdrawn_at__isnull=True
        )
        for old in waiting:
            old.withdrawn_at = now
            old.save(update_fields=["withdrawn_at"])
        invitation = Invitation.objects.create(
            authority=authority, email=email, full_name=full_name.strip(), roles=roles, person=person,
            representative=representative, link_hash=hash_link(raw), created_at=now,
            expires_at=now + dt.timedelta(days=days), invited_by=actor,
        )  # fmt: skip
        invitation.teams.set(teams)
        audit.record(
            actor=actor, authority=authority, action=AuditAction.CREATE, obj=invitation,
            reason=f"Invited {full_name.strip()} as {', '.join(role_labels(roles))}",
            changes={"email": [None, email], "roles": [None, role_labels(roles)],
                     "teams": [None, [t.name for t in teams]], "expires": [None, format_date(invitation.expires_at)]},
            person_id=person.pk if person else (representative.person_id if representative else None),
        )  # fmt: skip
        link = f"{link_base.rstrip('/')}/accounts/invitation/{raw}/"
        transaction.on_commit(lambda: emails.invitation(invitation, link, role_labels(roles)))
    return invitation, link


def withdraw(actor: User, invitation: Invitation) -> None:
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at or locked.withdrawn_at:
            raise ServiceError(f"The invitation was already {locked.state.lower()}")
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["withdrawn_at"])
        audit.record(actor=actor, authority=locked.authority, action=AuditAction.CHANGE, obj=locked,
                     reason="Invitation withdrawn", changes={"state": ["Waiting", "Withdrawn"]})  # fmt: skip


def invitation_for(raw: str) -> Invitation:
    """The waiting invitation a link belongs to; LinkGone saying why when it cannot be used."""
    found = Invitation.objects.select_related("authority").filter(link_hash=hash_link(raw)).first()
    if found is None:
        raise LinkGone("This link is not one we sent, or it has been copied wrongly: check the email, or ask "
                       "your council's administrator for a new invitation")  # fmt: skip
    if found.accepted_at:
        raise LinkGone("This link has already been used to set up an account: sign in instead, or reset your "
                       "password if you have forgotten it")  # fmt: skip
    if found.withdrawn_at:
        raise LinkGone("This invitation was withdrawn or replaced by a newer one: use the link in the latest "
                       "email, or ask your council's administrator for a new invitation")  # fmt: skip
    if found.expires_at <= timezone.now():
        raise LinkGone(f"This link expired on {format_date(timezone.localtime(found.expires_at).date())}: ask "
                       "your council's administrator for a new invitation")  # fmt: skip
    return found


def existing_account(invitation: Invitation) -> User | None:
    """An account already using the invitation's email (in another council, say): the invitation
    then adds roles to it, once its holder has signed in, rather than making a second account."""
    return User.objects.filter(email__iexact=invitation.email).first()


def accept(raw: str, *, password: str | None, signed_in: User | None = None) -> User:
    """Use the link: make the account with ``password`` (or, when the email already has an account,
    add the roles to ``signed_in``, who must be that account), give its roles and teams, and link it
    to the person or representative it was sent for. Once only, even when two tabs race."""
    with transaction.atomic():
        invitation = invitation_for(raw)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:  # accepted by the other tab while this one waited for the lock
            raise LinkGone("This link has already been used to set up an account: sign in instead")
        user = existing_account(invitation)
        if user is not None:
            if signed_in is None or signed_in.pk != user.pk:
                raise ServiceError({"__all__": [f"An account with the email {invitation.email} already exists: "
                                                "sign in to it first, then open this link again"]})  # fmt: skip
        else:
            try:
                validate_password(password or "")
            except ValidationError as exc:
                raise ServiceError({"password": list(exc.messages)}) from None
            user = User.objects.create_user(
                invitation.email, email=invitation.email, password=password, full_name=invitation.full_name
            )
        authority = invitation.authority
        for role in invitation.roles:
            Membership.objects.get_or_create(user=user, authority=authority, role=role)
        for team in invitation.teams.all():
            team.members.add(user)
        if invitation.person_id:
            Person.objects.filter(pk=invitation.person_id, user__isnull=True).update(user=user)
        if invitation.representative_id:
            Representative.objects.filter(pk=invitation.representative_id).update(user=user)
        Deactivation.objects.filter(authority=authority, user=user).delete()
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit.record(
            actor=user, authority=authority, action=AuditAction.CHANGE, obj=invitation,
            reason=f"{user} accepted the invitation and set up their account",
            changes={"state": ["Waiting", "Accepted"], "roles": [None, role_labels(invitation.roles)]},
            person_id=invitation.person_id,
        )  # fmt: skip
    return user


# Roles, teams, switching off -------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    roles: list[str]
    team_ids: list[int]


def holding(user: User, authority: Authority) -> Holding:
    """What the account holds in the authority now, or held when it was switched off."""
    off = Deactivation.objects.filter(authority=authority, user=user).first()
    if off is not None:
        return Holding(list(off.roles), list(off.team_ids))
    roles = sorted(Membership.objects.filter(user=user, authority=authority).values_list("role", flat=True))
    teams = sorted(Team.objects.filter(authority=authority, members=user).values_list("pk", flat=True))
    return Holding(roles, teams)


def _other_admins(authority: Authority, user: User) -> bool:
    return Membership.objects.filter(authority=authority, role=Role.ADMIN).exclude(user=user).exists()


def set_roles(
    actor: User, authority: Authority, user: User, roles: Sequence[str], team_ids: Sequence[int], reason: str
) -> bool:
    """Give the account exactly ``roles`` and ``team_ids`` in the authority (switching it back on
    if it was off). False when nothing changed."""
    roles = _roles(roles)
    teams = _teams(authority, team_ids)
    if not reason.strip():
        raise ServiceError({"reason": ["Say why you are making this change"]})
    with transaction.atomic():
        was_off = Deactivation.objects.select_for_update().filter(authority=authority, user=user).first()
        before = holding(user, authority)
        if Role.ADMIN in before.roles and Role.ADMIN not in roles and not _other_admins(authority, user):
            raise ServiceError({"roles": [f"{user} is the council's only administrator: make someone else an "
                                          "administrator first"]})  # fmt: skip
        after = Holding(roles, sorted(t.pk for t in teams))
        if was_off is None and after == before:
            return False
        Membership.objects.filter(user=user, authority=authority).exclude(role__in=roles).delete()
        for role in roles:
            Membership.objects.get_or_create(user=user, authority=authority, role=role)
        for team in Team.objects.filter(authority=authority, members=user).exclude(pk__in=after.team_ids):
            team.members.remove(user)
        for team in teams:
            team.members.add(user)
        changes: dict[str, list[object]] = {"roles": [role_labels(before.roles), role_labels(roles)],
                   "teams": [_team_names(before.team_ids), [t.name for t in teams]]}  # fmt: skip
        if was_off is not None:
            was_off.delete()
            changes["account"] = ["Switched off", "Switched on"]
            if not user.is_active:
                user.is_active = True
                user.save(update_fields=["is_active"])
        audit.record(actor=actor, authority=authority, action=AuditAction.CHANGE, obj=user, reason=reason,
                     changes=changes)  # fmt: skip
    return True


def _team_names(ids: Sequence[int]) -> list[str]:
    return list(Team.objects.filter(pk__in=ids).order_by("name").values_list("name", flat=True))


def switch_off(actor: User, authority: Authority, user: User, reason: str) -> None:
    """Switch the account off in the authority: its roles and teams there go (kept on the record to
    offer again), its API tokens there are revoked, and if it holds no role in any other council it
    cannot sign in at all, so a session it has open stops working at its next request."""
    if not reason.strip():
        raise ServiceError({"reason": ["Say why you are switching the account off"]})
    if user.pk == actor.pk:
        raise ServiceError({"__all__": ["You cannot switch off your own account: ask another administrator"]})
    with transaction.atomic():
        if Deactivation.objects.select_for_update().filter(authority=authority, user=user).exists():
            raise ServiceError({"__all__": [f"{user}'s account is already switched off"]})
        now = holding(user, authority)
        if not now.roles:
            raise ServiceError({"__all__": [f"{user} has no account at this council"]})
        if Role.ADMIN in now.roles and not _other_admins(authority, user):
            raise ServiceError({"__all__": [f"{user} is the council's only administrator: make someone else an "
                                            "administrator first"]})  # fmt: skip
        Deactivation.objects.create(authority=authority, user=user, roles=now.roles, team_ids=now.team_ids,
                                    by=actor, reason=reason.strip())  # fmt: skip
        Membership.objects.filter(user=user, authority=authority).delete()
        for team in Team.objects.filter(authority=authority, members=user):
            team.members.remove(user)
        revoked = ApiToken.objects.filter(user=user, authority=authority, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        changes: dict[str, list[object]] = {"account": ["Switched on", "Switched off"],
                                            "roles": [role_labels(now.roles), []]}  # fmt: skip
        if revoked:
            changes["API tokens revoked"] = [None, revoked]
        if not Membership.objects.filter(user=user).exists():
            user.is_active = False
            user.save(update_fields=["is_active"])
        audit.record(actor=actor, authority=authority, action=AuditAction.CHANGE, obj=user, reason=reason,
                     changes=changes)  # fmt: skip


# API tokens --------------------------------------------------------------------------------------


def make_token(
    user: User, authority: Authority, *, name: str, expires_on: dt.date | None, actor: User | None = None
) -> tuple[ApiToken, str]:
    """A token for ``user`` in the authority, named and ending at the start of ``expires_on``; its
    value is returned once and never kept."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Enter a name that says what the token is for, like 'Finance system'"]
    today = timezone.localdate()
    if expires_on is None:
        errors["expires_on"] = ["Enter the date the token stops working"]
    elif expires_on <= today:
        errors["expires_on"] = ["The date the token stops working must be in the future"]
    elif expires_on > today + dt.timedelta(days=MAX_TOKEN_DAYS):
        errors["expires_on"] = [f"A token can last at most a year: choose a date by "
                                f"{format_date(today + dt.timedelta(days=MAX_TOKEN_DAYS))}"]  # fmt: skip
    if not user.roles_in(authority):
        errors["__all__"] = [f"{user} holds no role at this council"]
    if errors:
        raise ServiceError(errors)
    assert expires_on is not None
    ends = timezone.make_aware(dt.datetime.combine(expires_on, dt.time.min))
    with transaction.atomic():
        token, raw = ApiToken.issue(user, authority, name.strip(), expires_at=ends)
        audit.record(actor=actor or user, authority=authority, action=AuditAction.CREATE, obj=token,
                     reason=f"API token made for {user}",
                     changes={"name": [None, token.name], "expires": [None, format_date(expires_on)]})  # fmt: skip
    return token, raw


def revoke_token(actor: User, token: ApiToken, reason: str = "Revoked") -> None:
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at:
            raise ServiceError("The token was already revoked")
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(actor=actor, authority=locked.authority, action=AuditAction.CHANGE, obj=locked,
                     reason=reason or "Revoked", changes={"state": ["In use", "Revoked"]})  # fmt: skip
