"""The CKAN-compatible API (views/api.py, services/ckan.py) described for the town's OpenAPI document."""

from __future__ import annotations

from typing import Any

from yakuba.kernel import openapi

Json = dict[str, Any]

PREFIX = "/api/3/action/"


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _string(description: str = "") -> Json:
    return {"type": "string", **({"description": description} if description else {})}


def _natural(description: str) -> Json:
    return {"type": "integer", "minimum": 0, "description": description}


def _flag(description: str) -> Json:
    return {"type": "boolean", "description": description}


SCHEMAS: dict[str, Json] = {
    "CkanHelp": {"type": "string", "description": "The address of help_show for this action."},
    "CkanFailure": {
        "type": "object", "required": ["help", "success", "error"],
        "properties": {"help": _ref("CkanHelp"), "success": {"const": False},
                       "error": {"type": "object", "required": ["__type"],
                                 "properties": {"__type": {"type": "string"}, "message": {"type": "string"}}}},
    },
    "CkanBadRequest": {
        "description": "CKAN's refusal of a request it cannot read: a JSON string, or a failure envelope.",
        "anyOf": [{"type": "string", "pattern": "^Bad request"}, _ref("CkanFailure")],
    },
    "Tag": {
        "type": "object", "required": ["id", "name", "display_name"],
        "properties": {"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
                       "display_name": {"type": "string"}, "state": {"type": "string"},
                       "vocabulary_id": {"type": ["string", "null"]}},
    },
    "Resource": {
        "type": "object", "required": ["id", "package_id", "name", "format", "url", "position"],
        "properties": {"id": {"type": "string"}, "package_id": {"type": "string", "format": "uuid"},
                       "name": {"type": "string"}, "description": {"type": "string"},
                       "format": {"type": "string"}, "mimetype": {"type": ["string", "null"]},
                       "url": {"type": "string", "format": "uri"}, "size": {"type": ["integer", "null"]},
                       "hash": {"type": "string"}, "position": {"type": "integer", "minimum": 0},
                       "created": {"type": "string"}, "last_modified": {"type": "string"}},
    },
    "Organization": {
        "type": "object", "required": ["id", "name", "title", "type", "is_organization"],
        "properties": {"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
                       "title": {"type": "string"}, "display_name": {"type": "string"},
                       "type": {"const": "organization"}, "description": {"type": "string"},
                       "image_url": {"type": "string"}, "is_organization": {"const": True},
                       "package_count": {"type": "integer", "minimum": 0},
                       "packages": {"type": "array", "items": _ref("Package")}},
    },
    "Package": {
        "type": "object",
        "required": ["id", "name", "title", "type", "license_id", "organization", "resources", "tags",
                     "metadata_created", "metadata_modified"],
        "properties": {"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
                       "title": {"type": "string"}, "notes": {"type": "string"}, "type": {"const": "dataset"},
                       "license_id": {"type": "string"}, "license_title": {"type": "string"},
                       "organization": _ref("Organization"), "owner_org": {"type": "string"},
                       "url": {"type": "string", "format": "uri"}, "version": {"type": "string"},
                       "metadata_created": {"type": "string"}, "metadata_modified": {"type": "string"},
                       "tags": {"type": "array", "items": _ref("Tag")}, "num_tags": {"type": "integer"},
                       "resources": {"type": "array", "items": _ref("Resource")},
                       "num_resources": {"type": "integer"},
                       "extras": {"type": "array", "items": {
                           "type": "object", "required": ["key", "value"],
                           "properties": {"key": {"type": "string"}, "value": {"type": "string"}}}}},
    },
    "SearchResult": {
        "type": "object", "required": ["count", "results", "sort", "facets", "search_facets"],
        "properties": {"count": {"type": "integer", "minimum": 0},
                       "results": {"type": "array", "items": _ref("Package")}, "sort": {"type": "string"},
                       "facets": {"type": "object"}, "search_facets": {"type": "object"}},
    },
    "Status": {
        "type": "object", "required": ["site_title", "site_url", "ckan_version", "locale_default"],
        "properties": {"site_title": {"type": "string"}, "site_description": {"type": "string"},
                       "site_url": {"type": "string"}, "ckan_version": {"type": "string"},
                       "locale_default": {"type": "string"}},
    },
}

# action → (summary, its result schema, its parameters: name → (schema, required))
Parameters = dict[str, tuple[Json, bool]]
_PAGING: Parameters = {"limit": (_natural("At most this many."), False),
                       "offset": (_natural("Skip this many."), False)}
_ALL_FIELDS: Parameters = {"all_fields": (_flag("Whole objects instead of names."), False)}
ACTIONS: dict[str, tuple[str, Json, Parameters]] = {
    "package_list": ("The names of the town's published datasets.",
                     {"type": "array", "items": {"type": "string"}}, _PAGING),
    "current_package_list_with_resources": ("The published datasets with their resources, newest first.",
                                            {"type": "array", "items": _ref("Package")}, _PAGING),
    "package_show": ("One dataset by name or id.", _ref("Package"),
                     {"id": (_string("The dataset's name or id."), True)}),
    "resource_show": ("One resource (a download) by id.", _ref("Resource"),
                      {"id": (_string("The resource's id."), True)}),
    "package_search": ("Search the datasets (the part of Solr's syntax harvesters send).", _ref("SearchResult"), {
        "q": (_string("Free text, or field:value clauses."), False),
        "fq": (_string("Filter clauses, e.g. tags:自治体標準ODS or res_format:CSV."), False),
        "rows": ({"type": "integer", "minimum": 0, "description": "Results per page (at most 1000)."}, False),
        "start": (_natural("Skip this many results."), False),
        "sort": (_string("e.g. metadata_modified desc, title_string asc."), False),
        "facet.field": (_string('A JSON list of fields to count, e.g. ["tags"].'), False),
        "facet.limit": ({"type": "integer", "description": "Values per facet (negative: all)."}, False),
        "facet.mincount": (_natural("Leave out values counted fewer times."), False),
    }),
    "organization_list": ("The town as CKAN's organization list.",
                          {"type": "array", "items": {"anyOf": [{"type": "string"}, _ref("Organization")]}},
                          _ALL_FIELDS),
    "organization_show": ("The town as an organization.", _ref("Organization"), {
        "id": (_string("The town's code or the organization's id."), True),
        "include_datasets": (_flag("Include the datasets."), False)}),
    "tag_list": ("The tags of the datasets.",
                 {"type": "array", "items": {"anyOf": [{"type": "string"}, _ref("Tag")]}},
                 {"query": (_string("Only tags containing this."), False), **_ALL_FIELDS}),
    "status_show": ("About the site.", _ref("Status"), {}),
    "help_show": ("The help text of an action.", {"type": ["string", "null"]},
                  {"name": (_string("An action's name."), True)}),
}


def _success(result: Json) -> Json:
    return {"type": "object", "required": ["help", "success", "result"],
            "properties": {"help": _ref("CkanHelp"), "success": {"const": True}, "result": result}}


def _responses(result: Json) -> Json:
    def failure(description: str, schema: Json) -> Json:
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    return {
        "200": failure("Success.", _success(result)),
        "400": openapi.unreadable(_ref("CkanBadRequest")),
        "404": failure("Nothing by that name or id.", _ref("CkanFailure")),
        "409": failure("A parameter is missing or invalid (CKAN's Validation Error).", _ref("CkanFailure")),
        "429": openapi.rate_limited(),
    }


def _operation(name: str, summary: str, result: Json, parameters: Parameters, method: str) -> Json:
    operation: Json = {"tags": ["opendata"], "operationId": f"ckan_{name}_{method}", "summary": summary,
                       "responses": _responses(result)}
    if method == "get":
        operation["parameters"] = [{"name": key, "in": "query", "required": required, "schema": schema}
                                   for key, (schema, required) in parameters.items()]
    else:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "properties": {key: schema for key, (schema, _required) in parameters.items()},
            "required": [key for key, (_schema, required) in parameters.items() if required]}}}}
    return operation


def paths() -> Json:
    return {f"{PREFIX}{name}": {method: _operation(name, summary, result, parameters, method)
                                for method in ("get", "post")}
            for name, (summary, result, parameters) in ACTIONS.items()}


PART = openapi.register(openapi.ApiPart(
    tag="opendata",
    description="CKAN-compatible read API (version 3) over the town's published open datasets; "
                "also answered at /api/action/.",
    paths=paths, schemas=SCHEMAS))
