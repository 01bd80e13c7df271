"""The Open311 GeoReport v2 API of 通報 (views/open311.py) described for the town's OpenAPI document."""

from __future__ import annotations

from typing import Any

from yakuba.kernel import openapi

Json = dict[str, Any]


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: Json, headers: Json | None = None) -> Json:
    answer: Json = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        answer["headers"] = headers
    return answer


_TEXT = {"type": "string"}
_NULLABLE = {"type": ["string", "null"]}
SCHEMAS: dict[str, Json] = {
    "Open311Errors": {"type": "array", "items": {
        "type": "object", "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": _TEXT}}},
    "Open311Service": {
        "type": "object", "required": ["service_code", "service_name", "metadata", "type"],
        "properties": {"service_code": _TEXT, "service_name": _TEXT, "description": _TEXT,
                       "metadata": {"type": "boolean"}, "type": {"enum": ["realtime", "batch", "blackbox"]},
                       "keywords": _TEXT, "group": _TEXT}},
    "Open311ServiceDefinition": {
        "type": "object", "required": ["service_code", "attributes"],
        "properties": {"service_code": _TEXT, "attributes": {"type": "array", "items": {
            "type": "object", "required": ["variable", "code", "datatype", "required", "order", "description"],
            "properties": {
                "variable": {"type": "boolean"}, "code": _TEXT, "required": {"type": "boolean"},
                "datatype": {"enum": ["string", "number", "datetime", "text", "singlevaluelist",
                                      "multivaluelist"]},
                "datatype_description": _TEXT, "order": {"type": "integer"}, "description": _TEXT,
                "values": {"type": "array", "items": {"type": "object", "required": ["key", "name"],
                                                      "properties": {"key": _TEXT, "name": _TEXT}}}}}}}},
    "Open311Request": {
        "type": "object", "required": ["service_request_id", "status", "service_code", "requested_datetime",
                                       "lat", "long"],
        "properties": {"service_request_id": _TEXT, "status": {"enum": ["open", "closed"]},
                       "status_notes": _TEXT, "service_name": _TEXT, "service_code": _TEXT, "description": _TEXT,
                       "agency_responsible": _TEXT, "service_notice": _TEXT,
                       "requested_datetime": {"type": "string", "format": "date-time"},
                       "updated_datetime": {"type": "string", "format": "date-time"},
                       "expected_datetime": _NULLABLE, "address": _TEXT, "address_id": _NULLABLE,
                       "zipcode": _NULLABLE, "lat": {"type": "number"}, "long": {"type": "number"},
                       "media_url": _TEXT}},
    "Open311Created": {"type": "object", "required": ["service_request_id"],
                       "properties": {"service_request_id": _TEXT, "token": _TEXT, "service_notice": _TEXT,
                                      "account_id": _NULLABLE}},
    "Open311Token": {"type": "object", "required": ["service_request_id", "token"],
                     "properties": {"service_request_id": _TEXT, "token": _TEXT}},
    "Open311Discovery": {"type": "object", "required": ["endpoints"],
                         "properties": {"changeset": _TEXT, "contact": _TEXT, "key_service": _TEXT,
                                        "endpoints": {"type": "array", "items": {"type": "object"}}}},
}
_RETRY = {"Retry-After": {"schema": {"type": "string", "pattern": "^[0-9]+$"}}}


def _refusals(*statuses: int) -> Json:
    found: Json = {"400": openapi.unreadable(_ref("Open311Errors")),
                   "429": _json("Too many requests; try again after Retry-After seconds.",
                                {"anyOf": [_ref("Open311Errors"), {"$ref": f"#/components/schemas/"
                                                                           f"{openapi.KERNEL_REFUSAL}"}]},
                                _RETRY)}
    for status in statuses:
        found[str(status)] = _json("Not found, or the api_key is missing or wrong.", _ref("Open311Errors"))
    return found


def _query(name: str, description: str) -> Json:
    return {"name": name, "in": "query", "required": False, "schema": {"type": "string"},
            "description": description}


def _path(name: str, description: str) -> Json:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
            "description": description}


def paths() -> Json:
    search = [
        _query("service_request_id", "One or more ids, comma separated; overrides the other parameters."),
        _query("service_code", "One or more service codes, comma separated."),
        _query("start_date", "W3C date-time; default: 90 days ago."), _query("end_date", "W3C date-time."),
        _query("status", "open, closed, or both comma separated."),
        _query("bbox", "west,south,east,north in degrees (WGS84)."),
        _query("lat", "With long and radius: reports around a point."), _query("long", "Longitude of the point."),
        _query("radius", "Metres around lat/long (default 500, at most 5000)."),
    ]
    post = {"type": "object", "required": ["api_key", "service_code"], "properties": {
        "api_key": _TEXT, "service_code": _TEXT, "lat": _TEXT, "long": _TEXT, "address_string": _TEXT,
        "description": _TEXT, "email": _TEXT, "first_name": _TEXT, "last_name": _TEXT, "phone": _TEXT,
        "media_url": _TEXT}, "additionalProperties": {"type": "string"}}
    tag = ["open311"]
    return {
        "/open311/v2/discovery.json": {"get": {
            "tags": tag, "summary": "Service discovery", "responses": {
                "200": _json("Where the endpoint is and what it speaks.", _ref("Open311Discovery")),
                **_refusals()}}},
        "/open311/v2/services.json": {"get": {
            "tags": tag, "summary": "The service list (the town's report categories)", "responses": {
                "200": _json("Services.", {"type": "array", "items": _ref("Open311Service")}), **_refusals()}}},
        "/open311/v2/services/{service_code}.json": {"get": {
            "tags": tag, "summary": "A service's definition: its attributes",
            "parameters": [_path("service_code", "The service code.")], "responses": {
                "200": _json("The definition.", _ref("Open311ServiceDefinition")), **_refusals(404)}}},
        "/open311/v2/requests.json": {
            "get": {"tags": tag, "summary": "Public service requests", "parameters": search, "responses": {
                "200": _json("Requests, newest first.", {"type": "array", "items": _ref("Open311Request")}),
                **_refusals()}},
            "post": {"tags": tag, "summary": "File a service request (api_key required)",
                     "requestBody": {"required": True, "content": {
                         "application/x-www-form-urlencoded": {"schema": post}}},
                     "responses": {"201": _json("Filed.", {"type": "array", "items": _ref("Open311Created")}),
                                   **_refusals(403)}}},
        "/open311/v2/requests/{service_request_id}.json": {"get": {
            "tags": tag, "summary": "One service request",
            "parameters": [_path("service_request_id", "The id (受付番号).")], "responses": {
                "200": _json("The request.", {"type": "array", "items": _ref("Open311Request")}),
                **_refusals(404)}}},
        "/open311/v2/tokens/{token}.json": {"get": {
            "tags": tag, "summary": "The id of a request filed with a token",
            "parameters": [_path("token", "The token given when the request was filed.")], "responses": {
                "200": _json("The id.", {"type": "array", "items": _ref("Open311Token")}), **_refusals(404)}}},
    }


PART = openapi.register(openapi.ApiPart(
    tag="open311", description="通報: Open311 GeoReport v2 (JSON). GET is public; POST needs the town's api_key.",
    paths=paths, schemas=SCHEMAS))
