"""The API's documentation page: the OpenAPI schema (drf-spectacular) written out as an ordinary
page of the site, on the server.

Swagger UI (drf-spectacular-sidecar) runs under the Content-Security-Policy once its start-up
script is a file of its own, but axe-core finds its contrast too low and its buttons nested
inside buttons, and every page of the site must pass axe. So the page is HTML with no script: each
endpoint's method and address, what it does, its parameters, the fields of its body, and its
answers. Tools read the schema itself at /api/v1/schema/."""

import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator


def _component(ref: str, components: dict) -> tuple[str, dict]:
    name = ref.rsplit("/", 1)[-1]
    return name, components.get(name, {})


def _type(schema: dict, components: dict) -> str:
    """A value's type in words: "integer", "date", "one of booked, cancelled", "list of string"."""
    if "$ref" in schema:
        name, schema = _component(schema["$ref"], components)
        if "enum" not in schema:
            return name
    if "allOf" in schema or "oneOf" in schema:
        parts = schema.get("allOf") or schema.get("oneOf")
        return " or ".join(_type(part, components) for part in parts if part.get("enum") != [""])
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"] if value not in ("", None))
    if schema.get("type") == "array":
        return "list of " + _type(schema.get("items", {}), components)
    return schema.get("format") or schema.get("type") or "object"


def _fields(schema: dict, components: dict) -> list[dict]:
    if "$ref" in schema:
        _, schema = _component(schema["$ref"], components)
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": _type(field, components) + (", or null" if field.get("nullable") else ""),
            "required": name in required,
            "description": field.get("description", ""),
            "read_only": field.get("readOnly", False),
        }
        for name, field in schema.get("properties", {}).items()
    ]


def _body(content: dict) -> dict:
    return content.get("application/json", {}).get("schema", {})


def _operation(path: str, method: str, operation: dict, components: dict) -> dict:
    body = _body(operation.get("requestBody", {}).get("content", {}))
    return {
        "id": operation["operationId"],
        "method": method.upper(),
        "path": path,
        "summary": operation.get("summary", ""),
        "description": operation.get("description", ""),
        "parameters": [
            {
                "name": parameter["name"],
                "where": "address" if parameter["in"] == "path" else "query",
                "type": _type(parameter.get("schema", {}), components),
                "required": parameter.get("required", False),
                "description": parameter.get("description", ""),
            }
            for parameter in operation.get("parameters", [])
        ],
        "body": _fields(body, components) if body else [],
        "responses": [
            {
                "status": status,
                "description": response.get("description", ""),
                "shape": _type(_body(response.get("content", {})), components) if response.get("content") else "",
            }
            for status, response in operation.get("responses", {}).items()
        ],
    }


@functools.cache
def documentation() -> dict:
    """The page's content, worked out once per process: the schema does not change while it runs."""
    # Worked out once for every reader, so in one language: the schema's own (field names, help
    # texts) untranslated.
    with translation.override(None):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    groups: dict[str, list[dict]] = {}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            tag = operation.get("tags", ["api"])[0]
            groups.setdefault(tag, []).append(_operation(path, method, operation, components))
    return {"info": schema["info"], "groups": sorted(groups.items())}


@require_GET
@login_required
def docs(request):
    return render(request, "api/docs.html", documentation())
