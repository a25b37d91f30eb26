"""Which authority a request acts for, chosen once per request in one place."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .models import Authority

SESSION_KEY = "authority_id"


def authority_for(request: HttpRequest) -> Authority | None:
    """The signed-in user's current authority: the one chosen in the session if they belong to it,
    otherwise the first they belong to. None for anonymous users and users with no membership."""
    user = request.user
    if not user.is_authenticated:
        return None
    authorities = list(Authority.objects.filter(memberships__user=user).distinct().order_by("name"))
    if not authorities:
        return None
    chosen = request.session.get(SESSION_KEY)
    for authority in authorities:
        if authority.pk == chosen:
            return authority
    return authorities[0]


class AuthorityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        authority = authority_for(request)
        request.authority = authority  # type: ignore[attr-defined]
        request.roles = (  # type: ignore[attr-defined]
            request.user.roles_in(authority) if authority is not None else frozenset()  # type: ignore[union-attr]
        )
        return self.get_response(request)
