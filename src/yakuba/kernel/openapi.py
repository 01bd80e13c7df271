"""The town's JSON APIs described as one OpenAPI document, assembled from the parts each system registers.

A system that offers a JSON API registers its part from AppConfig.ready (in its `openapi.py`):

    register(ApiPart(tag="opendata", description="…", paths=ckan_paths, schemas={"Package": {...}}))

Paths are relative to the town's root (`/api/3/action/package_show`); the document's `servers` entry is the town's
own address, so a client (or a property-based test run) resolves them against the town that served it. The parts
only describe what the views already do: a test runs schemathesis against a live server with this document and
finds no 5xx and no response outside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1"


@dataclass(frozen=True)
class ApiPart:
    tag: str  # the OpenAPI tag of the part's operations, e.g. "opendata"
    description: str
    paths: Callable[[], Json]  # path → path item, built when asked (translated text follows the request's language)
    schemas: Mapping[str, Json] = field(default_factory=dict)  # components/schemas the paths refer to


_parts: dict[str, ApiPart] = {}


def register(part: ApiPart) -> ApiPart:
    if part.tag in _parts and _parts[part.tag] is not part:
        raise ValueError(f"an API part tagged {part.tag!r} is already registered")
    _parts[part.tag] = part
    return part


def parts() -> list[ApiPart]:
    return [_parts[tag] for tag in sorted(_parts)]


def serves_json(path: str) -> bool:
    """Whether `path` (a town-relative path_info) belongs to a registered JSON API: refusals made before any view
    (kernel/ui/middleware.py) then answer in JSON, as the description says, instead of with the 400 page."""
    return path.startswith("/api/") or any(path.startswith(static) for static in _static_paths())


def _static_paths() -> set[str]:
    return {key.split("{", 1)[0] for part in parts() for key in part.paths()}


KERNEL_REFUSAL = "KernelRefusal"


def kernel_refusal(description: str) -> Json:
    """A refusal the kernel makes before the API's own view runs (too many requests, an unreadable or NUL-bearing
    request): the same JSON shape for every API, {"success": false, "error": {"__type", "message"}}."""
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{KERNEL_REFUSAL}"}}}}


def rate_limited() -> Json:
    """The 429 every anonymous endpoint may answer (kernel/throttle.py's JSON refusal)."""
    return {**kernel_refusal("Too many requests from this address; try again after Retry-After seconds."),
            "headers": {"Retry-After": {"schema": {"type": "string", "pattern": "^[0-9]+$"}}}}


def unreadable(own: Json | None = None) -> Json:
    """A 400: the kernel's refusal of an unreadable request, or (`own`) the operation's own refusal schema."""
    schema: Json = {"$ref": f"#/components/schemas/{KERNEL_REFUSAL}"}
    if own is not None:
        schema = {"anyOf": [own, schema]}
    return {"description": "The request could not be read, or a parameter was refused.",
            "content": {"application/json": {"schema": schema}}}


KERNEL_SCHEMAS: dict[str, Json] = {
    KERNEL_REFUSAL: {
        "type": "object", "required": ["success", "error"],
        "properties": {"success": {"const": False},
                       "error": {"type": "object", "required": ["__type", "message"],
                                 "properties": {"__type": {"enum": ["Rate Limit", "Bad Request", "Too Large"]},
                                                "message": {"type": "string"}}}},
    },
}


def document(*, title: str, server_url: str) -> Json:
    """The OpenAPI document of every registered part, served for one town at `server_url`."""
    paths: Json = {}
    schemas: Json = dict(KERNEL_SCHEMAS)
    for part in parts():
        for path, item in part.paths().items():
            if path in paths:
                raise ValueError(f"{path} is described by two API parts")
            paths[path] = item
        for name, schema in part.schemas.items():
            if name in schemas and schemas[name] != schema:
                raise ValueError(f"schema {name} is defined twice differently")
            schemas[name] = schema
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "version": API_VERSION,
                 "description": "Read-only public APIs of the town: open data (CKAN-compatible) and the AI "
                                "問い合わせ search and answers. No authentication; limited per address."},
        "servers": [{"url": server_url.rstrip("/")}],
        "tags": [{"name": part.tag, "description": part.description} for part in parts()],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": schemas},
    }
