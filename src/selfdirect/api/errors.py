"""Errors as RFC 9457 problem details, each naming the field path it concerns."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from selfdirect.people.services import ImportRefused, ServiceError

PROBLEM = "application/problem+json"


class Conflict(Exception):
    """The request is valid but cannot be applied in the record's current state (HTTP 409)."""


def problem(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    title: str,
    detail: str = "",
    errors: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


def install(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {"path": [str(p) for p in e.get("loc", [])], "message": e.get("msg", "invalid")}
            for e in exc.errors
        ]
        return problem(api, request, 422, "The request has invalid fields", errors=errors)

    @api.exception_handler(ServiceError)
    def service(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        errors = [
            {"path": ["body"] if field == "__all__" else ["body", field], "message": m}
            for field, messages in exc.errors.items()
            for m in messages
        ]
        return problem(api, request, 422, "The request has invalid fields", errors=errors)

    @api.exception_handler(ImportRefused)
    def refused(request: HttpRequest, exc: ImportRefused) -> HttpResponse:
        errors = [{"path": ["line", str(p.line), p.field], "message": p.message} for p in exc.problems]
        return problem(api, request, 422, "Nothing was imported", errors=errors)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(api, request, 404, "Not found", "No such record, or not one you work with")

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return problem(api, request, 403, "Forbidden", "Your role does not allow this")

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(api, request, 401, "Sign in or send a bearer token")

    @api.exception_handler(Conflict)
    def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        return problem(api, request, 409, "Conflict", str(exc))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(api, request, exc.status_code, str(exc.message))
