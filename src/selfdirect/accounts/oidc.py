"""Staff sign in through their council's identity provider (OpenID Connect, mozilla-django-oidc),
where the council has set one up. Each council has its own provider (IdentityProvider), so the
library's settings-wide configuration is replaced by the provider of the council chosen on the
sign-in page. The account is matched by the provider's *verified* email to an account that holds a
role at that council: roles always come from this service, and no account is made by signing in."""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from selfdirect.core.middleware import SESSION_KEY
from selfdirect.core.models import Authority, User

from .models import IdentityProvider

log = logging.getLogger(__name__)
SESSION_PROVIDER = "oidc_authority_id"
SIGNED_IN_WITH = "signed_in_with"
CLOCK_LEEWAY_SECONDS = 60  # "identity provider": the provider did the checking, no code here


def discover(issuer: str) -> dict[str, str]:
    """The endpoints the issuer's discovery document names; a ValidationError on ``issuer`` saying
    what went wrong."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=10)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ValidationError({"issuer": f"Could not read {url}: {exc.__class__.__name__}"}) from None
    if str(document.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
        raise ValidationError({"issuer": f"The document at {url} is for another issuer ({document.get('issuer')})"})
    keys = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
    missing = [k for k in keys if not document.get(k)]
    if missing:
        raise ValidationError({"issuer": f"The discovery document does not give {', '.join(missing)}"})
    return {k: document[k] for k in keys}


def enabled_providers() -> list[IdentityProvider]:
    return list(IdentityProvider.objects.filter(enabled=True).select_related("authority").order_by("authority__name"))


class CouncilOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:  # the provider is read per sign-in, not from settings
        self.UserModel = User
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if request is None or "nonce" not in kwargs:
            return None  # not an OpenID Connect callback: for the password backend
        chosen = request.session.get(SESSION_PROVIDER)
        if chosen is None:
            return None
        provider = IdentityProvider.objects.filter(authority_id=chosen, enabled=True).select_related("authority").first()
        if provider is None:
            return None
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = provider.jwks_uri
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload: Any, key: Any) -> Any:
        """The ID token's signature, and that it was issued by this council's provider for this
        service (the library leaves the audience unchecked: a token issued for another application of
        the same provider would do), allowing a minute of difference between the two clocks."""
        algorithm = jwt.get_unverified_header(payload).get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"the provider signed with {algorithm!r}, not {self.OIDC_RP_SIGN_ALGO}")
        try:
            claims = jwt.decode(payload, key, algorithms=[self.OIDC_RP_SIGN_ALGO], audience=self.OIDC_RP_CLIENT_ID,
                                leeway=CLOCK_LEEWAY_SECONDS, options={"require": ["iss", "aud", "exp", "iat"]})  # fmt: skip
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"the ID token was refused: {exc}") from None
        if str(claims["iss"]).rstrip("/") != self.provider.issuer.rstrip("/"):
            raise SuspiciousOperation("the ID token comes from another issuer")
        return claims

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        verified = bool(claims.get("email")) and claims.get("email_verified") is True
        if not verified:
            log.warning("the provider gave no verified email (claims: %s)", sorted(claims))
        return verified

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return User.objects.filter(
            email__iexact=claims["email"], is_active=True, memberships__authority=self.provider.authority
        ).distinct()

    def create_user(self, claims: dict[str, Any]) -> None:  # never: accounts are made by invitation
        log.warning("no account at %s holds the verified email the provider gave", self.provider.authority.slug)
        return None

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        return user


class SignInStart(OIDCAuthenticationRequestView):
    """/sign-in/council/<slug>/: off to the council's provider."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request: HttpRequest, slug: str = "") -> HttpResponse:
        provider = get_object_or_404(IdentityProvider, authority__slug=slug, enabled=True)
        self.OIDC_OP_AUTH_ENDPOINT = provider.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = provider.client_id
        request.session[SESSION_PROVIDER] = provider.authority_id
        return super().get(request)


class SignInCallback(OIDCAuthenticationCallbackView):
    """Back from the provider: signed in to the council whose provider it was, or back to the
    sign-in page saying why not."""

    @property
    def failure_url(self) -> str:
        return reverse("login")

    def get(self, request: HttpRequest) -> HttpResponse:
        # A provider that answers badly (down, a token signed wrongly or dated by a clock far off) is
        # a failed sign-in to explain, not a fault of the service.
        try:
            return super().get(request)
        except (jwt.PyJWTError, requests.RequestException, SuspiciousOperation, ValueError, KeyError) as exc:
            log.warning("sign-in through the identity provider failed: %r", exc)
            return self.login_failure()

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        authority_id = self.request.session.get(SESSION_PROVIDER)
        self.request.session[SESSION_KEY] = authority_id
        self.request.session[SIGNED_IN_WITH] = "identity provider"
        return response

    def login_failure(self) -> HttpResponse:
        authority = Authority.objects.filter(pk=self.request.session.get(SESSION_PROVIDER)).first()
        who = authority.name if authority else "your council"
        messages.error(self.request, f"Signing in with your {who} account did not work: it needs a verified email "
                                     "that belongs to an account here. Ask your council's administrator.")  # fmt: skip
        return HttpResponseRedirect(self.failure_url)
