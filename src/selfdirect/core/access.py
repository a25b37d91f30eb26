"""One access rule per tenant-owned model.

Every model with an ``authority`` has exactly one scope function, in its app's ``access.py``:
given a user and the authority they are working in, it returns the rows of that model the user may
see, and nothing from any other authority. Views, the API and the CLI start every query for such a
model from its scope, so a list, a detail page and a permission check cannot disagree.

    @access.scope(Scheme)
    def scheme_scope(user: User, authority: Authority | int | None) -> QuerySet[Scheme]:
        ...

``tests/test_access_scopes.py`` fails when a model with an authority has no scope, and when a view
or API module queries such a model without going through it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)
Scope = Callable[..., QuerySet[Any]]

_SCOPES: dict[type[Model], Scope] = {}


def scope(model: type[Model]) -> Callable[[Scope], Scope]:
    """Register the decorated function as ``model``'s one scope."""

    def register(function: Scope) -> Scope:
        existing = _SCOPES.get(model)
        if existing is not None and existing.__qualname__ != function.__qualname__:
            raise RuntimeError(f"{model.__name__} already has a scope: {existing.__module__}.{existing.__qualname__}")
        _SCOPES[model] = function
        return function

    return register


def scoped(model: type[M], user: Any, authority: Any, **options: Any) -> QuerySet[M]:
    """The rows of ``model`` that ``user`` may see in ``authority``."""
    return _SCOPES[model](user, authority, **options)


def registered() -> dict[type[Model], Scope]:
    """Every model's scope (apps register theirs when their access module is imported)."""
    return dict(_SCOPES)


def _rules_scope(user: Any, authority: Any) -> QuerySet[Any]:
    """An authority's versions of its rules (core/rules.py), for anyone holding a role there who may
    read at least one kind of them; each page then keeps to the kinds the user's roles may read."""
    from . import rules
    from .models import RulesVersion

    if authority is None or not user.is_authenticated:
        return RulesVersion.objects.none()
    roles = user.roles_in(authority)
    readable = [k.key for k in rules.kinds() if k.read_by & roles]
    return RulesVersion.objects.filter(authority=authority, kind__in=readable)


def register_core_scopes() -> None:
    from .models import RulesVersion

    scope(RulesVersion)(_rules_scope)
