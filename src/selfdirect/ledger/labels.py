"""The ledger's codes in words: spending categories as the authority's money rules name them
(registered with core.words), and each account of the books named from its code at the time it is
shown ("holder:11:council_managed" is "Held (Council-managed account): Margaret Okafor (NO000001),
Adult social care, 1 April 2026 to 31 March 2027"), so names stored with codes and row numbers in them
when the account was opened never reach a page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from selfdirect.core import words
from selfdirect.core.dates import format_date
from selfdirect.core.models import Authority

from . import policy
from .constants import Route
from .models import Budget


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


def budget_name(budget: Budget) -> str:
    """A budget as people know it: whose, what for and when ("Margaret Okafor (NO000001), Adult
    social care, 1 April 2026 to 31 March 2027"), never its row number."""
    person = budget.person
    return (
        f"{person} ({person.reference}), {words.label('stream', person.authority_id, budget.stream)}, "
        f"{format_date(budget.period_start)} to {format_date(budget.period_end)}"
    )


def budget_names(budget_ids: Iterable[int]) -> dict[int, str]:
    """:func:`budget_name` of many budgets, in one query."""
    found = Budget.objects.filter(pk__in=set(budget_ids)).select_related("person")
    return {budget.pk: budget_name(budget) for budget in found}


def account_name(authority: Authority | int, code: str, stored: str, budgets: Mapping[int, str] | None = None) -> str:
    """An account as finance reads it, worked out from its code; ``stored`` where the code says
    nothing more (the roots, providers). ``budgets`` names the budgets (:func:`budget_names`) whose
    accounts these are; without it, they are looked up one by one."""
    prefix, _, rest = code.partition(":")
    if prefix == "fund":
        return f"Funding stream: {words.label('stream', authority, rest)}"
    if prefix in ("budget", "holder"):
        budget_id, _, route = rest.partition(":")
        named = budgets if budgets is not None else budget_names([int(budget_id)])
        budget = named.get(int(budget_id), "a budget no longer on record")
        if prefix == "budget":
            return f"Budget: {budget}"
        held = dict(Route.choices).get(route) or words.humanise(route)
        return f"Held ({held}): {budget}"
    if prefix == "spent":
        return f"Spent on: {words.label('spending_category', authority, rest)}"
    return stored
