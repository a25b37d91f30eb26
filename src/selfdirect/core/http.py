"""The request as our views see it: a signed-in user acting for one authority in some roles.

AuthorityMiddleware (web) and the API's authentication set ``authority`` and ``roles``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypeVar

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

if TYPE_CHECKING:
    from .models import Authority, User

R = TypeVar("R", bound=HttpResponseBase)

PROBLEM = "application/problem+json"
API_PREFIX = "/api/"


def problem_response(
    status: int, title: str, detail: str = "", errors: list[dict[str, Any]] | None = None
) -> HttpResponse:
    """An RFC 9457 problem: what the API answers for every error, each error naming its field path."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM)


def is_api(request: HttpRequest) -> bool:
    """Whether the request is for the API (answered in problem details, never in HTML pages)."""
    return request.path_info.startswith(API_PREFIX)


class AuthedRequest(HttpRequest):
    user: User
    authority: Authority | None
    roles: frozenset[str]


def download(response: R, filename: str, *, inline: bool = False) -> R:
    """``response`` as a file named ``filename``: saved (the default) or shown in the browser."""
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response
