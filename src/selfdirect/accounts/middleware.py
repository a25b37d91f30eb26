"""Signed in with a password but no code yet where one is needed: to the code page first."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from selfdirect.core.http import is_api, problem_response

from . import second_factor
from .oidc import SIGNED_IN_WITH

# Pages open before the code is entered: the code page itself, signing out, static files and the
# council's public pages and logo.
OPEN = ("/accounts/two-factor/", "/sign-out/", "/static/", "/about/", "/favicon")
LOGO = re.compile(r"^/council/[-\w]+/logo/$")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]
            and request.session.get(SIGNED_IN_WITH) != "identity provider"  # the provider did the checking
            and not request.path.startswith(OPEN)
            and not LOGO.match(request.path)
            and second_factor.required(user, getattr(request, "authority", None), getattr(request, "roles", frozenset()))
        ):
            if is_api(request):
                return problem_response(401, "Second factor needed", "Enter your code on the sign-in pages first")
            return HttpResponseRedirect(f"{reverse('accounts:two-factor')}?next={quote(request.get_full_path())}")
        return self.get_response(request)
