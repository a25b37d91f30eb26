"""Errors as RFC 9457 problem details, each naming the field path it concerns.

Every exception a handler can raise is mapped here, once, so no input answers 5xx: the database's
own refusals included (a record others refer to: 409; a value it cannot hold: 422). Anything else is
a fault: logged with its traceback, and answered with a plain 500 problem that never carries the
traceback, whatever DEBUG says."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DataError, IntegrityError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from selfdirect.core import dbbusy
from selfdirect.core.errors import Conflict, ImportRefused, ServiceError
from selfdirect.core.http import PROBLEM, problem_response, still_referred_to

__all__ = ["PROBLEM", "install", "problem"]

logger = logging.getLogger("selfdirect.api")



def problem(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    title: str,
    detail: str = "",
    errors: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    return problem_response(status, title, detail, errors)


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

    # The database's refusals. Each write runs in a transaction (the services' atomic blocks), which
    # the exception has already rolled back by the time it reaches here: nothing is half-written.
    @api.exception_handler(ProtectedError)
    @api.exception_handler(RestrictedError)
    def protected(request: HttpRequest, exc: ProtectedError | RestrictedError) -> HttpResponse:
        return problem(api, request, 409, "Conflict", still_referred_to(exc))

    @api.exception_handler(IntegrityError)
    def integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        logger.warning("API: the database refused a write: %s", exc)
        return problem(
            api, request, 409, "Conflict", "The change conflicts with records already held, and was not made."
        )

    @api.exception_handler(DataError)
    @api.exception_handler(OverflowError)
    def unstorable(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.warning("API: a value the database cannot hold: %s", exc)
        return problem(
            api, request, 422, "The request has invalid fields",
            "A value is outside what can be stored (a number too large, or a character that cannot be kept).",
        )  # fmt: skip

    @api.exception_handler(Exception)
    def fault(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("API: unhandled error in %s %s", request.method, request.path, exc_info=exc)
        return problem(api, request, 500, "Internal server error", "The fault has been logged.")

    @api.exception_handler(OperationalError)
    def busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
        if not dbbusy.is_busy(exc):
            return fault(request, exc)
        logger.warning("API: database busy, %s %s answered 503 (%s)", request.method, request.path, exc)
        return dbbusy.busy_response(request)
