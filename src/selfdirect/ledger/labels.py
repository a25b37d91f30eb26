"""The ledger's codes in words: spending categories as the authority's money rules name them
(registered with core.words), and each account of the books named from its code at the time it is
shown ("holder:11:council_managed" is "Budget 11, held in a council-managed account"), so names
stored with codes in them when the account was opened never reach a page."""

from __future__ import annotations

from selfdirect.core import words
from selfdirect.core.models import Authority

from . import policy
from .constants import Route


def _categories(authority_id: int) -> dict[str, str]:
    slug = Authority.objects.filter(pk=authority_id).values_list("slug", flat=True).first()
    if slug is None:
        return {}
    try:
        return dict(policy.load(slug).spending.categories)
    except policy.PolicyError:
        return {}  # no money rules yet: categories are shown in words


def register() -> None:
    words.register("spending_category", _categories, fields=["ledger.spend.category"])


def account_name(authority: Authority | int, code: str, stored: str) -> str:
    """An account as finance reads it, worked out from its code; ``stored`` where the code says
    nothing more (the roots, providers)."""
    prefix, _, rest = code.partition(":")
    if prefix == "fund":
        return f"Funding stream: {words.label('stream', authority, rest)}"
    if prefix == "budget":
        return f"Budget {rest}"
    if prefix == "holder":
        budget_id, _, route = rest.partition(":")
        held = dict(Route.choices).get(route) or words.humanise(route)
        return f"Budget {budget_id}, held as: {held}"
    if prefix == "spent":
        return f"Spent on: {words.label('spending_category', authority, rest)}"
    return stored
