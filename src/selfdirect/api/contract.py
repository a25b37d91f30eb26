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

from selfdirect.core.api_schema import Input

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
    503: "The database is busy with other work: try again after `Retry-After` seconds",
}


RETRY_AFTER = {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}


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
    statuses.add(503)  # selfdirect.core.dbbusy: any request may find the database busy
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


NO_NUL = "^[^\\u0000]*$"


JSON_REF = "#/components/schemas/JsonValue"
JSON_VALUE = {
    "title": "JsonValue",
    "description": "Any JSON value whose texts hold no NUL character and whose numbers fit in 64 bits",
    "anyOf": [
        {"type": "null"},
        {"type": "boolean"},
        {"type": "number", "minimum": -(2**63), "maximum": 2**63 - 1},
        {"type": "string", "pattern": NO_NUL},
        {"type": "array", "items": {"$ref": JSON_REF}},
        {"type": "object", "propertyNames": {"pattern": NO_NUL}, "additionalProperties": {"$ref": JSON_REF}},
    ],
}


def _no_nul(node: Any) -> None:
    """Say of every free text a request carries that it holds no NUL character, and of free-form
    objects that they hold only such texts and 64-bit numbers (Input refuses anything else)."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"pattern", "enum", "const", "format"} & node.keys():
            node["pattern"] = NO_NUL
        if node.get("type") == "object" and node.get("additionalProperties") is True:
            node["propertyNames"] = {"pattern": NO_NUL}
            node["additionalProperties"] = {"$ref": JSON_REF}
        for key, value in node.items():
            if key != "$ref":
                _no_nul(value)
    elif isinstance(node, list):
        for value in node:
            _no_nul(value)


def _request_schemas() -> set[str]:
    """The names of the components that describe requests: every subclass of Input."""
    names: set[str] = set()
    pending: list[type] = [Input]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


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
    schema["components"]["schemas"]["JsonValue"] = JSON_VALUE
    requests = _request_schemas()
    for name, component in schema["components"]["schemas"].items():
        if name in requests:
            _no_nul(component)
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            _no_nul(operation.get("parameters", []))
            _no_nul(operation.get("requestBody", {}))
            responses = operation["responses"]
            for status in error_statuses(method, path, operation):
                if status not in responses and str(status) not in responses:
                    responses[status] = {
                        "description": STATUS_TEXT[status],
                        "content": {PROBLEM: {"schema": {"$ref": PROBLEM_REF}}},
                    }
                    if status == 503:
                        responses[status]["headers"] = {"Retry-After": RETRY_AFTER}
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
