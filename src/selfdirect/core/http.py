"""The request as our views see it: a signed-in user acting for one authority in some roles.

AuthorityMiddleware (web) and the API's authentication set ``authority`` and ``roles``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from .models import Authority, User


class AuthedRequest(HttpRequest):
    user: User
    authority: Authority | None
    roles: frozenset[str]
