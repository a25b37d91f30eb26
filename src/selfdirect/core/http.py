"""The request as our views see it: a signed-in user acting for one authority in some roles.

AuthorityMiddleware (web) and the API's authentication set ``authority`` and ``roles``."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

if TYPE_CHECKING:
    from .models import Authority, User

R = TypeVar("R", bound=HttpResponseBase)

PROBLEM = "application/problem+json"
API_PREFIX = "/api/"


def problem_response(
    status: int, title: str, detail: str = "", errors: list[dict[str, Any]] | None = None
) -> HttpResponse:
    """An RFC 9457 problem: what the API answers for every error, each error naming its field path."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM)


def still_referred_to(exc: ProtectedError | RestrictedError) -> str:
    """Why a record cannot be removed, from the database's refusal: which records still refer to it
    ('1 budget and 1 support plan'), for the API's 409 and the pages' error message alike."""
    objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    counts = Counter((str(o._meta.verbose_name), str(o._meta.verbose_name_plural)) for o in objects)
    parts = [f"{n} {single if n == 1 else plural}" for (single, plural), n in sorted(counts.items())]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return (
        f"Other records still refer to this one ({listed}), so it cannot be removed. "
        "End or close it instead, or remove those records first."
    )


def is_api(request: HttpRequest) -> bool:
    """Whether the request is for the API (answered in problem details, never in HTML pages)."""
    return request.path_info.startswith(API_PREFIX)


class AuthedRequest(HttpRequest):
    user: User
    authority: Authority | None
    roles: frozenset[str]


def download(response: R, filename: str, *, inline: bool = False) -> R:
    """``response`` as a file named ``filename``: saved (the default) or shown in the browser."""
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


def current_authority(request: HttpRequest) -> Authority:
    """The authority the request acts for (AuthorityMiddleware, or the API's token); 403 without one."""
    authority = getattr(request, "authority", None)
    if authority is None:
        raise PermissionDenied("no authority")
    return authority


def page_authority(request: HttpRequest) -> Authority | None:
    """Whose page this is: the authority the request acts for, or, on a public page, the council
    it names (``?council=northshire``); None when neither. Looked up once a request (the page and
    its header both ask)."""
    authority = getattr(request, "authority", None)
    if authority is not None:
        return authority
    if not hasattr(request, "_named_council"):
        from .models import Authority

        slug = request.GET.get("council", "")
        request._named_council = Authority.objects.filter(slug=slug).first() if slug else None  # type: ignore[attr-defined]
    return request._named_council  # type: ignore[attr-defined]


def require(request: HttpRequest, perm: str, obj: Any) -> None:
    """Refuse with 403 unless the user has ``perm`` on ``obj`` (an object they can already see):
    the one check pages, the API and the CLI's adapters share."""
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def paged(request: HttpRequest, items: Any, *, per_page: int | None = None, param: str = "page",
          keep: Mapping[str, str] | None = None) -> tuple[Page[Any], str]:
    """One page of ``items`` (a queryset or list) for a long list, from the ``param`` the address
    gives, and the query string of the filters in ``keep`` that the pagination links carry on."""
    size = per_page or settings.PEOPLE_PAGE_SIZE
    page = Paginator(items, size).get_page(request.GET.get(param))
    return page, urlencode({k: v for k, v in (keep or {}).items() if v})
