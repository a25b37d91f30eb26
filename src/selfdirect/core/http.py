"""The request as our views see it: a signed-in user acting for one authority in some roles.

AuthorityMiddleware (web) and the API's authentication set ``authority`` and ``roles``."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.http import HttpRequest
from django.http.response import HttpResponseBase

if TYPE_CHECKING:
    from .models import Authority, User

R = TypeVar("R", bound=HttpResponseBase)


class AuthedRequest(HttpRequest):
    user: User
    authority: Authority | None
    roles: frozenset[str]


def download(response: R, filename: str, *, inline: bool = False) -> R:
    """``response`` as a file named ``filename``: saved (the default) or shown in the browser."""
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response
