"""What the Extra Care commands share: finding a scheme (optionally as a user, with their rights)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from selfdirect.core.models import User

from ...engine import SchemeInputError
from ...inputs import SchemeInputs, load, seed_inputs
from ...models import Scheme


def add_scheme_arguments(parser: Any, *, seed: bool = True) -> None:
    parser.add_argument("scheme", nargs="?", type=int, help="The scheme's id (see /extracare/)")
    if seed:
        parser.add_argument("--seed-example", action="store_true", help="Use the Housing LIN technical brief's 40-flat example")
    parser.add_argument("--user", help="Act as this username: the scheme must be one they may see")


def scheme_inputs(options: dict[str, Any], perm: str = "extracare.view_scheme") -> tuple[str, SchemeInputs]:
    """(label, inputs) for the chosen scheme; CommandError names what is wrong."""
    if options.get("seed_example"):
        return "Housing LIN example", load(seed_inputs(), "Housing LIN example")
    if options.get("scheme") is None:
        raise CommandError("give a scheme id" + (" or --seed-example" if "seed_example" in options else ""))
    scheme = Scheme.objects.filter(pk=options["scheme"]).select_related("authority").first()
    if options.get("user"):
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"user: no user called {options['user']!r}")
        if scheme is None or not user.roles_in(scheme.authority):
            raise CommandError(f"scheme: no scheme {options['scheme']} that {user} works with")
        if not user.has_perm(perm, scheme):
            raise CommandError(f"scheme: {user}'s roles in {scheme.authority} do not allow this")
    if scheme is None:
        raise CommandError(f"scheme: no scheme with id {options['scheme']}")
    version = scheme.current
    try:
        return f"{scheme.name} ({scheme.authority.name}), inputs version {version.number}", load(
            version.inputs, scheme.name
        )
    except SchemeInputError as exc:  # pragma: no cover - versions are checked when saved
        raise CommandError(str(exc)) from None
