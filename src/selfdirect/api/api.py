"""The API at /api/v1/: one router per domain, errors as problem details."""

from typing import Any

from django.http import HttpRequest
from ninja import Schema

from selfdirect.accounts.api import router as accounts_router
from selfdirect.allocation.api import router as allocation_router
from selfdirect.assessment.api import router as assessment_router
from selfdirect.core.constants import Role
from selfdirect.extracare.api import router as extracare_router
from selfdirect.ledger.api import router as ledger_router
from selfdirect.market.api import router as market_router
from selfdirect.people.api import router as people_router
from selfdirect.plans.api import router as plans_router
from selfdirect.reporting.api import router as reporting_router

from . import errors
from .auth import SessionAuth, TokenAuth
from .contract import ContractAPI
from .docs import Docs

api = ContractAPI(
    title="selfdirect API",
    version="1",
    description="Self-directed support records for one authority at a time. Every request acts for "
    "the signed-in user (or the token's user) in their current authority; records they do not work "
    "with answer 404. Errors are RFC 9457 problem details whose `errors` name the field path.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api-1",
    docs=Docs(),
)
errors.install(api)


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    authority: str | None
    roles: list[Role]


@api.get("/me", response=MeOut, tags=["session"], summary="Who you are, and for which authority")
def me(request: HttpRequest) -> Any:
    authority = getattr(request, "authority", None)
    return {
        "id": request.user.pk,
        "username": request.user.get_username(),
        "full_name": getattr(request.user, "full_name", ""),
        "authority": authority.slug if authority else None,
        "roles": sorted(getattr(request, "roles", [])),
    }


api.add_router("/", people_router)
api.add_router("/", allocation_router)
api.add_router("/", assessment_router)
api.add_router("/", extracare_router)
api.add_router("/", market_router)
api.add_router("/", ledger_router)
api.add_router("/", plans_router)
api.add_router("/", reporting_router)
api.add_router("/", accounts_router)
