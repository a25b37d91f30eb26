"""Demo schemes: one per demo authority, deterministic and safe to load twice."""

from __future__ import annotations

from selfdirect.core.constants import Role
from selfdirect.core.models import Authority, User

from . import services
from .inputs import seed_inputs, variant_inputs
from .models import Scheme

DEMO_SCHEMES = {
    "northshire": ("Maple Court (the Housing LIN example, 40 flats)", seed_inputs),
    "southvale": ("Riverside Gardens (60 flats)", variant_inputs),
}


def load_demo() -> list[Scheme]:
    """Create each demo authority's scheme if it is not there yet; returns the schemes."""
    out = []
    for slug, (name, inputs) in DEMO_SCHEMES.items():
        authority = Authority.objects.filter(slug=slug).first()
        if authority is None:
            continue
        existing = Scheme.objects.filter(authority=authority, name=name).first()
        if existing is None:
            actor = (
                User.objects.filter(memberships__authority=authority, memberships__role=Role.COMMISSIONER)
                .order_by("pk")
                .first()
            )
            existing = services.create_scheme(actor, authority, name, inputs(), "Demo data")
        out.append(existing)
    return out
