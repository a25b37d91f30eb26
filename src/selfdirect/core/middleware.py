"""Which authority a request acts for, chosen once per request in one place; and the one refusal of
NUL characters in addresses, queries and forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from . import words
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
        with words.remembered():  # each page reads the labels of the policy's codes once
            return self.get_response(request)


NUL = "\x00"
NUL_MESSAGE = "must not contain a NUL character (\\u0000)"


class RefuseNulMiddleware:
    """Refuse, in one place, any request whose address, query or form fields carry a NUL character.

    No one types a NUL: it comes from a broken or hostile client. PostgreSQL cannot store one in a
    text column (the query fails) and SQLite stores it silently, so it is refused before any view
    reads it: a 400 page, or for the API a 422 problem naming each field (``["query", "q"]``). JSON
    bodies are checked field by field by the API's request schemas (selfdirect.core.api_schema.Input);
    Django's form fields refuse it on their own (ProhibitNullCharactersValidator)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from .http import is_api, problem_response

        found: list[list[str]] = []
        if NUL in request.path_info:
            found.append(["path"])
        for source, data in (("query", request.GET), ("form", self._form(request))):
            for key, values in data.lists():
                if NUL in key or any(isinstance(v, str) and NUL in v for v in values):
                    found.append([source, key.replace(NUL, "\\u0000")])
        if not found:
            return self.get_response(request)
        if is_api(request):
            errors = [{"path": path, "message": NUL_MESSAGE} for path in found]
            return problem_response(422, "The request has invalid fields", errors=errors)
        from django.shortcuts import render

        return render(request, "400.html", status=400)

    @staticmethod
    def _form(request: HttpRequest) -> Any:
        from django.http import QueryDict

        if request.method != "POST" or request.content_type not in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            return QueryDict()
        return request.POST
