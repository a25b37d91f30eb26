"""Finding a person by what staff type: part of a name, the reference, a postcode's start or the
NHS number. One filter for every list of people (or of things about people) that has a search box."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest


def matching(q: str, via: str = "") -> Q:
    """People matching every word of ``q``; ``via`` is the path to the person from the model being
    filtered ("person__" for a plan)."""
    terms = Q()
    for word in q.split():
        terms &= (
            Q(**{f"{via}given_name__icontains": word}) | Q(**{f"{via}family_name__icontains": word})
            | Q(**{f"{via}reference__iexact": word}) | Q(**{f"{via}postcode__istartswith": word})
            | Q(**{f"{via}nhs_number": word.replace("-", "")})
        )  # fmt: skip
    return terms


def searched(request: HttpRequest, items: Any, via: str = "") -> tuple[Any, str]:
    """``items`` narrowed to the people the list's search box (``?q=``) asks for, and what was
    typed (stripped), for the page to show back and the paging links to keep."""
    q = request.GET.get("q", "").strip()
    return (items.filter(matching(q, via)) if q else items), q
