"""The allocation methods, one module each, found by the ``kind`` a policy gives a stream's method.

Each module of this package that defines ``METHOD`` (an :class:`~.common.AllocationMethod`) holds
all of one method: its calculation and explanation for one person, its vectorised form for a
population, and its checks (see :mod:`.common`). The per-person engine, the population engine and
the loader look a method up here and know nothing about any one method.

Adding a method touches two places: its schema class in ``schema.py`` (a member of ``Method``, so
the loader accepts it) and its module here. Importing this package fails if the two disagree.
"""

from __future__ import annotations

import importlib
import pkgutil
import typing
from typing import Any

from ..schema import Method
from .common import AllocationMethod, kind_of


def _discover() -> dict[str, AllocationMethod[Any]]:
    found: dict[str, AllocationMethod[Any]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        method = getattr(importlib.import_module(f"{__name__}.{info.name}"), "METHOD", None)
        if not isinstance(method, AllocationMethod):
            continue
        if method.kind in found:
            raise ImportError(f"two modules are the allocation method {method.kind!r}")
        found[method.kind] = method
    return found


def schema_kinds() -> set[str]:
    """Every ``kind`` of method the policy schema accepts."""
    union = typing.get_args(Method)[0]  # Annotated[A | B | ..., Field(discriminator="kind")]
    return {kind_of(schema) for schema in typing.get_args(union)}


METHODS: dict[str, AllocationMethod[Any]] = _discover()

if set(METHODS) != schema_kinds():
    raise ImportError(
        f"the schema's methods {sorted(schema_kinds())} and the modules in {__name__} "
        f"{sorted(METHODS)} must match: each kind of method is one module"
    )


def method_for(method: Any) -> AllocationMethod[Any]:
    """The module's method for a method of a policy (by its ``kind``)."""
    return METHODS[method.kind]


__all__ = ["METHODS", "AllocationMethod", "method_for", "schema_kinds"]
