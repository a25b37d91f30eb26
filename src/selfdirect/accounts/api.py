"""The accounts API: the council's administrators manage accounts (invite, roles and teams, switch
off); everyone with a staff role manages their own API tokens. The same services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from selfdirect.core import access
from selfdirect.core.api_schema import Input, Reason
from selfdirect.core.constants import STAFF_ROLES, Role
from selfdirect.core.http import AuthedRequest, current_authority
from selfdirect.core.models import ApiToken, Authority

from . import services
from .models import Invitation

router = Router(tags=["accounts"])


def _admin(request: AuthedRequest) -> Authority:
    authority = current_authority(request)
    if Role.ADMIN not in request.roles:
        raise PermissionDenied("only the council's administrators manage accounts")
    return authority


def _account_of(request: AuthedRequest, user_id: int) -> tuple[Authority, Any]:
    """An account of the administrator's council, or 404 (another council's is never found)."""
    authority = _admin(request)
    return authority, get_object_or_404(services.staff(authority), pk=user_id)


class AccountOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    roles: list[Role] = Field(description="Held now; when switched off, the roles held before")
    team_ids: list[int]
    switched_off: bool
    last_login: dt.datetime | None


def _account(user: Any, authority: Authority) -> dict[str, Any]:
    held = services.holding(user, authority)
    return {"id": user.pk, "username": user.username, "full_name": user.full_name, "email": user.email,
            "roles": held.roles, "team_ids": held.team_ids, "switched_off": services.is_switched_off(user, authority),
            "last_login": user.last_login}  # fmt: skip


@router.get("/accounts", response=list[AccountOut], summary="Everyone with an account at the council")
def list_accounts(request: AuthedRequest) -> Any:
    authority = _admin(request)
    return [_account(user, authority) for user in services.staff(authority)]


class AccountInvitationIn(Input):
    email: str = Field(..., max_length=254)
    full_name: str = Field(..., min_length=1, max_length=200)
    roles: list[Role] = Field(..., min_length=1)
    team_ids: list[int] = []
    days: int = Field(7, ge=1, le=services.MAX_INVITATION_DAYS, description="How many days the link works")


class AccountInvitationOut(Schema):
    id: int
    email: str
    full_name: str
    roles: list[Role]
    state: str = Field(description="Waiting, Accepted, Withdrawn or Expired")
    expires_at: dt.datetime


def _invitation(invitation: Invitation) -> dict[str, Any]:
    return {"id": invitation.pk, "email": invitation.email, "full_name": invitation.full_name,
            "roles": invitation.roles, "state": invitation.state, "expires_at": invitation.expires_at}  # fmt: skip


@router.post(
    "/accounts/invitations", response={201: AccountInvitationOut},
    summary="Invite someone by email to set up an account (the link goes only to their email)",
)  # fmt: skip
def create_invitation(request: AuthedRequest, payload: AccountInvitationIn) -> Any:
    authority = _admin(request)
    invitation, _ = services.invite(
        request.user, authority, email=payload.email, full_name=payload.full_name, roles=list(payload.roles),
        team_ids=payload.team_ids, days=payload.days, link_base=request.build_absolute_uri("/"),
    )  # fmt: skip
    return Status(201, _invitation(invitation))


@router.get("/accounts/invitations", response=list[AccountInvitationOut], summary="Invitations, newest first")
def list_invitations(request: AuthedRequest) -> Any:
    authority = _admin(request)
    return [_invitation(i) for i in access.scoped(Invitation, request.user, authority)[:200]]


@router.post("/accounts/invitations/{invitation_id}/withdraw", response=AccountInvitationOut)
def withdraw_invitation(request: AuthedRequest, invitation_id: int) -> Any:
    authority = _admin(request)
    invitation = get_object_or_404(access.scoped(Invitation, request.user, authority), pk=invitation_id)
    services.withdraw(request.user, invitation)
    invitation.refresh_from_db()
    return _invitation(invitation)


class RolesIn(Input):
    roles: list[Role] = Field(..., min_length=1)
    team_ids: list[int] = []
    reason: Reason


@router.put(
    "/accounts/{user_id}/roles", response=AccountOut,
    summary="Give an account exactly these roles and teams (switching it on if it was off)",
)  # fmt: skip
def set_roles(request: AuthedRequest, user_id: int, payload: RolesIn) -> Any:
    authority, user = _account_of(request, user_id)
    services.set_roles(request.user, authority, user, list(payload.roles), payload.team_ids, payload.reason)
    return _account(user, authority)


class SwitchOffIn(Input):
    reason: Reason


@router.post(
    "/accounts/{user_id}/switch-off", response=AccountOut,
    summary="Switch an account off: its roles, teams and API tokens here go at once",
)  # fmt: skip
def switch_off(request: AuthedRequest, user_id: int, payload: SwitchOffIn) -> Any:
    authority, user = _account_of(request, user_id)
    services.switch_off(request.user, authority, user, payload.reason)
    user.refresh_from_db()
    return _account(user, authority)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart")
    state: str = Field(description="In use, Expired or Revoked")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="The token itself: shown this once, never kept")


class TokenIn(Input):
    name: str = Field(..., min_length=1, max_length=100)
    expires_on: dt.date = Field(description="The day it stops working; at most a year away")


def _staff(request: AuthedRequest) -> Authority:
    authority = current_authority(request)
    if not request.roles & STAFF_ROLES:
        raise PermissionDenied("API tokens are for the council's staff and their systems")
    return authority


@router.get("/me/tokens", response=list[TokenOut], summary="Your API tokens at this council")
def my_tokens(request: AuthedRequest) -> Any:
    authority = _staff(request)
    return ApiToken.objects.filter(user=request.user, authority=authority).order_by("-created_at")


@router.post("/me/tokens", response={201: NewTokenOut}, summary="Make an API token for yourself")
def make_token(request: AuthedRequest, payload: TokenIn) -> Any:
    authority = _staff(request)
    token, raw = services.make_token(request.user, authority, name=payload.name, expires_on=payload.expires_on)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.post("/tokens/{token_id}/revoke", response=TokenOut, summary="Revoke your token (administrators: any)")
def revoke_token(request: AuthedRequest, token_id: int) -> Any:
    authority = current_authority(request)
    tokens = ApiToken.objects.filter(authority=authority)
    if Role.ADMIN not in request.roles:
        tokens = tokens.filter(user=request.user)
    token = get_object_or_404(tokens, pk=token_id)
    services.revoke_token(request.user, token)
    token.refresh_from_db()
    return token
