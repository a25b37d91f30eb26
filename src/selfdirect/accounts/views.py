"""Staff accounts for administrators; invitations; a person's own account from their record; each
user's own account page with API tokens; password reset by email."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from selfdirect.core import access, audit
from selfdirect.core.constants import STAFF_ROLES, AuditAction, Role
from selfdirect.core.errors import ServiceError
from selfdirect.core.forms import GovukForm, ReasonMixin, apply_service_errors
from selfdirect.core.http import AuthedRequest, paged
from selfdirect.core.middleware import SESSION_KEY
from selfdirect.core.models import ApiToken, Authority, User
from selfdirect.people.models import Person, Representative

from . import oidc, second_factor, services
from .forms import (
    AcceptForm,
    ChangePasswordForm,
    CodeForm,
    IdentityProviderForm,
    InviteForm,
    NewPasswordForm,
    ResetForm,
    RolesForm,
    TokenForm,
)
from .models import IdentityProvider, Invitation


def _admin(request: AuthedRequest) -> Authority:
    if request.authority is None or Role.ADMIN not in request.roles:
        raise PermissionDenied("only the council's administrators manage accounts")
    return request.authority


def _site(request: AuthedRequest) -> str:
    return request.build_absolute_uri("/")


def _status(form: Any) -> int:
    return 400 if form.errors else 200


@login_required
def staff_list(request: AuthedRequest) -> HttpResponse:
    authority = _admin(request)
    accounts = services.staff(authority).prefetch_related("memberships")
    page, _ = paged(request, accounts, per_page=50)
    rows = [(user, services.holding(user, authority), services.is_switched_off(user, authority)) for user in page]
    waiting = [(i, services.role_labels(i.roles)) for i in access.scoped(Invitation, request.user, authority)
               .filter(accepted_at__isnull=True, withdrawn_at__isnull=True) if i.waiting]  # fmt: skip
    return render(request, "accounts/list.html", {
        "page": page, "rows": [(u, services.role_labels(h.roles), off) for u, h, off in rows], "waiting": waiting,
    })  # fmt: skip


def _sent(request: AuthedRequest, invitation: Invitation, link: str) -> None:
    note = " (in the demo, the email is written to var/mail)" if settings.SELFDIRECT_DEMO else ""
    messages.success(request, f"An invitation has been emailed to {invitation.email}{note}")


@login_required
def invite(request: AuthedRequest) -> HttpResponse:
    authority = _admin(request)
    form = InviteForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation, link = services.invite(
                request.user, authority, email=data["email"], full_name=data["full_name"], roles=data["roles"],
                team_ids=[t.pk for t in data["teams"]], days=data["days"], link_base=_site(request),
            )  # fmt: skip
        except ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            _sent(request, invitation, link)
            return redirect("accounts:list")
    return render(request, "accounts/invite.html", {"form": form}, status=_status(form))


@login_required
def invite_person(request: AuthedRequest, person_pk: int, rep_pk: int | None = None) -> HttpResponse:
    """Invite a person, or one of their representatives, to an account of their own, from the
    person's record: staff who may change the record may send it."""
    person = get_object_or_404(access.scoped(Person, request.user, request.authority, purpose="edit"), pk=person_pk)
    representative = None
    if rep_pk is not None:
        representative = get_object_or_404(
            access.scoped(Representative, request.user, request.authority).filter(person=person), pk=rep_pk
        )
    if request.authority is None or not request.roles & STAFF_ROLES:
        raise PermissionDenied("staff invite people to their accounts")
    who = representative or person
    initial = {"full_name": str(who), "email": who.email}
    form = InviteForm(request.POST or None, authority=request.authority, staff=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation, link = services.invite(
                request.user, request.authority, email=data["email"], full_name=data["full_name"],
                roles=[Role.REPRESENTATIVE if representative else Role.PERSON], days=data["days"],
                person=None if representative else person, representative=representative, link_base=_site(request),
            )  # fmt: skip
        except ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            _sent(request, invitation, link)
            return redirect(person)
    return render(request, "accounts/invite_person.html", {"form": form, "person": person,
                                                           "representative": representative},
                  status=_status(form))  # fmt: skip


def _account_of(request: AuthedRequest, user_pk: int) -> tuple[Authority, User]:
    """An account of the administrator's council, or 404 (another council's is never found)."""
    authority = _admin(request)
    return authority, get_object_or_404(services.staff(authority), pk=user_pk)


def _account_page(request: AuthedRequest, authority: Authority, user: User, *, form: RolesForm | None = None,
                  switch_off_form: ReasonMixin | None = None) -> HttpResponse:  # fmt: skip
    """The account's page; with the form that was sent and found wrong, if any (400)."""
    held = services.holding(user, authority)
    form = form or RolesForm(authority=authority, initial={"roles": held.roles, "teams": held.team_ids})
    refused = switch_off_form if switch_off_form is not None and switch_off_form.errors else None
    return render(request, "accounts/account.html", {
        "account": user, "roles": services.role_labels(held.roles), "off": services.is_switched_off(user, authority),
        "form": form, "tokens": ApiToken.objects.filter(user=user, authority=authority).order_by("-created_at"),
        "switch_off": switch_off_form or ReasonMixin(prefix="off"), "error_form": refused,
        "second_factor": second_factor.device(user), "reset": ReasonMixin(prefix="reset"),
    }, status=400 if form.errors or refused else 200)  # fmt: skip


@login_required
def account(request: AuthedRequest, user_pk: int) -> HttpResponse:
    """One account in the authority: its roles and teams (to change), its API tokens, switching off."""
    authority, user = _account_of(request, user_pk)
    held = services.holding(user, authority)
    form = RolesForm(request.POST or None, authority=authority,
                     initial={"roles": held.roles, "teams": held.team_ids})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.set_roles(request.user, authority, user, data["roles"],
                                         [t.pk for t in data["teams"]], data["reason"])  # fmt: skip
        except ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{user}'s roles are saved" if changed else "Nothing was changed")
            return redirect("accounts:account", user_pk=user.pk)
    return _account_page(request, authority, user, form=form)


@login_required
@require_POST
def switch_off(request: AuthedRequest, user_pk: int) -> HttpResponse:
    authority, user = _account_of(request, user_pk)
    form = ReasonMixin(request.POST, prefix="off")
    if form.is_valid():
        try:
            services.switch_off(request.user, authority, user, form.cleaned_data["reason"])
        except ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{user}'s account is switched off: they can no longer sign in here")
            return redirect("accounts:account", user_pk=user.pk)
    return _account_page(request, authority, user, switch_off_form=form)


@login_required
@require_POST
def withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(access.scoped(Invitation, request.user, request.authority), pk=pk)
    try:
        services.withdraw(request.user, invitation)
    except ServiceError as exc:
        messages.error(request, "; ".join(e for errors in exc.errors.values() for e in errors))
    else:
        messages.success(request, f"The invitation to {invitation.email} is withdrawn: its link no longer works")
    return redirect("accounts:list")


def accept(request: AuthedRequest, link: str) -> HttpResponse:
    """The link in an invitation: choose a password (or, when the email already has an account,
    sign in to it and accept), then go straight in."""
    try:
        invitation = services.invitation_for(link)
    except services.LinkGone as gone:
        return render(request, "accounts/link_gone.html", {"why": str(gone)}, status=410)
    existing = services.existing_account(invitation)
    posted = request.POST if request.method == "POST" else None
    form = AcceptForm(posted) if existing is None else GovukForm(posted)
    signed_in = request.user if request.user.is_authenticated else None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept(link, password=form.cleaned_data.get("password") if existing is None else None,
                                   signed_in=signed_in)  # fmt: skip
        except services.LinkGone as gone:
            return render(request, "accounts/link_gone.html", {"why": str(gone)}, status=410)
        except ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            if signed_in is None:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_KEY] = invitation.authority_id
            messages.success(request, f"Your account is ready: you are signed in to {invitation.authority.name}")
            return redirect("home")
    return render(request, "accounts/accept.html", {
        "invitation": invitation, "form": form, "existing": existing, "roles": services.role_labels(invitation.roles),
        "signed_in_as_them": existing is not None and signed_in is not None and signed_in.pk == existing.pk,
    }, status=_status(form))  # fmt: skip


@login_required
def me(request: AuthedRequest) -> HttpResponse:
    """Your own account: who you are, your roles here, your password and (staff) your API tokens."""
    authority = request.authority
    tokens = ApiToken.objects.filter(user=request.user, authority=authority).order_by("-created_at") if authority else []
    return render(request, "accounts/me.html", {
        "roles": services.role_labels(request.roles), "tokens": tokens,
        "may_have_tokens": bool(request.roles & STAFF_ROLES), "second_factor": second_factor.device(request.user),
    })  # fmt: skip


@login_required
def token_new(request: AuthedRequest) -> HttpResponse:
    if request.authority is None or not request.roles & STAFF_ROLES:
        raise PermissionDenied("API tokens are for the council's staff and their systems")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.make_token(request.user, request.authority, name=form.cleaned_data["name"],
                                             expires_on=form.cleaned_data["expires_on"])  # fmt: skip
        except ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            # Shown once, on this page only: it is never kept, nor put in a message that could be stored.
            return render(request, "accounts/token_made.html", {"token": token, "raw": raw})
    return render(request, "accounts/token_new.html", {"form": form}, status=_status(form))


@login_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    """Revoke your own token, or (administrators) any token of the council's."""
    token = ApiToken.objects.filter(pk=pk, authority=request.authority).select_related("user").first()
    if token is None or (token.user_id != request.user.pk and Role.ADMIN not in request.roles):
        raise Http404("no such token")
    try:
        services.revoke_token(request.user, token)
    except ServiceError as exc:
        messages.error(request, "; ".join(e for errors in exc.errors.values() for e in errors))
    else:
        messages.success(request, f"The token “{token.name}” is revoked: it no longer works")
    if token.user_id == request.user.pk:
        return redirect("accounts:me")
    return redirect("accounts:account", user_pk=token.user_id)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = ResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")
    extra_email_context = {"hours": settings.PASSWORD_RESET_TIMEOUT // 3600}


def _password_changed(user: User, reason: str) -> None:
    """In the audit log of every council the account works for (never the password itself)."""
    for authority in user.authorities():
        audit.record(actor=user, authority=authority, action=AuditAction.CHANGE, obj=user, reason=reason,
                     changes={"password": ["(hidden)", "(changed)"]})  # fmt: skip


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        _password_changed(form.user, "Password reset by email")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("accounts:me")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        _password_changed(form.user, "Password changed by its holder")
        messages.success(self.request, "Your password is changed")
        return response


@login_required
def two_factor(request: AuthedRequest) -> HttpResponse:
    """Enter the code from your authenticator app; or, the first time, set the app up."""
    user = request.user
    found = second_factor.device(user)
    setting_up = found is None
    dev = found or second_factor.pending(user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        ok = (second_factor.confirm(request, user, dev, code, list(user.authorities())) if setting_up
              else second_factor.check(request, dev, code))  # fmt: skip
        if ok:
            if setting_up:
                messages.success(request, "Your authenticator app is set up: you will enter a code each time you sign in")
            return redirect(next_url)
        form.add_error("code", "The code is not right: enter the 6 digits the app shows now (they change every 30 seconds)")
    return render(request, "accounts/two_factor.html", {
        "form": form, "setting_up": setting_up, "next": next_url,
        "key": second_factor.key_text(dev) if setting_up else "", "qr": second_factor.qr_svg(dev) if setting_up else "",
    }, status=_status(form))  # fmt: skip


@login_required
@require_POST
def reset_second_factor(request: AuthedRequest, user_pk: int) -> HttpResponse:
    authority, user = _account_of(request, user_pk)
    form = ReasonMixin(request.POST, prefix="reset")
    if not form.is_valid():
        messages.error(request, "Say why you are taking away their second factor")
    elif second_factor.reset(request.user, authority, user, form.cleaned_data["reason"]):
        messages.success(request, f"{user}'s second factor is taken away: they set up a new one when they next sign in")
    return redirect("accounts:account", user_pk=user.pk)


@login_required
def identity_provider(request: AuthedRequest) -> HttpResponse:
    """The council's own sign-in for staff (OpenID Connect): where to find it, and its client."""
    authority = _admin(request)
    current = IdentityProvider.objects.filter(authority=authority).first()
    initial = {"issuer": current.issuer, "client_id": current.client_id, "enabled": current.enabled} if current else {}
    form = IdentityProviderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["client_secret"] and current is None:
            form.add_error("client_secret", "Enter the client secret your identity provider gave you")
        else:
            try:
                endpoints = oidc.discover(data["issuer"])
            except ValidationError as exc:
                for message in exc.message_dict.get("issuer", []):
                    form.add_error("issuer", message)
            else:
                with transaction.atomic():
                    provider = current or IdentityProvider(authority=authority)
                    before = {"issuer": provider.issuer, "client ID": provider.client_id, "enabled": provider.enabled}
                    provider.issuer, provider.client_id, provider.enabled = data["issuer"], data["client_id"], data["enabled"]
                    provider.client_secret = data["client_secret"] or provider.client_secret
                    for key, value in endpoints.items():
                        setattr(provider, key, value)
                    provider.updated_by = request.user
                    provider.save()
                    after = {"issuer": provider.issuer, "client ID": provider.client_id, "enabled": provider.enabled}
                    changes = {k: [before[k] if current else None, after[k]] for k in after if not current or before[k] != after[k]}
                    if data["client_secret"]:
                        changes["client secret"] = ["(hidden)", "(changed)"]
                    audit.record(actor=request.user, authority=authority, action=AuditAction.CHANGE if current else AuditAction.CREATE,
                                 obj=provider, reason=data["reason"], changes=changes)  # fmt: skip
                messages.success(request, "Staff can now sign in with their council account" if data["enabled"]
                                 else "Signing in with the council account is switched off")  # fmt: skip
                return redirect("council")
    return render(request, "accounts/identity_provider.html", {
        "form": form, "current": current, "callback": request.build_absolute_uri(reverse("oidc_authentication_callback")),
    }, status=_status(form))  # fmt: skip
