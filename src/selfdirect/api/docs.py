"""The API's documentation as a GOV.UK page, read from the same OpenAPI document the API serves.

Swagger UI needs JavaScript and fails the accessibility checks every page here passes (nested
controls, low-contrast text), so the page at /api/v1/docs is rendered on the server: each
operation by area, with its parameters, body and answers, then every schema with its fields.
Tools read the document itself at /api/v1/openapi.json."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

METHODS = ("get", "post", "put", "patch", "delete")


def _name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def describe(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema in words: ``text`` to show, and ``ref`` when it names another schema."""
    if "$ref" in schema:
        return {"text": _name(schema["$ref"]), "ref": _name(schema["$ref"])}
    if "anyOf" in schema or "oneOf" in schema:
        parts = [describe(s) for s in schema.get("anyOf", schema.get("oneOf", []))]
        refs = [p["ref"] for p in parts if p.get("ref")]
        return {"text": " or ".join(p["text"] for p in parts), "ref": refs[0] if len(refs) == 1 else None}
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return describe(schema["allOf"][0])
    if "enum" in schema:
        return {"text": "one of " + ", ".join(str(v) for v in schema["enum"]), "ref": None}
    kind = schema.get("type", "any value")
    if kind == "array":
        inner = describe(schema.get("items", {}))
        return {"text": f"list of {inner['text']}", "ref": inner.get("ref")}
    if kind == "null":
        return {"text": "null", "ref": None}
    if schema.get("format") in ("date", "date-time", "binary", "uri"):
        kind = f"{kind} ({schema['format']})"
    return {"text": kind, "ref": None}


def _limits(schema: dict[str, Any]) -> str:
    words = []
    for key, label in (("minimum", "at least"), ("maximum", "at most"), ("minLength", "at least"),
                       ("maxLength", "at most")):  # fmt: skip
        if key in schema:
            unit = " characters" if key.endswith("Length") else ""
            words.append(f"{label} {schema[key]}{unit}")
    if "default" in schema and schema["default"] not in ("", None):
        words.append(f"default {schema['default']}")
    return "; ".join(words)


def _body(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": kind, **describe(entry.get("schema", {}))} for kind, entry in content.items()]


def context(document: dict[str, Any]) -> dict[str, Any]:
    areas: dict[str, list[dict[str, Any]]] = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            area = (operation.get("tags") or ["other"])[0]
            areas.setdefault(area, []).append({
                "id": operation.get("operationId", f"{method}-{path}"),
                "method": method.upper(), "path": path, "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "parameters": [
                    {"name": p["name"], "where": p.get("in", ""), "required": p.get("required", False),
                     "description": p.get("description", ""), **describe(p.get("schema", {}))}
                    for p in operation.get("parameters", [])
                ],
                "body": _body(operation.get("requestBody", {}).get("content", {})),
                "responses": [
                    {"status": status, "description": answer.get("description", ""),
                     "body": _body(answer.get("content", {}))}
                    for status, answer in sorted(operation.get("responses", {}).items())
                ],
            })  # fmt: skip
    schemas = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        fields = [
            {"name": field, "required": field in required, "description": spec.get("description", ""),
             "limits": _limits(spec), **describe(spec)}
            for field, spec in schema.get("properties", {}).items()
        ]  # fmt: skip
        schemas.append({"name": name, "description": schema.get("description", ""), "fields": fields,
                        "kind": describe(schema)["text"] if not fields else ""})  # fmt: skip
    info = document.get("info", {})
    return {"info": info, "areas": sorted(areas.items()), "schemas": schemas}


class Docs(DocsBase):
    """/api/v1/docs: the document rendered as a page that works without JavaScript."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        document = api.get_openapi_schema(path_params=kwargs)
        return render(
            request, "api/docs.html", {**context(document), "openapi_url": self.get_openapi_url(api, kwargs)}
        )
