"""One access rule per tenant-owned model (issue 18.8, core/access.py).

Every model with an ``authority`` has exactly one scope function, registered in its app's
``access.py``; pages and the API reach such a model only through it, never by filtering on the
authority by hand (that is how one authority's rows leak into another's, or a caseworker sees people
outside their teams). Both halves are read from the code itself, so a new model or a new view cannot
slip past."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from selfdirect.core import access
from selfdirect.core.models import Authority

# Models with an authority that pages and the API never list on their own, and why.
NOT_LISTED = {
    "core.Membership": "a user's roles: read through User.roles_in, never listed by a page",
    "core.AuditEvent": "read only as a person's history, whose scope is the person's (people.access)",
    "core.ApiToken": "each token belongs to its holder; pages show the signed-in user's own",
    "core.AuthorityPage": "a council's public pages (accessibility, privacy, cookies), read through core.pages",
    "accounts.IdentityProvider": "a council's sign-in set-up: its administrators' page and the sign-in page read it",
    "core.AuthorityLogo": "a council's logo, public in its pages' header, read through core.logo",
}

# What a query starts with: a manager method that reads rows.
READS = {
    "all", "filter", "exclude", "get", "first", "last", "count", "exists", "values", "values_list",
    "select_related", "prefetch_related", "order_by", "annotate", "aggregate", "defer", "only",
    "in_bulk", "iterator", "distinct", "select_for_update", "get_or_create", "update_or_create",
}  # fmt: skip


def tenant_models():
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("selfdirect."):
            continue
        field = next((f for f in model._meta.get_fields() if f.name == "authority"), None)
        if field is not None and getattr(field, "related_model", None) is Authority:
            found.append(model)
    return found


def label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def test_every_model_with_an_authority_has_one_scope_in_its_apps_access_module():
    registered = access.registered()
    missing, misplaced = [], []
    for model in tenant_models():
        if label(model) in NOT_LISTED:
            continue
        scope = registered.get(model)
        if scope is None:
            missing.append(label(model))
        elif scope.__module__ != f"{model._meta.app_config.name}.access":
            misplaced.append(f"{label(model)}: {scope.__module__}.{scope.__qualname__}")
    _none(missing + misplaced, "models with an authority and no scope in their access.py")


def test_the_exemptions_name_real_models():
    assert set(NOT_LISTED) <= {label(m) for m in tenant_models()}


def _page_modules():
    src = Path(settings.BASE_DIR)
    for path in sorted(src.rglob("*.py")):
        parts = path.relative_to(src).parts
        if "migrations" in parts:
            continue
        if any(part in ("views", "api") or part in ("views.py", "api.py") for part in parts[1:]):
            yield path


def unscoped_queries(source: str, names: set[str]) -> list[int]:
    """Lines where a model in ``names`` is queried straight from its manager."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in READS
            and isinstance(node.value, ast.Attribute)
            and node.value.attr in ("objects", "_default_manager")
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id in names
        ):
            lines.append(node.lineno)
    return lines


def test_pages_and_the_api_query_tenant_models_only_through_their_scope():
    names = {m.__name__ for m in tenant_models() if label(m) not in NOT_LISTED}
    found = []
    for path in _page_modules():
        for line in unscoped_queries(path.read_text(encoding="utf-8"), names):
            found.append(f"{path.relative_to(Path(settings.BASE_DIR).parent)}:{line}")
    _none(found, "tenant models queried without their scope")


def _none(problems: list[str], what: str) -> None:
    assert not problems, f"{what}:\n  " + "\n  ".join(sorted(problems))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Scheme.objects.filter(authority=a)", [1]),
        ("x = 1\nScheme.objects.get(pk=1)", [2]),
        ("access.scoped(Scheme, user, a).filter(pk=1)", []),
        ("Scheme.objects.create(authority=a)", []),  # writing goes through services; not a read
        ("Other.objects.filter(pk=1)", []),
    ],
)
def test_the_reader_finds_a_query_by_hand(source, expected):
    assert unscoped_queries(source, {"Scheme"}) == expected
