"""/api/openapi.json, built from the endpoint specs and their pydantic schemas."""

from __future__ import annotations

import re
from typing import Any, get_args, get_origin

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from nattlys.api.endpoints import EndpointSpec
from nattlys.api.errors import ErrorPublic

_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>")
_REF = "#/components/schemas/{model}"
_ERROR_TEXT = {
    400: "Malformed JSON or invalid input",
    401: "Not logged in",
    403: "Wrong role, not in the care circle, or failed CSRF check",
    404: "Unknown object",
    409: "Conflict with the current state",
    410: "Gone (used or expired link)",
    413: "Body over the size limit",
    429: "Too many attempts",
}


# pydantic documents datetime.time as JSON Schema's "time", which needs a UTC
# offset (RFC 3339). The API's times are local wall-clock times without one.
_LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


def _local_times(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("format") == "time":
            del node["format"]
            node["pattern"] = _LOCAL_TIME_PATTERN
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def _schema_for(annotation: Any) -> dict[str, Any]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {"$ref": _REF.format(model=annotation.__name__)}
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        return {"type": "array", "items": _schema_for(item)}
    return {}


def _path_and_params(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params: list[dict[str, Any]] = []

    def repl(match: re.Match[str]) -> str:
        conv = match.group("conv")
        schema: dict[str, Any] = {"type": "integer"} if conv == "int" else {"type": "string"}
        params.append({"name": match.group("name"), "in": "path", "required": True, "schema": schema})
        return "{" + match.group("name") + "}"

    return _CONVERTER.sub(repl, rule), params


def build_openapi(app: Flask) -> dict[str, Any]:
    specs: list[tuple[str, str, str, EndpointSpec]] = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        spec: EndpointSpec | None = getattr(view, "endpoint_spec", None)
        if spec is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            specs.append((rule.rule, method.lower(), rule.endpoint, spec))

    models: set[type[BaseModel]] = {ErrorPublic}
    for _, _, _, spec in specs:
        for candidate in (spec.body, spec.query, spec.response):
            models.update(_models_in(candidate))
    ordered = sorted(models, key=lambda m: m.__name__)
    _, defs = models_json_schema([(m, "validation") for m in ordered], ref_template=_REF)
    components = defs.get("$defs", {})

    paths: dict[str, dict[str, Any]] = {}
    for rule_path, method, endpoint_name, spec in sorted(specs):
        path, params = _path_and_params(rule_path)
        operation: dict[str, Any] = {
            "operationId": endpoint_name.replace(".", "_") + ("" if method == "get" else f"_{method}"),
            "summary": spec.summary,
            "tags": [spec.tag],
        }
        if spec.query is not None:
            schema = spec.query.model_json_schema(ref_template=_REF)
            required = set(schema.get("required", []))
            for name, prop in schema.get("properties", {}).items():
                params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
        if params:
            operation["parameters"] = params
        if spec.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _schema_for(spec.body)}},
            }
        responses: dict[str, Any] = {}
        if spec.status == 204:
            responses["204"] = {"description": "Done"}
        else:
            content = {"application/json": {"schema": _schema_for(spec.response)}} if spec.response else {}
            responses[str(spec.status)] = {"description": "OK", **({"content": content} if content else {})}
        error_ref = {"application/json": {"schema": {"$ref": _REF.format(model="ErrorPublic")}}}
        for status in spec.errors:
            if spec.public and status in (401, 403) and not spec.body and status not in spec.declared_errors:
                continue
            responses[str(status)] = {"description": _ERROR_TEXT.get(status, "Error"), "content": error_ref}
        operation["responses"] = responses
        if not spec.public:
            operation["security"] = [{"sessionCookie": []}]
        paths.setdefault(path, {})[method] = operation

    document = {
        "openapi": "3.1.0",
        "info": {"title": "Nattlys API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "nattlys_session"},
            },
        },
    }
    _local_times(document)
    return document
