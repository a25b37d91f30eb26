"""The committed OpenAPI document is a contract the running API keeps: schemathesis generates requests
from it for every operation, schema-valid and schema-breaking, sends them to the app in-process with a
bearer token, and runs its default checks on every answer (no 5xx, only documented statuses and
content types, bodies matching their schemas, invalid requests refused, valid ones not refused...).

Bounded: a few examples per operation and mode, drawn deterministically (the same cases every run),
so it runs in CI on SQLite and on PostgreSQL. Path ids are half the time pinned to records that exist
(a person with a plan and a budget, a provider with rates, a scheme...), so the handlers behind the
404s are exercised too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from helpers import token_for
from selfdirect.api.openapi import OPENAPI_PATH
from selfdirect.core.constants import Role
from selfdirect.core.models import Membership, User

EXAMPLES = 4  # per operation and mode: 138 operations, positive and negative

# Schema-valid requests a rule of the service refuses with 422 (a date outside the budget's period, an
# overspend, a period not open...) are answers the contract documents; what must never happen is a
# 422 from the request's *shape* for a request the schema says is valid: that means the document lies.
# schemathesis's own check treats every 422 to valid data as a failure, so 422 is accepted there and
# `shape_is_accepted` below keeps the part of that check that matters.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
CONFIG = {
    "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
    "operations": [
        # A file the contract can only call binary: one that is not UTF-8 CSV is refused with 400, as
        # the operation's description says (and the pages do).
        {"include-path": "/api/v1/market/providers/import",
         "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}}},
    ],
}  # fmt: skip


def shape_is_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """A schema-valid request is never refused for its shape (the document and the code agree)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    shape = [e for e in json.loads(response.content).get("errors", []) if e["path"][:1] in (["query"], ["path"])
             or e["path"][:2] in (["body", "payload"], ["body", "body"])]  # fmt: skip
    assert not shape, f"a schema-valid request was refused for its shape: {shape}"
    return None


def contract() -> Any:
    schema = schemathesis.openapi.from_dict(
        json.loads(OPENAPI_PATH.read_text()), config=SchemathesisConfig.from_dict(CONFIG)
    )
    schema.app = get_wsgi_application()
    return schema


def seed(world) -> dict[str, Any]:
    """Records for the generated requests to find, and the ids of one of each."""
    from ledger_support import make_budget
    from plans_support import write_plan

    from selfdirect.extracare import services as extracare
    from selfdirect.market.demo import load_authority
    from selfdirect.market.models import Broker, Contract, PersonalAssistant, Provider, ProviderList, Service

    north = world.north
    load_authority(north.authority, ("Northam", "Kelby"))
    person = north.caseload_person
    plan = write_plan(north, person)
    budget = make_budget(person, agree=False)
    scheme = extracare.create_from_seed(north.users[Role.COMMISSIONER], north.authority)
    first = {model: model.objects.filter(authority=north.authority).order_by("pk").first()
             for model in (Provider, Service, PersonalAssistant, Broker, ProviderList, Contract)}  # fmt: skip
    return {
        "person_id": person.pk, "plan_id": plan.pk, "budget_id": budget.pk, "scheme_id": scheme.pk,
        "team_id": north.home_team.pk, "rep_id": north.representative.pk,
        "provider_id": first[Provider].pk, "service_id": first[Service].pk, "pa_id": first[PersonalAssistant].pk,
        "broker_id": first[Broker].pk, "list_id": first[ProviderList].pk, "contract_id": first[Contract].pk,
        "outcome_id": plan.outcomes.first().pk, "line_id": plan.lines.first().pk,
    }  # fmt: skip


def fuzzer(world) -> str:
    """A token for someone holding every staff role in Northshire, on both of its teams."""
    user = User.objects.create_user("fuzzer", password="a-long-test-password", full_name="Fuzzer")
    for role in (Role.ASSESSOR, Role.PLANNER, Role.PANEL, Role.FINANCE, Role.COMMISSIONER, Role.ADMIN):
        Membership.objects.create(user=user, authority=world.north.authority, role=role)
    for team in (world.north.home_team, world.north.other_team):
        team.members.add(user)
    return token_for(user, world.north.authority)


@pytest.fixture
def in_process():
    """The WSGI app in this thread, on the test's database connection: as Django's test client does,
    the connection is not closed at the end of each request (it holds the test's transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_the_api_keeps_its_openapi_contract(world, in_process):
    schema = contract()
    ids = seed(world)
    headers = {"Authorization": f"Bearer {fuzzer(world)}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    # Deletions last, so the records the others find are still there.
    operations.sort(key=lambda op: (op.method.upper() == "DELETE", op.path, op.method))
    failures: list[str] = []
    for operation in operations:
        names = [p.name for p in operation.path_parameters]
        pinned = {name: ids[name] for name in names if name in ids}
        for mode, path_parameters in (
            (GenerationMode.POSITIVE, pinned),
            (GenerationMode.POSITIVE, {}),
            (GenerationMode.NEGATIVE, pinned),
        ):
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
            @given(case=operation.as_strategy(mode, path_parameters=path_parameters or None))
            def check(case: Any) -> None:
                case.call_and_validate(headers=headers, additional_checks=[shape_is_accepted])

            try:
                check()
            except (Exception, BaseExceptionGroup) as exc:  # every failure is collected and reported together
                failures.append(f"{operation.label} ({mode.value}, ids {'pinned' if path_parameters else 'drawn'}):\n{exc}")
    assert not failures, f"{len(failures)} contract failures:\n\n" + "\n\n".join(failures)



# --- what the document says, checked directly -------------------------------------------------------


def test_each_schema_has_a_name_of_its_own():
    from django.core.exceptions import ImproperlyConfigured
    from ninja import Router, Schema

    from selfdirect.api.contract import ContractAPI

    def router_with(values: list[str]) -> Router:
        class Thing(Schema):
            value: int
            kind: str = values[0]

        router = Router()

        @router.get(f"/{values[0]}", response=Thing)
        def view(request):  # pragma: no cover - never called
            return None

        return router

    api = ContractAPI(urls_namespace="collision-test")
    api.add_router("/a", router_with(["a"]))
    api.add_router("/b", router_with(["b"]))
    with pytest.raises(ImproperlyConfigured, match="'Thing'"):
        api.get_openapi_schema(path_prefix="/")


def test_the_documented_enums_are_the_ones_each_operation_takes():
    document = json.loads(OPENAPI_PATH.read_text())
    schemas = document["components"]["schemas"]
    assert "monthly" in schemas["BudgetFrequency"]["enum"] and "week" in schemas["Frequency"]["enum"]
    assert schemas["LedgerBudgetIn"]["properties"]["frequency"] == {"$ref": "#/components/schemas/BudgetFrequency"}
    assert schemas["LineIn"]["properties"]["frequency"] == {"$ref": "#/components/schemas/Frequency"}
    assert "staff_text" in schemas["ExplanationLineOut"]["properties"]
    assert "unit_cost_pence" in schemas["PlanLineOut"]["properties"]
    assert "format" not in schemas["RateTableOut"]["properties"]["night_until"]  # no offset: not RFC 3339


def test_every_operation_documents_its_errors_as_problem_details():
    document = json.loads(OPENAPI_PATH.read_text())
    missing = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for status, answer in operation["responses"].items():
                if int(status) >= 400 and "application/problem+json" not in answer.get("content", {}):
                    missing.append(f"{method.upper()} {path} {status}")
            if operation.get("security") and not {"401", "403"} <= operation["responses"].keys():
                missing.append(f"{method.upper()} {path}: 401/403")
            if ("{" in path or operation.get("parameters") or "requestBody" in operation) and not {
                "404", "422"} <= operation["responses"].keys():  # fmt: skip
                missing.append(f"{method.upper()} {path}: 404/422")
    assert missing == []
