"""Sign-in, the home page for each role, and choosing the authority to act for."""

from __future__ import annotations

import sys
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from . import audit, dbbusy, logo, pages, registry, throttle
from .constants import AuditAction, Role
from .errors import ServiceError
from .forms import LogoForm, ReasonMixin, apply_service_errors
from .http import AuthedRequest, is_api, page_authority, paged, problem_response
from .middleware import SESSION_KEY
from .models import AuditEvent, Authority, AuthorityLogo, AuthorityPage


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "locked": "There have been too many failed attempts to sign in to this account. Wait 15 minutes and try again.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        if username:
            # A password about to be checked is counted first, in one step with the check of the limit,
            # so guesses sent all at once cannot all be checked (a sign-in that succeeds clears it).
            ip = self.request.META.get("REMOTE_ADDR") if self.request else None
            allowed = (
                throttle.begin_attempt(username, ip)
                if self.cleaned_data.get("password")
                else not throttle.is_locked(username)
            )
            if not allowed:
                raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            return super().clean()
        except forms.ValidationError as exc:
            if exc.code != "invalid_login":
                raise
            # Beside the fields, as GOV.UK asks: the message once, at the username, and both boxes
            # marked (which of the two was wrong is not said, so neither is singled out).
            self.add_error("username", exc)
            self.fields["password"].widget.attrs["marked"] = True
            return self.cleaned_data

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        throttle.clear(user.get_username())


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 429 if form.has_error("__all__", "locked") else 400
        return response


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """One home page, whose sections follow the roles the user holds in this authority: each app
    registers its own (core.registry), so core knows none of them."""
    if request.authority is None:
        return render(request, "core/no_authority.html", status=403)
    sections = registry.render_sections(registry.home_sections(), request)
    return render(request, "core/home.html", {"roles": request.roles, "Role": Role, "app_sections": sections})


@login_required
def switch_authority(request: AuthedRequest) -> HttpResponse:
    authorities = list(Authority.objects.filter(memberships__user=request.user).distinct())
    if request.method == "POST":
        chosen = request.POST.get("authority", "")
        match = next((a for a in authorities if str(a.pk) == chosen), None)
        if match is None:
            return render(
                request, "core/switch_authority.html",
                {"authorities": authorities, "error": "Choose one of your authorities"}, status=400,
            )  # fmt: skip
        request.session[SESSION_KEY] = match.pk
        messages.success(request, f"You are now working for {match.name}")
        return redirect("home")
    return render(request, "core/switch_authority.html", {"authorities": authorities})


def error_403(request: AuthedRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return problem_response(403, "Forbidden", "Your role does not allow this")
    return render(request, "403.html", status=403)


# Django's own error views for what never reaches a view (an unknown Host header, an address that
# matches nothing, a fault in a middleware): the API answers problem details there too, not pages.


def error_400(request: AuthedRequest, exception: Exception | None = None) -> HttpResponse:
    if dbbusy.is_busy(exception):  # the session could not be saved: the database was busy
        return dbbusy.busy_response(request)
    if is_api(request):
        return problem_response(400, "Bad request", "The request could not be read")
    return render(request, "400.html", status=400)


def error_404(request: AuthedRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return problem_response(404, "Not found", "No such address in the API")
    return render(request, "404.html", status=404)


def error_500(request: AuthedRequest) -> HttpResponse:
    if dbbusy.is_busy(sys.exc_info()[1]):  # a middleware's write: try again, not a fault
        return dbbusy.busy_response(request)
    if is_api(request):
        return problem_response(500, "Internal server error", "The fault has been logged.")
    from django.views.defaults import server_error

    return server_error(request)


@login_required
def audit_log(request: AuthedRequest) -> HttpResponse:
    """The authority's whole audit log, newest first, for its administrators."""
    authority = request.authority
    if authority is None or Role.ADMIN not in request.roles:
        raise PermissionDenied("audit log")
    events = AuditEvent.objects.filter(authority=authority).select_related("actor")
    page, _ = paged(request, events, per_page=50)
    return render(request, "core/audit_log.html", {"page": page})


def _page_kind(kind: str) -> str:
    if kind not in AuthorityPage.Kind.values:
        raise Http404("no such page")
    return str(AuthorityPage.Kind(kind).label)


def info_page(request: AuthedRequest, kind: str) -> HttpResponse:
    """The council's accessibility statement, privacy notice or cookies page: open to everyone."""
    title = _page_kind(kind)
    authority = page_authority(request)
    text, updated = pages.text_of(authority, kind)
    return render(request, "core/info_page.html", {
        "kind": kind, "title": title, "blocks": pages.blocks(text), "updated": updated,
        "authority_name": authority.name if authority else "Care and support budgets",
        "can_edit": authority is not None and Role.ADMIN in getattr(request, "roles", ()),
    })  # fmt: skip


class PageForm(ReasonMixin):
    body = forms.CharField(label="The page", widget=forms.Textarea(attrs={"rows": 20}), max_length=pages.MAX_BODY)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["body", "reason"])


def _admin_authority(request: AuthedRequest) -> Authority:
    if request.authority is None or Role.ADMIN not in request.roles:
        raise PermissionDenied("only the authority's administrators change its service")
    return request.authority


@login_required
def info_page_edit(request: AuthedRequest, kind: str) -> HttpResponse:
    """An administrator writes the council's own text for the page."""
    title = _page_kind(kind)
    authority = _admin_authority(request)
    text, _ = pages.text_of(authority, kind)
    form = PageForm(request.POST or None, initial={"body": text})
    if request.method == "POST" and form.is_valid():
        pages.save(request.user, authority, kind, form.cleaned_data["body"], form.cleaned_data["reason"])
        messages.success(request, f"The {title.lower()} is saved")
        return redirect("info", kind=kind)
    return render(request, "core/info_edit.html", {"form": form, "kind": kind, "title": title,
                                                   "authority_name": authority.name},
                  status=400 if form.errors else 200)  # fmt: skip


@login_required
def council(request: AuthedRequest) -> HttpResponse:
    """What the council shows of itself on every page: its logo and its footer's three pages."""
    authority = _admin_authority(request)
    written = {p.kind: p for p in AuthorityPage.objects.filter(authority=authority).select_related("updated_by")}
    rows = [(kind, label, written.get(kind)) for kind, label in AuthorityPage.Kind.choices]
    current = AuthorityLogo.objects.filter(authority=authority).defer("image").first()
    return render(request, "core/council.html", {"pages": rows, "logo": current, "logo_url": logo.url_for(authority)})


@login_required
def logo_edit(request: AuthedRequest) -> HttpResponse:
    """Upload the council's logo, or take it down."""
    authority = _admin_authority(request)
    removing = request.method == "POST" and "remove" in request.POST
    posted = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    upload = LogoForm(*(posted if not removing else (None, None)))
    takedown = ReasonMixin(posted[0] if removing else None, prefix="remove")
    form = takedown if removing else upload
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if removing:
                logo.remove(request.user, authority, reason)
                messages.success(request, "The logo is taken down: the header shows the council’s name alone")
            else:
                logo.save(request.user, authority, form.cleaned_data["logo"].read(), reason)
                messages.success(request, "The logo is saved: it is in the header of every page")
            return redirect("council")
        except ServiceError as exc:
            apply_service_errors(form, exc)
    return render(request, "core/logo_edit.html", {
        "form": form, "upload": upload, "takedown": takedown, "has_logo": bool(logo.url_for(authority)),
    }, status=400 if form.errors else 200)  # fmt: skip


@require_GET
def logo_image(request: AuthedRequest, slug: str) -> HttpResponse:
    """The logo itself: public, since public pages show it too; kept by browsers for a year, as its
    address changes when it does."""
    found = get_object_or_404(AuthorityLogo, authority__slug=slug)
    response = HttpResponse(bytes(found.image), content_type=found.content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


class SignInRulesForm(ReasonMixin):
    second_factor_required = forms.BooleanField(
        label="Staff must enter a code from an authenticator app as well as their password", required=False,
        help_text="People who hold a budget, and their representatives, are not asked to",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["second_factor_required", "reason"])


@login_required
def council_sign_in(request: AuthedRequest) -> HttpResponse:
    """Whether the council's staff must use a second factor when they sign in with a password."""
    authority = _admin_authority(request)
    form = SignInRulesForm(request.POST or None, initial={"second_factor_required": authority.second_factor_required})
    if request.method == "POST" and form.is_valid():
        wanted = form.cleaned_data["second_factor_required"]
        if wanted != authority.second_factor_required:
            with transaction.atomic():
                authority.second_factor_required = wanted
                authority.save(update_fields=["second_factor_required"])
                audit.record(actor=request.user, authority=authority, action=AuditAction.CHANGE, obj=authority,
                             reason=form.cleaned_data["reason"],
                             changes={"staff must use a second factor": [not wanted, wanted]})  # fmt: skip
        messages.success(request, "Staff must now use a second factor" if wanted else
                         "Staff sign in with a password alone, unless they have set up a second factor")  # fmt: skip
        return redirect("council")
    return render(request, "core/council_sign_in.html", {"form": form}, status=400 if form.errors else 200)
