"""``/api/docs``: the API reference as a page, rendered on the server from the same
OpenAPI document ``/openapi.json`` serves (Jinja2, no script, nothing from a CDN).

Operations are grouped by the first part of their path; every ``$ref`` becomes a link
to the schema's own table further down the page.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from markupsafe import Markup, escape

from infra.i18n import gettext as _
from infra.web import render
from zhixin.openapi import build_openapi

METHODS = ("get", "post", "put", "patch", "delete")
MAX_DEPTH = 3  # nested object fields shown inline, deeper ones as "object"


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; translated where shown."""
    return message


GROUPS = {
    "enterprises": N_("Enterprises and grades"),
    "recalls": N_("Recall notices"),
    "cases": N_("Complaints and tips"),
    "desk": N_("Department desk (staff token)"),
    "campaigns": N_("Campaign reports"),
    "assessment": N_("Annual assessment"),
    "open311": N_("Open311 GeoReport v2"),
}


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_html(schema: dict[str, Any] | None) -> Markup:
    """A schema's type in a few words, a ``$ref`` as a link to its table."""
    if not schema:
        return Markup("—")
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return Markup('<a href="#schema-{0}"><code>{0}</code></a>').format(name)
    for combiner in ("allOf", "oneOf", "anyOf"):
        if combiner in schema:
            joiner = " & " if combiner == "allOf" else " | "
            return Markup(joiner).join(type_html(part) for part in schema[combiner])
    kind = schema.get("type", "object")
    if kind == "array":
        return Markup("{} {}").format(_("array of"), type_html(schema.get("items")))
    text = escape(kind)
    if "format" in schema:
        text = Markup("{} ({})").format(text, schema["format"])
    if "enum" in schema:
        values = Markup(", ").join(Markup("<code>{}</code>").format(v) for v in schema["enum"])
        text = Markup("{}: {}").format(text, values)
    if schema.get("nullable"):
        text = Markup("{} {}").format(text, _("or null"))
    return text


def fields(schema: dict[str, Any] | None, prefix: str = "", depth: int = 0) -> list[dict]:
    """The properties of an object schema as table rows, nested ones as ``a.b``."""
    if not schema or "$ref" in schema:
        return []
    rows: list[dict[str, Any]] = []
    for part in schema.get("allOf", []):
        rows += fields(part, prefix, depth)
    required = set(schema.get("required", []))
    for name, sub in (schema.get("properties") or {}).items():
        rows.append(
            {
                "name": prefix + name,
                "type": type_html(sub),
                "required": name in required,
                "description": sub.get("description", ""),
            }
        )
        if depth + 1 < MAX_DEPTH and sub.get("type") == "object" and "properties" in sub:
            rows += fields(sub, f"{prefix}{name}.", depth + 1)
        items = sub.get("items") if sub.get("type") == "array" else None
        if items and depth + 1 < MAX_DEPTH and "properties" in items:
            rows += fields(items, f"{prefix}{name}[].", depth + 1)
    return rows


def _body(body: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not body:
        return []
    out = []
    for content_type, media in (body.get("content") or {}).items():
        schema = media.get("schema")
        out.append(
            {"content_type": content_type, "type": type_html(schema), "fields": fields(schema)}
        )
    return out


def _operation(path: str, method: str, op: dict[str, Any], shared: list) -> dict[str, Any]:
    params = [*shared, *op.get("parameters", [])]
    responses = []
    for status, answer in sorted((op.get("responses") or {}).items()):
        content = answer.get("content") or {}
        schema = next(iter(content.values()), {}).get("schema") if content else None
        responses.append(
            {
                "status": status,
                "description": answer.get("description", ""),
                "type": type_html(schema) if schema else Markup(""),
            }
        )
    security = [name for item in op.get("security", []) for name in item]
    return {
        "id": op.get("operationId") or f"{method}-{path}",
        "method": method.upper(),
        "path": path,
        "summary": op.get("summary", ""),
        "description": op.get("description", ""),
        "security": security,
        "parameters": [
            {
                "name": p.get("name", ""),
                "in": p.get("in", ""),
                "required": bool(p.get("required")),
                "type": type_html(p.get("schema")),
                "description": p.get("description", ""),
            }
            for p in params
            if "$ref" not in p
        ],
        "body": _body(op.get("requestBody")),
        "responses": responses,
    }


def _group_key(path: str) -> str:
    parts = [p for p in path.split("/") if p and p not in ("api", "v1", "v2")]
    return parts[0] if parts else "other"


def reference(doc: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document shaped for the page: groups of operations, then schemas."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, item in doc.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                groups.setdefault(_group_key(path), []).append(
                    _operation(path, method, item[method], shared)
                )
    schemas = [
        {"name": name, "type": type_html({k: v for k, v in s.items() if k != "properties"})}
        | {"description": s.get("description", ""), "fields": fields(s)}
        for name, s in sorted(doc.get("components", {}).get("schemas", {}).items())
    ]
    ordered = [k for k in GROUPS if k in groups] + sorted(k for k in groups if k not in GROUPS)
    return {
        "info": doc.get("info", {}),
        "version": doc.get("openapi", ""),
        "groups": [
            {"key": k, "title": _(GROUPS[k]) if k in GROUPS else k, "operations": groups[k]}
            for k in ordered
        ],
        "schemas": schemas,
        "operation_count": sum(len(v) for v in groups.values()),
    }


async def api_docs(request: web.Request) -> web.Response:
    """The API reference page."""
    response = render("api_docs.html", request, {"api": reference(build_openapi(request.app))})
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Vary"] = "Accept-Language"
    return response
