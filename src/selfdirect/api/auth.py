"""API authentication: the browser session (with CSRF) or a bearer token tied to one authority."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from selfdirect.core.middleware import authority_for
from selfdirect.core.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    openapi_description = (
        "A token made on the API tokens page or by `manage.py create_api_token`; it acts for one user "
        "in one authority until it expires or is revoked."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user", "authority")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
            .first()
        )
        if found is None:
            return None
        found.mark_used()
        request.user = found.user
        request.authority = found.authority  # type: ignore[attr-defined]
        request.roles = found.user.roles_in(found.authority)  # type: ignore[attr-defined]
        return found.user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; unsafe methods need the CSRF token, as in the web pages."""

    param_name = "sessionid"
    openapi_description = "The session cookie of a signed-in user (send X-CSRFToken on writes)."

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        request.authority = authority_for(request)  # type: ignore[attr-defined]
        request.roles = user.roles_in(request.authority)  # type: ignore[attr-defined]
        return user
