"""The OpenAPI document as a contract: every schema under its own name, every status an operation
can answer documented with the problem-details schema, integers within what the database holds.

django-ninja names each component by its Python class and silently lets a later class overwrite an
earlier one of the same name (a ledger budget's `Frequency` was replaced by the plan line's, so a
budget saying `monthly` broke its own schema). Here a second, different schema under a name already
taken is an error when the document is built, so it fails the tests instead of the clients.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from .errors import PROBLEM

PROBLEM_REF = "#/components/schemas/Problem"

PROBLEM_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "title": "Problem",
        "description": "An error, as RFC 9457 problem details. `errors` names each field at fault by its "
        "path, for example `[\"body\", \"payload\", \"date_of_birth\"]` or `[\"query\", \"page\"]`.",
        "type": "object",
        "properties": {
            "type": {"type": "string", "description": "about:blank: the status says what kind of error"},
            "title": {"type": "string"},
            "status": {"type": "integer", "format": "int64"},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemField"}},
        },
        "required": ["type", "title", "status"],
    },
    "ProblemField": {
        "title": "ProblemField",
        "type": "object",
        "properties": {
            "path": {"type": "array", "items": {"type": "string"}},
            "message": {"type": "string"},
        },
        "required": ["path", "message"],
    },
}

STATUS_TEXT = {
    400: "The request could not be read (malformed JSON, or not the form the operation takes)",
    401: "No signed-in session and no valid bearer token",
    403: "Your role does not allow this",
    404: "No such record, or not one you work with",
    409: "The record's current state does not allow this, or other records still refer to it",
    422: "A field is invalid or a rule refuses the request: `errors` names each field by its path",
}


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> list[int]:
    """What an operation can answer besides success, from what it takes and who may call it."""
    statuses: set[int] = set()
    takes_input = bool(operation.get("parameters")) or "requestBody" in operation
    if operation.get("security"):
        statuses |= {401, 403}
    if takes_input:
        statuses |= {404, 422}  # an id in the path, the body or the query may not be one you see
    if "{" in path:
        statuses.add(404)
    if "requestBody" in operation:
        statuses.add(400)
    if method != "get":
        statuses.add(409)
    return sorted(statuses)


def _int64(node: Any) -> None:
    """Say of every integer what the database holds (signed 64 bits); Input enforces it."""
    if isinstance(node, dict):
        if node.get("type") == "integer" and "format" not in node:
            node["format"] = "int64"
        for value in node.values():
            _int64(value)
    elif isinstance(node, list):
        for value in node:
            _int64(value)


class ContractSchema(OpenAPISchema):
    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        for name, schema in definitions.items():
            if name in self.schemas and self.schemas[name] != schema:
                raise ImproperlyConfigured(
                    f"Two different API schemas are both named {name!r}: rename one of their classes"
                )
        super().add_schema_definitions(definitions)


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the problem schemas and each operation's error statuses to a built document."""
    schema["components"]["schemas"].update(PROBLEM_SCHEMAS)
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            for status in error_statuses(method, path, operation):
                if status not in responses and str(status) not in responses:
                    responses[status] = {
                        "description": STATUS_TEXT[status],
                        "content": {PROBLEM: {"schema": {"$ref": PROBLEM_REF}}},
                    }
    _int64(schema)
    return schema


class ContractAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document is :func:`document`-ed and refuses colliding names."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        built = ContractSchema(self, path_prefix)
        document(built)
        return built
