from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse


def sign_in_options(request: HttpRequest) -> dict[str, Any]:
    """On the sign-in page, the councils whose staff may sign in with their council account."""
    if request.path != reverse("login"):
        return {}
    from .oidc import enabled_providers

    return {"identity_providers": enabled_providers()}
