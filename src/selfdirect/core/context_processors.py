from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from . import logo, registry
from .constants import STAFF_ROLES, Role
from .http import page_authority
from .models import AuthorityPage


def navigation(request: HttpRequest, roles: frozenset[str]) -> list[dict[str, Any]]:
    """The service navigation for the user's roles in their current authority."""
    items = [("Home", reverse("home"))] + [(i.text, reverse(i.url_name)) for i in registry.nav_items(roles)]
    path = request.path
    return [
        {"text": text, "href": href, "current": path == href or (href != "/" and path.startswith(href))}
        for text, href in items
    ]


def authority(request: HttpRequest) -> dict[str, Any]:
    """Show, on every page, which authority the user acts for and in which role."""
    roles: frozenset[str] = getattr(request, "roles", frozenset())
    user = getattr(request, "user", None)
    current = page_authority(request)
    context: dict[str, Any] = {
        # On a public page for one council (the directory, its footer's pages), that council's name.
        "current_authority": current,
        "current_logo_url": functools.partial(logo.url_for, current),  # read when the header is drawn
        "footer_pages": AuthorityPage.Kind.choices,
        "current_roles": roles,
        "current_role_labels": [r.label for r in Role if r in roles],
        # The API documentation is for the council's staff and their systems, not the people they support.
        "shows_api_docs": bool(roles & STAFF_ROLES),
        "demo_mode": settings.SELFDIRECT_DEMO,
    }
    # An error page can be drawn before the authentication middleware has run (an unknown Host
    # header is refused by an earlier middleware): then there is no user to show.
    if user is not None and user.is_authenticated:
        context["nav_items"] = navigation(request, roles)
        context["user_authority_count"] = user.authorities().count()
    return context
